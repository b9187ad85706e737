import { sql } from 'kysely';
import type { Queryable, Tx } from '../db/database.ts';
import type { Role } from '../db/tables/accounts.ts';

/** A person as the people pages show them, with the organisation they work for. */
function people(db: Queryable) {
  return db
    .selectFrom('users')
    .leftJoin('organisations', 'organisations.id', 'users.organisationId')
    .select([
      'users.id',
      'users.name',
      'users.email',
      'users.role',
      'users.status',
      'users.organisationId',
      'users.practice',
      'users.pcn',
      'users.lastSignedInAt',
      'users.createdAt',
      'organisations.name as organisationName',
    ]);
}

/**
 * Everyone with an account, leaving out erased people: they cannot sign in, have no address and
 * nothing can be done for them; what remains of them is anonymous rows in the reports.
 */
export async function listPeople(db: Queryable) {
  return people(db).where('users.erasedAt', 'is', null).orderBy('users.name').execute();
}

export async function countErasedPeople(db: Queryable): Promise<number> {
  const row = await db.selectFrom('users').select(sql<number>`count(*)::int`.as('count')).where('erasedAt', 'is not', null).executeTakeFirstOrThrow();
  return row.count;
}

export async function findPerson(db: Queryable, id: string) {
  return people(db).where('users.id', '=', id).executeTakeFirst();
}

export async function listPendingInvitations(db: Queryable) {
  return db
    .selectFrom('accountLinks')
    .leftJoin('organisations', 'organisations.id', 'accountLinks.organisationId')
    .select(['accountLinks.id', 'accountLinks.email', 'accountLinks.role', 'accountLinks.expiresAt', 'organisations.name as organisationName'])
    .where('purpose', '=', 'invitation')
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', new Date())
    .orderBy('accountLinks.createdAt', 'desc')
    .execute();
}

export async function organisationChoices(db: Queryable) {
  return db.selectFrom('organisations').select(['id', 'name']).orderBy('name').execute();
}

export async function organisationExists(db: Queryable, id: string) {
  return (await db.selectFrom('organisations').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/** Locks the person's account row for the rest of the transaction. */
export async function lockPerson(tx: Tx, id: string) {
  return tx.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function setPersonRole(tx: Tx, id: string, role: Role, organisationId: string | null) {
  await tx.updateTable('users').set({ role, organisationId, updatedAt: new Date() }).where('id', '=', id).execute();
}

export async function setPersonStatus(tx: Tx, id: string, status: 'active' | 'disabled') {
  await tx.updateTable('users').set({ status, updatedAt: new Date() }).where('id', '=', id).execute();
}
