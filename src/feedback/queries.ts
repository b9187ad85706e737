import type { Queryable, Tx } from '../db/database.ts';
import type { MissedReason } from '../db/tables/feedback.ts';
import type { FeedbackValues } from './schemas.ts';

export type MissedReasonValues = { reason: MissedReason | null; details: string | null };

/** A booking with its session, for the person who owns it: what the feedback pages need. */
export async function findBookingForFeedback(db: Queryable, bookingId: string) {
  return db
    .selectFrom('bookings as b')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .select([
      'b.id',
      'b.userId',
      'b.status',
      'b.attendance',
      'b.confidenceBefore',
      's.startsAt',
      's.endsAt',
      'o.id as offerId',
      'o.title as offerTitle',
      'org.name as organisationName',
    ])
    .where('b.id', '=', bookingId)
    .executeTakeFirst();
}

export type FeedbackBooking = NonNullable<Awaited<ReturnType<typeof findBookingForFeedback>>>;

export async function lockBooking(tx: Tx, bookingId: string) {
  return tx.selectFrom('bookings').select(['id', 'userId', 'status', 'attendance']).where('id', '=', bookingId).forUpdate().executeTakeFirst();
}

/** When the session of a booking ends: feedback can be changed for a while after it. */
export async function findSessionEndOfBooking(db: Queryable, bookingId: string) {
  return db
    .selectFrom('tasterSessions')
    .innerJoin('bookings', 'bookings.tasterSessionId', 'tasterSessions.id')
    .select('tasterSessions.endsAt')
    .where('bookings.id', '=', bookingId)
    .executeTakeFirstOrThrow();
}

export async function insertFeedback(db: Queryable, bookingId: string, values: FeedbackValues, now: Date) {
  await db
    .insertInto('feedback')
    .values({ ...values, bookingId, submittedAt: now, updatedAt: now })
    .execute();
}

export async function updateFeedback(db: Queryable, id: string, values: FeedbackValues, now: Date) {
  await db
    .updateTable('feedback')
    .set({ ...values, updatedAt: now })
    .where('id', '=', id)
    .execute();
}

export async function insertMissedReason(db: Queryable, bookingId: string, values: MissedReasonValues, now: Date) {
  await db
    .insertInto('missedSessionReasons')
    .values({ ...values, bookingId, createdAt: now, updatedAt: now })
    .execute();
}

export async function updateMissedReason(db: Queryable, id: string, values: MissedReasonValues, now: Date) {
  await db
    .updateTable('missedSessionReasons')
    .set({ ...values, updatedAt: now })
    .where('id', '=', id)
    .execute();
}

export async function findFeedback(db: Queryable, bookingId: string) {
  return db.selectFrom('feedback').selectAll().where('bookingId', '=', bookingId).executeTakeFirst();
}

export async function findMissedReason(db: Queryable, bookingId: string) {
  return db.selectFrom('missedSessionReasons').selectAll().where('bookingId', '=', bookingId).executeTakeFirst();
}

/** Attended tasters still waiting for this person's feedback, most recent first. */
export async function listAwaitingFeedback(db: Queryable, userId: string) {
  return db
    .selectFrom('bookings as b')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .leftJoin('feedback as f', 'f.bookingId', 'b.id')
    .select(['b.id as bookingId', 's.startsAt', 'o.title as offerTitle', 'org.name as organisationName'])
    .where('b.userId', '=', userId)
    .where('b.attendance', '=', 'attended')
    .where('f.id', 'is', null)
    .orderBy('s.startsAt', 'desc')
    .execute();
}
