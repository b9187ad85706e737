import { type ExpressionBuilder, sql } from 'kysely';
import type { Queryable } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { placeColumns, sessionsWithPlace } from '../publishing/sessions/queries.ts';
import type { BookingStatus } from '../db/tables/bookings.ts';

type WithBooking = Database & { b: Database['bookings'] };

/**
 * A waiting booking's place in the queue: one more than the number of people waiting on the same
 * session who joined before it (waitlisted_at, then id). Computed from live rows, never stored,
 * so a cancellation or promotion can never leave gaps or duplicates behind.
 */
export function waitingPosition(eb: ExpressionBuilder<WithBooking, 'b'>) {
  return eb
    .selectFrom('bookings as w')
    .select(sql<number>`count(*)::int + 1`.as('position'))
    .whereRef('w.tasterSessionId', '=', 'b.tasterSessionId')
    .where('w.status', '=', 'waitlisted')
    .where(sql<boolean>`(w.waitlisted_at, w.id) < (b.waitlisted_at, b.id)`);
}

const countWith = (status: BookingStatus) =>
  sql<number>`(select count(*)::int from bookings c where c.taster_session_id = s.id and c.status = ${status} and not c.is_walk_in)`;

/** Everything a booking page or panel shows about a session. */
function sessionSummaryQuery(db: Queryable) {
  return sessionsWithPlace(db).select([
    's.id',
    's.status',
    's.startsAt',
    's.endsAt',
    's.bookingClosesAt',
    's.capacity',
    's.isOnline',
    's.joiningInstructions',
    's.whatToBring',
    's.accessNotes',
    's.cancellationReason',
    'o.id as offerId',
    'o.category',
    'g.id as organisationId',
    'v.stepFree',
    ...placeColumns,
    countWith('confirmed').as('confirmed'),
    countWith('waitlisted').as('waiting'),
  ]);
}

export type SessionSummaryRow = NonNullable<Awaited<ReturnType<typeof findSessionSummary>>>;

export async function findSessionSummary(db: Queryable, sessionId: string) {
  return sessionSummaryQuery(db).where('s.id', '=', sessionId).executeTakeFirst();
}

/** The person's live (confirmed or waiting) booking on a session, with its place in the queue. */
export async function findLiveBooking(db: Queryable, sessionId: string, userId: string) {
  return db
    .selectFrom('bookings as b')
    .select((eb) => ['b.id', 'b.status', 'b.tasterSessionId', waitingPosition(eb).as('position')])
    .where('b.tasterSessionId', '=', sessionId)
    .where('b.userId', '=', userId)
    .where('b.status', '<>', 'cancelled')
    .executeTakeFirst();
}

/** A booking as its owner sees it. Someone else's booking is simply not found. */
export async function findOwnBooking(db: Queryable, bookingId: string, userId: string) {
  return db
    .selectFrom('bookings as b')
    .select((eb) => [
      'b.id',
      'b.status',
      'b.tasterSessionId',
      'b.requestedAt',
      'b.confirmedAt',
      'b.waitlistedAt',
      'b.promotedAt',
      'b.cancelledAt',
      'b.attendance',
      'b.confidenceBefore',
      waitingPosition(eb).as('position'),
    ])
    .where('b.id', '=', bookingId)
    .where('b.userId', '=', userId)
    .executeTakeFirst();
}

/** Bookings that are not cancelled, with their session, for My bookings and the calendar feed. */
export async function listLiveBookings(db: Queryable, userId: string, filter: { since?: Date; bookingId?: string }) {
  let query = sessionsWithPlace(db)
    .innerJoin('bookings as b', 'b.tasterSessionId', 's.id')
    .select((eb) => [
      'b.id',
      'b.status',
      'b.attendance',
      'b.requestedAt',
      'b.updatedAt',
      waitingPosition(eb).as('position'),
      's.id as sessionId',
      's.status as sessionStatus',
      's.startsAt',
      's.endsAt',
      's.isOnline',
      's.joiningInstructions',
      's.cancellationReason',
      ...placeColumns,
    ])
    .where('b.userId', '=', userId)
    .where('b.status', '<>', 'cancelled');
  if (filter.since) query = query.where('s.startsAt', '>=', filter.since);
  if (filter.bookingId) query = query.where('b.id', '=', filter.bookingId);
  return query.orderBy('s.startsAt').orderBy('b.id').execute();
}

export type LiveBookingRow = Awaited<ReturnType<typeof listLiveBookings>>[number];

/** Who has a place and who is waiting on a session, for its provider and coordinators. */
export async function listSessionBookings(db: Queryable, sessionId: string) {
  return db
    .selectFrom('bookings as b')
    .leftJoin('users as u', 'u.id', 'b.userId')
    .select((eb) => [
      'b.id',
      'b.status',
      'b.confirmedAt',
      'b.waitlistedAt',
      'b.promotedAt',
      'b.isWalkIn',
      'b.attendance',
      waitingPosition(eb).as('position'),
      'u.name',
      'u.email',
      'u.practice',
      'u.pcn',
    ])
    .where('b.tasterSessionId', '=', sessionId)
    .where('b.status', '<>', 'cancelled')
    .orderBy('b.status')
    .orderBy(sql`coalesce(b.waitlisted_at, b.confirmed_at)`)
    .orderBy('b.confirmedAt')
    .orderBy('b.id')
    .execute();
}

/** What a message about a booking needs: who it is for and what it is. */
export async function findBookingForMessage(db: Queryable, bookingId: string) {
  return sessionsWithPlace(db)
    .innerJoin('bookings as b', 'b.tasterSessionId', 's.id')
    .innerJoin('users as u', 'u.id', 'b.userId')
    .select((eb) => [
      'b.id',
      'b.status',
      waitingPosition(eb).as('position'),
      'u.id as userId',
      'u.email',
      'u.name',
      's.startsAt',
      's.endsAt',
      's.isOnline',
      ...placeColumns,
    ])
    .where('b.id', '=', bookingId)
    .where('u.status', '=', 'active')
    .executeTakeFirst();
}
