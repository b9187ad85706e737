import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import type { OrganisationInput } from './schemas.ts';

export async function listOrganisations(db: Queryable) {
  return db
    .selectFrom('organisations as o')
    .select((eb) => [
      'o.id',
      'o.name',
      'o.kind',
      eb
        .selectFrom('offers')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('offers.organisationId', '=', 'o.id')
        .where('offers.status', '=', 'active')
        .as('offers'),
      eb
        .selectFrom('users')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('users.organisationId', '=', 'o.id')
        .where('users.status', '<>', 'disabled')
        .as('staff'),
      eb
        .selectFrom('tasterSessions')
        .innerJoin('offers', 'offers.id', 'tasterSessions.offerId')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('offers.organisationId', '=', 'o.id')
        .where('tasterSessions.status', '=', 'published')
        .where('tasterSessions.startsAt', '>', new Date())
        .as('upcomingSessions'),
    ])
    .orderBy(sql`lower(o.name)`)
    .execute();
}

export async function findOrganisation(db: Queryable, id: string) {
  return db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Locks the organisation's row for the rest of the transaction. */
export async function lockOrganisation(tx: Tx, id: string) {
  return tx.selectFrom('organisations').select(['id', 'name']).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function organisationNameTaken(db: Queryable, name: string, exceptId?: string) {
  let query = db.selectFrom('organisations').select('id').where(sql<boolean>`lower(name) = lower(${name})`);
  if (exceptId) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function insertOrganisation(db: Queryable, input: OrganisationInput) {
  return db.insertInto('organisations').values(input).returning('id').executeTakeFirstOrThrow();
}

export async function updateOrganisation(db: Queryable, id: string, input: OrganisationInput) {
  await db
    .updateTable('organisations')
    .set({ ...input, updatedAt: new Date() })
    .where('id', '=', id)
    .execute();
}

/** The organisation's staff accounts and its invitations not yet accepted. */
export async function listStaff(db: Queryable, organisationId: string) {
  const [people, invitations] = await Promise.all([
    db.selectFrom('users').select(['id', 'name', 'email', 'status']).where('organisationId', '=', organisationId).orderBy('name').execute(),
    db
      .selectFrom('accountLinks')
      .select(['id', 'email', 'expiresAt'])
      .where('organisationId', '=', organisationId)
      .where('purpose', '=', 'invitation')
      .where('usedAt', 'is', null)
      .where('expiresAt', '>', new Date())
      .orderBy('createdAt', 'desc')
      .execute(),
  ]);
  return { people, invitations };
}
