import { sql } from 'kysely';
import type { Db, Queryable, Tx } from '../db/database.ts';

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
  return (
    db
      .selectFrom('bookings as b')
      .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
      .innerJoin('offers as o', 'o.id', 's.offerId')
      .innerJoin('organisations as g', 'g.id', 'o.organisationId')
      // A colleague who booked the place for them: named, as their confirmation named them.
      .leftJoin('users as booker', 'booker.id', 'b.bookedBy')
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
        'b.attendanceMarkedBy',
        'b.confidenceBefore',
        'booker.name as bookedBy',
      ])
      .where('b.userId', '=', userId)
      .orderBy('s.startsAt')
      .execute()
  );
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
  return db.selectFrom('signInAttempts').select(['attemptedAt', 'address', 'succeeded', 'kind']).where('email', '=', email).orderBy('attemptedAt').execute();
}

export async function loginSessionsOf(db: Queryable, userId: string) {
  return db.selectFrom('loginSessions').select(['createdAt', 'idleExpiresAt', 'absoluteExpiresAt']).where('userId', '=', userId).orderBy('createdAt').execute();
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

/** The provider, its subject (the person's id there), the address it gave and when it was linked and last used. */
export async function signInIdentitiesOf(db: Queryable, userId: string) {
  return db
    .selectFrom('signInIdentities')
    .select(['provider', 'subject', 'email', 'linkedAt', 'lastUsedAt'])
    .where('userId', '=', userId)
    .orderBy('linkedAt')
    .execute();
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

/* Erasure (erase.ts): each statement in the order erasePerson runs them, in its transaction. */

/** Locks the person's account row for the rest of the transaction. */
export async function lockPersonToErase(tx: Tx, personId: string) {
  return tx.selectFrom('users').selectAll().where('id', '=', personId).forUpdate().executeTakeFirst();
}

export async function countOtherActiveCoordinators(tx: Tx, personId: string): Promise<number> {
  const others = await tx
    .selectFrom('users')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('role', '=', 'coordinator')
    .where('status', '=', 'active')
    .where('erasedAt', 'is', null)
    .where('id', '<>', personId)
    .executeTakeFirstOrThrow();
  return others.n;
}

/** The account row stays, anonymous: no name, an address that receives nothing, no password or practice. */
export async function anonymiseUser(tx: Tx, personId: string, values: { name: string; email: string; now: Date }) {
  await tx
    .updateTable('users')
    .set({
      name: values.name,
      email: values.email,
      practice: null,
      passwordHash: null,
      status: 'disabled',
      lastSignedInAt: null,
      erasedAt: values.now,
      updatedAt: values.now,
    })
    .where('id', '=', personId)
    .execute();
}

export async function deleteRowsReferring(tx: Tx, reference: UserReference, userId: string) {
  await sql`delete from ${sql.table(reference.table)} where ${sql.ref(reference.column)} = ${userId}`.execute(tx);
}

/** Links, account requests, sign-in attempts and emails kept for the person's address (or to them). */
export async function deleteRowsForAddress(tx: Tx, personId: string, email: string) {
  await tx.deleteFrom('accountLinks').where('email', '=', email).execute();
  await tx.deleteFrom('accountRequests').where('email', '=', email).execute();
  await tx.deleteFrom('signInAttempts').where('email', '=', email).execute();
  await tx
    .deleteFrom('outboxMessages')
    .where((eb) => eb.or([eb('recipientId', '=', personId), eb('recipientEmail', '=', email)]))
    .execute();
}

/**
 * Free text the person wrote on their bookings (feedback comments and what got in the way) and on
 * their taster-day registrations (access and dietary needs); and they leave every participant list.
 */
export async function clearFreeTextOf(tx: Tx, personId: string) {
  const theirBookings = tx.selectFrom('bookings').select('id').where('userId', '=', personId);
  await tx.updateTable('feedback').set({ comments: null, referringEasier: null }).where('bookingId', 'in', theirBookings).execute();
  await tx.updateTable('missedSessionReasons').set({ details: null }).where('bookingId', 'in', theirBookings).execute();
  await tx
    .updateTable('dayRegistrations')
    .set({ accessNeeds: null, dietaryNeeds: null, onParticipantList: false, shareEmail: false })
    .where('userId', '=', personId)
    .execute();
  // Their notes on a day's discussion stay as the room's words, no longer linked to them.
  await tx.updateTable('dayDiscussionNotes').set({ authorId: null }).where('authorId', '=', personId).execute();
}

/** Audit entries by the person or about them lose the network address. */
export async function forgetAuditAddressesOf(tx: Tx, personId: string) {
  await tx
    .updateTable('auditEvents')
    .set({ address: null })
    .where((eb) => eb.or([eb('actorId', '=', personId), eb.and([eb('subjectType', '=', 'user'), eb('subjectId', '=', personId)])]))
    .execute();
}

/** Replaces a JSON-quoted value with another in every audit entry's details. */
export async function replaceInAuditDetails(tx: Tx, quoted: string, replacementQuoted: string) {
  await sql`
    update audit_events set details = replace(details::text, ${quoted}, ${replacementQuoted})::jsonb
    where strpos(details::text, ${quoted}) > 0`.execute(tx);
}

/** The outbox's text and JSON columns that may carry a name (not its addressing or bookkeeping). */
export async function outboxTextColumns(tx: Tx) {
  const columns = await sql<{ columnName: string; dataType: string }>`
    select column_name, data_type from information_schema.columns
    where table_schema = current_schema() and table_name = 'outbox_messages'
      and data_type in ('text', 'jsonb') and column_name not in ('recipient_email', 'dedupe_key', 'kind', 'delivered_via', 'last_error')`.execute(tx);
  return columns.rows;
}

/** Replaces escaped text inside one JSON column of the outbox, wherever it occurs. */
export async function replaceInOutboxJson(tx: Tx, columnName: string, escaped: string, replacementEscaped: string) {
  const column = sql.ref(columnName);
  await sql`
    update outbox_messages set ${column} = replace(${column}::text, ${escaped}, ${replacementEscaped})::jsonb
    where strpos(${column}::text, ${escaped}) > 0`.execute(tx);
}

/** Replaces every match of a regular expression in one text column of the outbox. */
export async function replaceMatchesInOutboxText(tx: Tx, columnName: string, pattern: string, replacement: string) {
  const column = sql.ref(columnName);
  await sql`
    update outbox_messages set ${column} = regexp_replace(${column}, ${pattern}, ${replacement}, 'g')
    where ${column} ~ ${pattern}`.execute(tx);
}

/* Retention (retention.ts): each returns how many rows it changed or deleted. */

const changed = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }) => Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n);

export async function clearFeedbackTextBefore(db: Db, cutoff: Date): Promise<number> {
  return changed(
    await db
      .updateTable('feedback')
      .set({ comments: null, referringEasier: null })
      .where('submittedAt', '<', cutoff)
      .where((eb) => eb.or([eb('comments', 'is not', null), eb('referringEasier', 'is not', null)]))
      .executeTakeFirst(),
  );
}

/** Access and dietary needs given for taster days that have ended: each registration's are removed once. */
export async function clearDayNeedsOfDaysEndedBefore(db: Db, now: Date): Promise<number> {
  return changed(
    await db
      .updateTable('dayRegistrations')
      .set({ accessNeeds: null, dietaryNeeds: null, needsRemovedAt: now })
      .where('tasterDayId', 'in', db.selectFrom('tasterDays').select('id').where('endsAt', '<', now))
      .where((eb) => eb.or([eb('accessNeeds', 'is not', null), eb('dietaryNeeds', 'is not', null)]))
      .executeTakeFirst(),
  );
}

/** The details of answers that also give a reason code; the code stays. */
export async function clearMissedDetailsBefore(db: Db, cutoff: Date): Promise<number> {
  return changed(
    await db
      .updateTable('missedSessionReasons')
      .set({ details: null })
      .where('createdAt', '<', cutoff)
      .where('details', 'is not', null)
      .where('reason', 'is not', null)
      .executeTakeFirst(),
  );
}

/** Answers that were only free text, with no reason code. */
export async function deleteTextOnlyMissedReasonsBefore(db: Db, cutoff: Date): Promise<number> {
  return changed(await db.deleteFrom('missedSessionReasons').where('createdAt', '<', cutoff).where('reason', 'is', null).executeTakeFirst());
}

export async function deleteAuditEventsBefore(db: Db, cutoff: Date): Promise<number> {
  return changed(await db.deleteFrom('auditEvents').where('occurredAt', '<', cutoff).executeTakeFirst());
}

export async function deleteMessagesSentBefore(db: Db, cutoff: Date): Promise<number> {
  return changed(await db.deleteFrom('outboxMessages').where('sentAt', '<', cutoff).executeTakeFirst());
}

export async function deleteSignInAttemptsBefore(db: Db, cutoff: Date): Promise<number> {
  return changed(await db.deleteFrom('signInAttempts').where('attemptedAt', '<', cutoff).executeTakeFirst());
}

/** Login sessions past their idle or their absolute expiry. */
export async function deleteExpiredLoginSessions(db: Db, now: Date): Promise<number> {
  return changed(
    await db
      .deleteFrom('loginSessions')
      .where((eb) => eb.or([eb('idleExpiresAt', '<', now), eb('absoluteExpiresAt', '<', now)]))
      .executeTakeFirst(),
  );
}

export async function deleteLinksExpiredBefore(db: Db, cutoff: Date): Promise<number> {
  return changed(await db.deleteFrom('accountLinks').where('expiresAt', '<', cutoff).executeTakeFirst());
}

export async function deleteAccountRequestsBefore(db: Db, cutoff: Date): Promise<number> {
  return changed(await db.deleteFrom('accountRequests').where('createdAt', '<', cutoff).executeTakeFirst());
}

/** Accounts not yet erased whose last sign-in (or, never signed in, creation) is before the cutoff, oldest first. */
export async function listInactiveAccounts(db: Db, cutoff: Date) {
  return db
    .selectFrom('users')
    .select('id')
    .where('erasedAt', 'is', null)
    .where(sql<boolean>`coalesce(last_signed_in_at, created_at) < ${cutoff}`)
    .orderBy('createdAt')
    .execute();
}

/** When the person was erased, or null. */
export async function findErasedAt(db: Queryable, personId: string) {
  const row = await db.selectFrom('users').select('erasedAt').where('id', '=', personId).executeTakeFirst();
  return row?.erasedAt ?? null;
}
