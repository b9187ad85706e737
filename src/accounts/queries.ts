import { sql } from 'kysely';
import type { Queryable, Tx } from '../db/database.ts';
import type { AccountLinkPurpose, AccountRequestKind, Role } from '../db/tables/accounts.ts';
import type { SignInAttemptKind } from '../db/tables/two-step.ts';
import type { CurrentUser } from '../web/current-user.ts';

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

/** Failed attempts of these kinds since `since`: by one account, anywhere or at one address; and the oldest. */
export async function countRecentFailures(db: Queryable, since: Date, kinds: readonly SignInAttemptKind[], by: { email: string; address?: string }) {
  let query = db
    .selectFrom('signInAttempts')
    .select((eb) => [eb.fn.countAll<number>().as('failures'), eb.fn.min('attemptedAt').as('oldest')])
    .where('succeeded', '=', false)
    .where('attemptedAt', '>', since)
    .where('kind', 'in', kinds)
    .where('email', '=', by.email);
  if (by.address !== undefined) query = query.where('address', '=', by.address);
  const row = await query.executeTakeFirstOrThrow();
  return { failures: Number(row.failures), oldest: row.oldest ? new Date(row.oldest) : null };
}

/**
 * The accounts whose latest attempt from this address since `since` failed, and the earliest of
 * those latest failures (when the first of them leaves the window). Someone who mistyped and then
 * got in does not count: at a surgery sharing one address, people getting their own password
 * wrong now and then never add up the way one password tried on account after account does.
 */
export async function countAccountsFailedFrom(db: Queryable, since: Date, kinds: readonly SignInAttemptKind[], address: string) {
  const latest = db
    .selectFrom('signInAttempts')
    .distinctOn('email')
    .select(['email', 'succeeded', 'attemptedAt'])
    .where('address', '=', address)
    .where('attemptedAt', '>', since)
    .where('kind', 'in', kinds)
    .orderBy('email')
    .orderBy('attemptedAt', 'desc')
    .orderBy('id', 'desc');
  const row = await db
    .selectFrom(latest.as('latest'))
    .select((eb) => [eb.fn.countAll<number>().as('accounts'), eb.fn.min('latest.attemptedAt').as('earliest')])
    .where('latest.succeeded', '=', false)
    .executeTakeFirstOrThrow();
  return { accounts: Number(row.accounts), earliest: row.earliest ? new Date(row.earliest) : null };
}

// The first key of the two-key advisory locks, so these never meet another feature's locks.
const SIGN_IN_LOCKS = 7301;

/** Held until the transaction ends. Always email first, then address, so two attempts never deadlock. */
export async function lockSignInAttempts(tx: Tx, email: string, address: string) {
  await sql`select pg_advisory_xact_lock(${SIGN_IN_LOCKS}, hashtext(${`email:${email}`}))`.execute(tx);
  await sql`select pg_advisory_xact_lock(${SIGN_IN_LOCKS}, hashtext(${`address:${address}`}))`.execute(tx);
}

// Another first key: whatever happens to one email address (a registration or reset being handled,
// an account being created) happens one at a time.
const ADDRESS_LOCKS = 7302;

/** Held until the transaction ends. */
export async function lockEmailAddress(tx: Tx, email: string) {
  await sql`select pg_advisory_xact_lock(${ADDRESS_LOCKS}, hashtext(${email}))`.execute(tx);
}

export async function recordSignInAttempt(db: Queryable, email: string, address: string, succeeded: boolean, kind: SignInAttemptKind = 'password') {
  await db.insertInto('signInAttempts').values({ email, address, succeeded, kind }).execute();
}

/**
 * Locks the account row until the transaction ends (one request for a sign-in link per account at
 * a time; one reset of someone's two-step sign-in at a time). Returns it, or nothing if there is none.
 */
export async function lockUser(tx: Tx, userId: string) {
  return tx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirst();
}

export async function markSignedIn(db: Queryable, userId: string, now: Date) {
  await db.updateTable('users').set({ lastSignedInAt: now }).where('id', '=', userId).execute();
}

/** A new account, active at once (an accepted invitation, a confirmed registration). */
export async function insertActiveUser(
  tx: Tx,
  user: { email: string; name: string; role: Role; organisationId?: string | null; practice: string | null; pcn: string | null; passwordHash: string | null },
) {
  return tx
    .insertInto('users')
    .values({ ...user, status: 'active' })
    .returning(['id', 'email'])
    .executeTakeFirstOrThrow();
}

/** An account left unconfirmed becomes active, with the registration's details when the link carries them. */
export async function activateUser(
  tx: Tx,
  userId: string,
  registration: { name?: string; practice?: string | null; pcn?: string | null; passwordHash?: string | null },
) {
  await tx
    .updateTable('users')
    .set({ ...registration, status: 'active', updatedAt: new Date() })
    .where('id', '=', userId)
    .execute();
}

export async function setPasswordHash(tx: Tx, userId: string, passwordHash: string) {
  await tx.updateTable('users').set({ passwordHash, updatedAt: new Date() }).where('id', '=', userId).execute();
}

/** The newest link of this purpose for this account that still works. */
export async function latestWorkingLink(db: Queryable, userId: string, purpose: AccountLinkPurpose, now: Date) {
  return db
    .selectFrom('accountLinks')
    .select(['id', 'createdAt'])
    .where('userId', '=', userId)
    .where('purpose', '=', purpose)
    .where('usedAt', 'is', null)
    .where('replacedAt', 'is', null)
    .where('expiresAt', '>', now)
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst();
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
    registration?: { name: string; practice: string; pcn: string; passwordHash: string } | null;
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
      name: link.registration?.name ?? null,
      practice: link.registration?.practice ?? null,
      pcn: link.registration?.pcn ?? null,
      passwordHash: link.registration?.passwordHash ?? null,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

/** Locks the link row, so two tabs using one link cannot both succeed. */
export async function lockAccountLink(db: Queryable, purpose: AccountLinkPurpose, tokenHash: string) {
  return db.selectFrom('accountLinks').selectAll().where('purpose', '=', purpose).where('tokenHash', '=', tokenHash).forUpdate().executeTakeFirst();
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
      'accountLinks.replacedAt',
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

/** Links of this purpose to this address that could still be used stop working. */
export async function replaceUnusedLinks(db: Queryable, purpose: AccountLinkPurpose, email: string) {
  await db
    .updateTable('accountLinks')
    .set({ replacedAt: new Date() })
    .where('email', '=', email)
    .where('purpose', '=', purpose)
    .where('usedAt', 'is', null)
    .where('replacedAt', 'is', null)
    .execute();
}

export async function insertAccountRequest(
  db: Queryable,
  request: { kind: AccountRequestKind; email: string; name?: string; practice?: string; pcn?: string; passwordHash?: string; address?: string },
) {
  return db
    .insertInto('accountRequests')
    .values({
      kind: request.kind,
      email: request.email,
      name: request.name ?? null,
      practice: request.practice ?? null,
      pcn: request.pcn ?? null,
      passwordHash: request.passwordHash ?? null,
      address: request.address ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** Locked, so two workers given the same request cannot both act on it. */
export async function lockAccountRequest(tx: Tx, id: string) {
  return tx.selectFrom('accountRequests').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function deleteAccountRequest(db: Queryable, id: string) {
  await db.deleteFrom('accountRequests').where('id', '=', id).execute();
}

export async function endSessionsOf(db: Queryable, userId: string) {
  await db.deleteFrom('loginSessions').where('userId', '=', userId).execute();
}

/** Account requests not yet given a job, oldest first (request-worker.ts). */
export async function listUndispatchedAccountRequests(db: Queryable, limit: number) {
  return db.selectFrom('accountRequests').select('id').where('dispatchedAt', 'is', null).orderBy('createdAt').limit(limit).execute();
}

export async function markAccountRequestsDispatched(db: Queryable, ids: string[]) {
  await db.updateTable('accountRequests').set({ dispatchedAt: new Date() }).where('id', 'in', ids).where('dispatchedAt', 'is', null).execute();
}

/* Login sessions, for the session store (session-store.ts). Ids arrive hashed. */

/**
 * What every page needs to know first, in one statement: the live login session behind a cookie,
 * its idle expiry pushed on (being used is activity), and who is signed in with it while their
 * account is active (CurrentUser; none when it was disabled or erased since).
 */
/**
 * Reads a live login session and the person signed in with it, and pushes its idle expiry on. The
 * push is written only when the stored expiry is more than touchSlackMs behind the new one: a
 * write on every page was a commit (and a WAL flush) per page view, most of the database's work on
 * a busy find page. So a session may end up to a minute before its idle time is up, never after,
 * and the time-out warning counts from that earliest end.
 */
export async function touchLoginSession(db: Queryable, idHash: string, now: Date, idleExpiresAt: Date) {
  const stale = new Date(idleExpiresAt.getTime() - touchSlackMs(idleExpiresAt.getTime() - now.getTime()));
  const result = await sql<{ data: Record<string, unknown>; user: CurrentUser | null }>`
    with live as (
      select id_hash, data, user_id, idle_expires_at from login_sessions
      where id_hash = ${idHash} and idle_expires_at > ${now} and absolute_expires_at > ${now}
    ), touched as (
      update login_sessions s set idle_expires_at = ${idleExpiresAt}
      from live where s.id_hash = live.id_hash and live.idle_expires_at < ${stale}
    )
    select l.data,
      case when u.id is null then null else jsonb_build_object('id', u.id, 'email', u.email, 'name', u.name, 'role', u.role,
        'organisationId', u.organisation_id, 'practice', u.practice, 'pcn', u.pcn) end as user
    from live l left join users u on u.id = l.user_id and u.status = 'active'`.execute(db);
  return result.rows[0];
}

/** A minute, or a thirtieth of a shorter time-out; static/app.js counts the warning from the earliest end. */
export function touchSlackMs(idleMs: number): number {
  return Math.min(60_000, idleMs / 30);
}

/**
 * Writes a login session. A new one takes both expiries; an existing one takes the new data and
 * idle expiry and keeps its absolute expiry.
 */
export async function saveLoginSession(
  db: Queryable,
  session: { idHash: string; userId: string | null; data: string; idleExpiresAt: Date; absoluteExpiresAt: Date },
) {
  await db
    .insertInto('loginSessions')
    .values(session)
    .onConflict((oc) =>
      oc.column('idHash').doUpdateSet((eb) => ({
        data: eb.ref('excluded.data'),
        userId: eb.ref('excluded.userId'),
        idleExpiresAt: eb.ref('excluded.idleExpiresAt'),
      })),
    )
    .execute();
}

export async function deleteLoginSession(db: Queryable, idHash: string) {
  await db.deleteFrom('loginSessions').where('idHash', '=', idHash).execute();
}
