import { sql } from 'kysely';
import type { Queryable } from '../db/database.ts';

/**
 * Every place a person's data is held, read for a download (UK GDPR Article 15). Secrets are never
 * part of it: password hash, two-step secret, recovery-code hashes, session ids and link tokens.
 */

export async function accountOf(db: Queryable, userId: string) {
  return db
    .selectFrom('users')
    .leftJoin('organisations', 'organisations.id', 'users.organisationId')
    .select([
      'users.id',
      'users.name',
      'users.email',
      'users.role',
      'organisations.name as organisation',
      'users.practice',
      'users.pcn',
      'users.status',
      'users.createdAt',
      'users.updatedAt',
      'users.lastSignedInAt',
      'users.erasedAt',
    ])
    .where('users.id', '=', userId)
    .executeTakeFirst();
}

export async function bookingsOf(db: Queryable, userId: string) {
  return db
    .selectFrom('bookings as b')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as g', 'g.id', 'o.organisationId')
    .select([
      'b.id',
      'o.title as activity',
      'g.name as organisation',
      's.startsAt as sessionStartsAt',
      'b.status',
      'b.isWalkIn',
      'b.requestedAt',
      'b.waitlistedAt',
      'b.confirmedAt',
      'b.promotedAt',
      'b.cancelledAt',
      'b.attendance',
      'b.attendanceRecordedAt',
      'b.confidenceBefore',
    ])
    .where('b.userId', '=', userId)
    .orderBy('s.startsAt')
    .execute();
}

export async function feedbackOf(db: Queryable, userId: string) {
  return db
    .selectFrom('feedback as f')
    .innerJoin('bookings as b', 'b.id', 'f.bookingId')
    .select([
      'f.id',
      'f.bookingId',
      'f.rating',
      'f.confidenceAfter',
      'f.accessible',
      'f.appropriate',
      'f.adequate',
      'f.affordable',
      'f.available',
      'f.intendsToRefer',
      'f.referringEasier',
      'f.comments',
      'f.submittedAt',
      'f.updatedAt',
    ])
    .where('b.userId', '=', userId)
    .orderBy('f.submittedAt')
    .execute();
}

export async function missedSessionAnswersOf(db: Queryable, userId: string) {
  return db
    .selectFrom('missedSessionReasons as m')
    .innerJoin('bookings as b', 'b.id', 'm.bookingId')
    .select(['m.id', 'm.bookingId', 'm.reason', 'm.details', 'm.createdAt', 'm.updatedAt'])
    .where('b.userId', '=', userId)
    .orderBy('m.createdAt')
    .execute();
}

export async function referralReportsOf(db: Queryable, userId: string) {
  return db
    .selectFrom('referralReports as r')
    .innerJoin('offers as o', 'o.id', 'r.offerId')
    .select(['r.id', 'o.title as offer', 'r.month', 'r.referralCount', 'r.createdAt', 'r.updatedAt'])
    .where('r.userId', '=', userId)
    .orderBy('r.month')
    .execute();
}

/** Entries by them, about their account or their bookings, or naming them in their details. */
export async function auditEntriesOf(db: Queryable, userId: string, email: string) {
  const theirBookings = db.selectFrom('bookings').select(sql<string>`id::text`.as('id')).where('userId', '=', userId);
  return db
    .selectFrom('auditEvents')
    .select(['id', 'occurredAt', 'action', 'actorId', 'subjectType', 'subjectId', 'details', 'address'])
    .where((eb) =>
      eb.or([
        eb('actorId', '=', userId),
        eb.and([eb('subjectType', '=', 'user'), eb('subjectId', '=', userId)]),
        eb('subjectId', 'in', theirBookings),
        eb(sql`strpos(details::text, ${userId})`, '>', 0),
        eb(sql`strpos(details::text, ${email})`, '>', 0),
      ]),
    )
    .orderBy('id')
    .execute();
}

export async function signInAttemptsOf(db: Queryable, email: string) {
  return db
    .selectFrom('signInAttempts')
    .select(['attemptedAt', 'address', 'succeeded', 'kind'])
    .where('email', '=', email)
    .orderBy('attemptedAt')
    .execute();
}

export async function loginSessionsOf(db: Queryable, userId: string) {
  return db
    .selectFrom('loginSessions')
    .select(['createdAt', 'idleExpiresAt', 'absoluteExpiresAt'])
    .where('userId', '=', userId)
    .orderBy('createdAt')
    .execute();
}

export async function accountLinksOf(db: Queryable, userId: string, email: string) {
  return db
    .selectFrom('accountLinks')
    .select(['id', 'purpose', 'email', 'role', 'createdAt', 'expiresAt', 'usedAt'])
    .where((eb) => eb.or([eb('userId', '=', userId), eb('email', '=', email)]))
    .orderBy('createdAt')
    .execute();
}

export async function messagesTo(db: Queryable, userId: string, email: string) {
  return db
    .selectFrom('outboxMessages')
    .select(['id', 'kind', 'recipientEmail', 'subject', 'textBody', 'createdAt', 'sentAt'])
    .where((eb) => eb.or([eb('recipientId', '=', userId), eb('recipientEmail', '=', email)]))
    .orderBy('createdAt')
    .execute();
}

export async function calendarFeedOf(db: Queryable, userId: string) {
  return db.selectFrom('calendarFeeds').select(['createdAt', 'lastFetchedAt']).where('userId', '=', userId).execute();
}

export async function twoStepOf(db: Queryable, userId: string) {
  return db
    .selectFrom('twoStepCredentials')
    .select((eb) => [
      'enabledAt',
      eb
        .selectFrom('twoStepRecoveryCodes')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('twoStepRecoveryCodes.userId', '=', 'twoStepCredentials.userId')
        .where('usedAt', 'is', null)
        .as('recoveryCodesLeft'),
    ])
    .where('userId', '=', userId)
    .execute();
}

export type UserReference = { table: string; column: string; onDelete: 'cascade' | 'set null' | 'restrict' | 'no action' | 'set default' };

const deleteRules: Record<string, UserReference['onDelete']> = { c: 'cascade', n: 'set null', r: 'restrict', a: 'no action', d: 'set default' };

/**
 * Every column of every table that points at a person (a foreign key to users), read from the
 * database's own catalogue: a table another feature adds later is found without a change here.
 */
export async function userReferences(db: Queryable): Promise<UserReference[]> {
  const rows = await sql<{ tableName: string; columnName: string; rule: string }>`
    select cl.relname as table_name, a.attname as column_name, c.confdeltype::text as rule
    from pg_constraint c
    join pg_class cl on cl.oid = c.conrelid
    join pg_namespace n on n.oid = cl.relnamespace
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    join pg_class target on target.oid = c.confrelid
    where c.contype = 'f' and target.relname = 'users' and n.nspname = current_schema()
      and target.relnamespace = n.oid and cardinality(c.conkey) = 1
    order by 1, 2`.execute(db);
  return rows.rows.map((r) => ({ table: r.tableName, column: r.columnName, onDelete: deleteRules[r.rule] ?? 'no action' }));
}

/** Rows of a table whose column names this person, for the "other records" part of a download. */
export async function rowsReferring(db: Queryable, reference: UserReference, userId: string): Promise<Array<Record<string, unknown>>> {
  const rows = await sql<Record<string, unknown>>`
    select * from ${sql.table(reference.table)} where ${sql.ref(reference.column)} = ${userId}`.execute(db);
  return rows.rows;
}
