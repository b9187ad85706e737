import { type ExpressionBuilder, sql } from 'kysely';
import { bookingMessageFacts } from '../capacity/queries.ts';
import type { Queryable, Tx } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { placeColumns, sessionsWithPlace, sessionsWithPlaceSql } from '../db/sessions-with-place.ts';
import type { BookingStatus } from '../db/tables/bookings.ts';
import type { SessionStatus } from '../db/tables/publishing.ts';
import { calendarSequence, senderAddress } from '../messages/queries.ts';

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

/** The session of a booking, when the booking is this person's; nothing for anyone else's. */
export async function findSessionOfOwnBooking(db: Queryable, bookingId: string, userId: string) {
  return db.selectFrom('bookings').select(['tasterSessionId']).where('id', '=', bookingId).where('userId', '=', userId).executeTakeFirst();
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
      calendarSequence().as('calendarSequence'),
      'g.contactEmail as organisationEmail',
      's.id as sessionId',
      's.status as sessionStatus',
      's.startsAt',
      's.endsAt',
      's.isOnline',
      's.joiningInstructions',
      's.cancellationReason',
      // My bookings leads from a past taster to the feedback on it: to give it, or to see it.
      eb.exists(eb.selectFrom('feedback as f').select('f.id').whereRef('f.bookingId', '=', 'b.id')).as('feedbackGiven'),
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

// ---------- the statements run under a session's lock ----------
//
// Each is one statement, run right after lockTasterSession: the change, its audit entry and the
// facts of its email together. A statement sees the rows committed before it started, and it starts
// after the lock was granted, so it counts everything the previous holder of the lock wrote. (The
// statement that takes the lock cannot also count: its snapshot is taken before it waits.)
// The sub-statements of one statement all see that same snapshot, not each other's writes, so
// each reads what the others changed from their RETURNING rows.

/** What book_place answers: the session as locked (none when there is no such session) and the booking, if any. */
export type BookPlaceRow = {
  sessionFound: boolean;
  sessionStatus: SessionStatus | null;
  startsAt: Date | null;
  bookingClosesAt: Date | null;
  bookingId: string | null;
  bookingStatus: BookingStatus | null;
  created: boolean | null;
  lockHeldMs: number | null;
};

/**
 * Rules 1 and 3 as one call to the database (the book_place function, migrations 0806 and 0901): lock the
 * session, then, while booking is open, the person's live booking or a new one — confirmed while
 * places are left, else waiting — with its audit entry and the facts of its email. Run outside a
 * transaction, the lock is held inside the database only, and only until this call commits.
 */
export async function bookPlaceLocked(
  db: Queryable,
  input: { sessionId: string; userId: string; confidenceBefore: number | null; address: string | null; baseUrl: string | null; mailFrom: string | null },
): Promise<BookPlaceRow> {
  const result = await sql<BookPlaceRow>`
    select * from book_place(${input.sessionId}::uuid, ${input.userId}::uuid, ${input.confidenceBefore}::smallint, ${input.address}::text,
      ${input.baseUrl}::text, ${senderAddress(input.mailFrom)}::text)`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('book_place answered no row');
  return row;
}

/** One person's booking in a call of book_places: who it was for, and book_place's answer. */
export type BookPlacesRow = BookPlaceRow & { userId: string };

/**
 * Several people on one session in one statement (the book_places function, migration
 * 20261205_0101): each exactly as bookPlaceLocked would book them, in the order given, one after
 * another under a single hold of the session's lock. One answer per person, in that order.
 */
export async function bookPlacesLocked(
  db: Queryable,
  input: {
    sessionId: string;
    people: Array<{ userId: string; confidenceBefore: number | null; address: string | null }>;
    baseUrl: string | null;
    mailFrom: string | null;
  },
): Promise<BookPlacesRow[]> {
  const result = await sql<BookPlacesRow>`
    select * from book_places(${input.sessionId}::uuid,
      ${input.people.map((p) => p.userId)}::uuid[],
      ${input.people.map((p) => p.confidenceBefore)}::smallint[],
      ${input.people.map((p) => p.address)}::text[],
      ${input.baseUrl}::text, ${senderAddress(input.mailFrom)}::text)`.execute(db);
  if (result.rows.length !== input.people.length) {
    throw new Error(`book_places answered ${result.rows.length} rows for ${input.people.length} people`);
  }
  return result.rows;
}

/**
 * Cancels a live booking, with its audit entry and the facts of its email, unless it is already
 * cancelled or `open` is false (the session has started). Returns the booking's status when the
 * statement began and, when this statement cancelled it, what it was.
 */
export async function cancelBookingLocked(
  tx: Tx,
  input: {
    bookingId: string;
    sessionId: string;
    actorId: string;
    open: boolean;
    address: string | null;
    baseUrl: string | null;
    mailFrom: string | null;
  },
): Promise<{ status: BookingStatus; was: BookingStatus | null } | undefined> {
  const result = await sql<{ status: BookingStatus; was: BookingStatus | null }>`
    with target as (select id, status from bookings where id = ${input.bookingId}::uuid),
    cancelled as (
      update bookings b set status = 'cancelled', cancelled_at = clock_timestamp(), updated_at = clock_timestamp()
      from target t
      where b.id = t.id and t.status <> 'cancelled' and ${input.open}::boolean
      returning b.id, b.status, b.user_id, b.updated_at, b.promoted_at, t.status as was
    ),
    audited as (
      insert into audit_events (actor_id, action, subject_type, subject_id, details, address)
      select ${input.actorId}::uuid, case was when 'confirmed' then 'booking_cancelled' else 'waiting_list_left' end,
        'booking', id::text, jsonb_build_object('sessionId', ${input.sessionId}::uuid), ${input.address}::text
      from cancelled
    ),
    queued as (
      insert into outbox_messages (dedupe_key, kind, recipient_email, recipient_id, facts)
      select 'booking_cancelled:' || b.id, 'booking_cancelled', u.email, u.id, ${bookingMessageFacts(input, sql`null::int`, sql`b.was`)}
      from cancelled b
      join users u on u.id = b.user_id and u.status = 'active'
      cross join ${sessionsWithPlaceSql}
      where s.id = ${input.sessionId}::uuid
      on conflict (dedupe_key) do nothing
    )
    select t.status, (select was from cancelled) as was from target t`.execute(tx);
  return result.rows[0];
}

/** What the release page shows about the booking. */
export async function findBookingToRelease(db: Queryable, bookingId: string) {
  return sessionsWithPlace(db)
    .innerJoin('bookings as b', 'b.tasterSessionId', 's.id')
    .select(['b.id', 'b.status', 'b.userId', 's.status as sessionStatus', 's.startsAt', 's.endsAt', 's.isOnline', ...placeColumns])
    .where('b.id', '=', bookingId)
    .executeTakeFirst();
}
