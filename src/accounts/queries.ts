import { sql } from 'kysely';
import type { Queryable, Tx } from '../db/database.ts';
import type { CurrentUser } from './current-user.ts';
import type { AccountLinkPurpose, Role } from './tables.ts';

export async function findSignedInUser(db: Queryable, userId: string): Promise<CurrentUser | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'role', 'organisationId', 'practice', 'pcn'])
    .where('id', '=', userId)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

export async function findUserByEmail(db: Queryable, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function findUserById(db: Queryable, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countRecentFailures(db: Queryable, since: Date, by: { email: string } | { address: string }) {
  let query = db
    .selectFrom('signInAttempts')
    .select((eb) => [eb.fn.countAll<number>().as('failures'), eb.fn.min('attemptedAt').as('oldest')])
    .where('succeeded', '=', false)
    .where('attemptedAt', '>', since);
  query = 'email' in by ? query.where('email', '=', by.email) : query.where('address', '=', by.address);
  const row = await query.executeTakeFirstOrThrow();
  return { failures: Number(row.failures), oldest: row.oldest ? new Date(row.oldest) : null };
}

// The first key of the two-key advisory locks, so these never meet another feature's locks.
const SIGN_IN_LOCKS = 7301;

/** Held until the transaction ends. Always email first, then address, so two attempts never deadlock. */
export async function lockSignInAttempts(tx: Tx, email: string, address: string) {
  await sql`select pg_advisory_xact_lock(${SIGN_IN_LOCKS}, hashtext(${`email:${email}`}))`.execute(tx);
  await sql`select pg_advisory_xact_lock(${SIGN_IN_LOCKS}, hashtext(${`address:${address}`}))`.execute(tx);
}

export async function recordSignInAttempt(db: Queryable, email: string, address: string, succeeded: boolean) {
  await db.insertInto('signInAttempts').values({ email, address, succeeded }).execute();
}

export async function insertAccountLink(
  db: Queryable,
  link: {
    purpose: AccountLinkPurpose;
    tokenHash: string;
    email: string;
    userId?: string | null;
    role?: Role | null;
    organisationId?: string | null;
    createdBy?: string | null;
    expiresAt: Date;
  },
) {
  return db
    .insertInto('accountLinks')
    .values({
      purpose: link.purpose,
      tokenHash: link.tokenHash,
      email: link.email,
      userId: link.userId ?? null,
      role: link.role ?? null,
      organisationId: link.organisationId ?? null,
      createdBy: link.createdBy ?? null,
      expiresAt: link.expiresAt,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

/** Locks the link row, so two tabs using one link cannot both succeed. */
export async function lockAccountLink(db: Queryable, purpose: AccountLinkPurpose, tokenHash: string) {
  return db
    .selectFrom('accountLinks')
    .selectAll()
    .where('purpose', '=', purpose)
    .where('tokenHash', '=', tokenHash)
    .forUpdate()
    .executeTakeFirst();
}

export async function findAccountLink(db: Queryable, purpose: AccountLinkPurpose, tokenHash: string) {
  return db
    .selectFrom('accountLinks')
    .leftJoin('organisations', 'organisations.id', 'accountLinks.organisationId')
    .select([
      'accountLinks.id',
      'accountLinks.email',
      'accountLinks.role',
      'accountLinks.expiresAt',
      'accountLinks.usedAt',
      'accountLinks.userId',
      'organisations.name as organisationName',
    ])
    .where('purpose', '=', purpose)
    .where('tokenHash', '=', tokenHash)
    .executeTakeFirst();
}

export async function markAccountLinkUsed(db: Queryable, id: string) {
  await db.updateTable('accountLinks').set({ usedAt: new Date() }).where('id', '=', id).execute();
}

export async function endSessionsOf(db: Queryable, userId: string) {
  await db.deleteFrom('loginSessions').where('userId', '=', userId).execute();
}
