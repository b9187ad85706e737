import { type ExpressionBuilder, sql } from 'kysely';
import type { Db, Queryable, Tx } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { DeliveredVia } from '../db/tables/messages.ts';
import type { Written } from '../messages/compose.ts';

type Preference = 'reminders' | 'feedbackRequests' | 'referralPrompts' | 'digests';
type WithUser = Database & { u: Database['users'] };

/** The person has not turned this optional message off (no preferences row means everything is on). */
function wants(preference: Preference) {
  return (eb: ExpressionBuilder<WithUser, 'u'>) =>
    eb.not(
      eb.exists(eb.selectFrom('messagePreferences as mp').select(sql`1`.as('one')).whereRef('mp.userId', '=', 'u.id').where(`mp.${preference}`, '=', false)),
    );
}

const HOUR = 3_600_000;

/** Confirmed places on published sessions starting in the next two days, whose owners want reminders. */
export async function reminderCandidates(db: Queryable, now: Date) {
  return db
    .selectFrom('bookings as b')
    .innerJoin('users as u', 'u.id', 'b.userId')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .select(['b.id as bookingId', 'b.confirmedAt', 'u.id as userId', 'u.email', 'u.name', 's.id as sessionId', 's.startsAt'])
    .where('b.status', '=', 'confirmed')
    .where('s.status', '=', 'published')
    .where('u.status', '=', 'active')
    .where('s.startsAt', '>', now)
    .where('s.startsAt', '<=', new Date(now.getTime() + 48 * HOUR))
    .where(wants('reminders'))
    .orderBy('s.startsAt')
    .orderBy('b.id')
    .execute();
}

/** People marked as attending a session that ended within `withinDays`, who have not given feedback. */
export async function feedbackCandidates(db: Queryable, now: Date, withinDays: number) {
  return db
    .selectFrom('bookings as b')
    .innerJoin('users as u', 'u.id', 'b.userId')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .select(['b.id as bookingId', 'u.id as userId', 'u.email', 'u.name', 's.id as sessionId', 's.endsAt'])
    .where('b.attendance', '=', 'attended')
    .where('u.status', '=', 'active')
    .where('s.endsAt', '<=', now)
    .where('s.endsAt', '>', new Date(now.getTime() - withinDays * 24 * HOUR))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('feedback as f').select(sql`1`.as('one')).whereRef('f.bookingId', '=', 'b.id'))))
    .where(wants('feedbackRequests'))
    .orderBy('s.endsAt')
    .orderBy('b.id')
    .execute();
}

/** Link workers who attended a taster that ended between `fromWeeks` and `toWeeks` weeks ago. */
export async function referralPromptCandidates(db: Queryable, now: Date, fromWeeks: number, toWeeks: number) {
  const weeksAgo = (weeks: number) => new Date(now.getTime() - weeks * 7 * 24 * HOUR);
  return (
    db
      .selectFrom('users as u')
      .select(['u.id as userId', 'u.email', 'u.name'])
      .where('u.role', '=', 'link_worker')
      .where('u.status', '=', 'active')
      // A session attended, or a day's taster behind an offer (issue 15): the prompts are about the offer.
      .$call((qb) =>
        qb.where((eb) =>
          eb.or([
            eb.exists(
              eb
                .selectFrom('bookings as b')
                .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
                .select(sql`1`.as('one'))
                .whereRef('b.userId', '=', 'u.id')
                .where('b.attendance', '=', 'attended')
                .where('s.endsAt', '<=', weeksAgo(fromWeeks))
                .where('s.endsAt', '>', weeksAgo(toWeeks)),
            ),
            eb.exists(
              eb
                .selectFrom('dayTasterChoices as c')
                .innerJoin('dayRegistrations as r', 'r.id', 'c.registrationId')
                .innerJoin('dayTasters as dt', 'dt.id', 'c.dayTasterId')
                .innerJoin('dayProgrammeItems as i', 'i.id', 'c.programmeItemId')
                .select(sql`1`.as('one'))
                .whereRef('r.userId', '=', 'u.id')
                .where('c.attendance', '=', 'attended')
                .where('dt.offerId', 'is not', null)
                .where('i.endsAt', '<=', weeksAgo(fromWeeks))
                .where('i.endsAt', '>', weeksAgo(toWeeks)),
            ),
          ]),
        ),
      )
      .where(wants('referralPrompts'))
      .orderBy('u.id')
      .execute()
  );
}

/** Coordinators and provider staff who want the weekly digest. */
export async function digestRecipients(db: Queryable) {
  return db
    .selectFrom('users as u')
    .select(['u.id as userId', 'u.email', 'u.name', 'u.role', 'u.organisationId'])
    .where('u.status', '=', 'active')
    .where((eb) => eb.or([eb('u.role', '=', 'coordinator'), eb.and([eb('u.role', '=', 'provider'), eb('u.organisationId', 'is not', null)])]))
    .where(wants('digests'))
    .orderBy('u.id')
    .execute();
}

/** Published sessions starting before `until` that can still be booked and have places left. */
export async function sessionsWithPlaces(db: Queryable, now: Date, until: Date) {
  const rows = await db
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as g', 'g.id', 'o.organisationId')
    .select((eb) => [
      's.id',
      's.startsAt',
      's.endsAt',
      's.capacity',
      'o.title',
      'o.organisationId',
      'g.name as organisationName',
      eb
        .selectFrom('bookings as c')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('c.tasterSessionId', '=', 's.id')
        .where('c.status', '=', 'confirmed')
        .as('confirmed'),
    ])
    .where('s.status', '=', 'published')
    .where('s.startsAt', '>', now)
    .where('s.startsAt', '<=', until)
    .where('s.bookingClosesAt', '>', now)
    .orderBy('s.startsAt')
    .orderBy('s.id')
    .execute();
  return rows.map((row) => ({ ...row, confirmed: row.confirmed ?? 0 })).filter((row) => row.confirmed < row.capacity);
}

/* The outbox as the delivery worker, the writer and "Emails not delivered" see it. */

/** Outbox messages not yet given a delivery job, oldest first. */
export async function listUndispatchedMessages(db: Db, limit: number) {
  return db.selectFrom('outboxMessages').select('id').where('dispatchedAt', 'is', null).where('sentAt', 'is', null).orderBy('createdAt').limit(limit).execute();
}

export async function markDispatched(db: Db, ids: string[]) {
  await db.updateTable('outboxMessages').set({ dispatchedAt: new Date() }).where('id', 'in', ids).where('dispatchedAt', 'is', null).execute();
}

/** One more attempt that the mail server refused (or that could not be written), and why. */
export async function recordFailedAttempt(db: Db, id: string, lastError: string) {
  await db
    .updateTable('outboxMessages')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), lastError }))
    .where('id', '=', id)
    .execute();
}

export async function markSent(db: Db, id: string, via: DeliveredVia) {
  await db
    .updateTable('outboxMessages')
    .set((eb) => ({ sentAt: new Date(), deliveredVia: via, attempts: eb('attempts', '+', 1), lastError: null }))
    .where('id', '=', id)
    .where('sentAt', 'is', null)
    .execute();
}

/** Stores the text written from a message's facts, unless another writer stored it first. */
export async function storeWrittenText(db: Queryable, id: string, written: Written) {
  await db
    .updateTable('outboxMessages')
    .set({ subject: written.subject, textBody: written.text, htmlBody: written.html, attachments: JSON.stringify(written.attachments) })
    .where('id', '=', id)
    .where('textBody', 'is', null)
    .execute();
}

/** Messages still waiting as facts (those given, those to one person, or all), oldest first. */
export async function listUnwrittenMessages(db: Queryable, filter: { ids?: string[]; recipientId?: string }) {
  let query = db.selectFrom('outboxMessages').selectAll().where('textBody', 'is', null);
  if (filter.ids) query = query.where('id', 'in', filter.ids);
  if (filter.recipientId) query = query.where('recipientId', '=', filter.recipientId);
  return query.orderBy('createdAt').execute();
}

/** Emails the mail server has refused at least once and that have not gone since, newest first. */
export async function listRefusedMessages(db: Queryable, limit: number) {
  return db
    .selectFrom('outboxMessages as m')
    .leftJoin('users as u', 'u.id', 'm.recipientId')
    .select(['m.id', 'm.kind', 'm.subject', 'm.recipientEmail', 'u.name as recipientName', 'm.createdAt', 'm.attempts', 'm.lastError', 'm.dispatchedAt'])
    .where('m.sentAt', 'is', null)
    .where('m.attempts', '>', 0)
    .orderBy('m.createdAt', 'desc')
    .orderBy('m.id')
    .limit(limit)
    .execute();
}

/** Emails not sent after `attempts` tries whose job has stopped (they still have dispatched_at). */
export async function countGivenUpAfter(db: Queryable, attempts: number): Promise<number> {
  const row = await db
    .selectFrom('outboxMessages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sentAt', 'is', null)
    .where('attempts', '>=', attempts)
    .where('dispatchedAt', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Locks one outbox message for the rest of the transaction. */
export async function lockMessage(tx: Tx, id: string) {
  return tx.selectFrom('outboxMessages').select(['id', 'kind', 'sentAt', 'attempts', 'dispatchedAt']).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Clearing dispatched_at makes the next dispatch pass give the message a job again. */
export async function markForDispatchAgain(tx: Tx, id: string) {
  await tx.updateTable('outboxMessages').set({ dispatchedAt: null }).where('id', '=', id).execute();
}
