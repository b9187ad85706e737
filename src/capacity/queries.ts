import { type RawBuilder, sql } from 'kysely';
import type { Tx } from '../db/database.ts';
import { sessionsWithPlaceSql } from '../db/sessions-with-place.ts';
import { noteLockGranted } from '../db/transaction.ts';
import { calendarOrganizer, calendarSequence, sessionFactsJson } from '../messages/queries.ts';

/** How long a booking waits for another to finish with the same session before giving up. */
export const LOCK_TIMEOUT = '5s';

/**
 * Locks one taster session's row for the rest of the transaction. Everything that consumes or
 * frees places takes this lock first, so capacity checks never race (pretix's "lock before you
 * check"). A bounded wait: a busy database answers "try again" rather than queueing for ever.
 * Taking a Transaction (not a Kysely) in the type means it cannot be called outside one.
 * FOR NO KEY UPDATE, not FOR UPDATE: lockers still queue behind each other, but the key-share
 * locks that foreign keys take (every booking row inserted points at this session) do not queue
 * behind the lock holder.
 *
 * Rule 1 also says the lock is held for SQL only: from here to the commit, callers run database
 * statements and nothing else — no template, no calendar file, no hashing, no waiting for anything
 * but the database. Emails are queued as facts (src/bookings/queries.ts) and written after the
 * commit by the delivery worker (src/delivery/render.ts). Booking a place takes the lock inside the
 * database instead (book_place, migration 0806), so no round trip to Node happens while it is held.
 */
export async function lockTasterSession(tx: Tx, id: string) {
  await sql`select set_config('lock_timeout', ${LOCK_TIMEOUT}, true)`.execute(tx);
  const session = await tx
    .selectFrom('tasterSessions')
    .select(['id', 'capacity', 'status', 'startsAt', 'bookingClosesAt', 'offerId'])
    .where('id', '=', id)
    .forNoKeyUpdate()
    .executeTakeFirst();
  noteLockGranted(tx);
  return session;
}

export async function countConfirmed(tx: Tx, sessionId: string): Promise<number> {
  const row = await tx
    .selectFrom('bookings')
    .select(sql<number>`count(*)::int`.as('confirmed'))
    .where('tasterSessionId', '=', sessionId)
    .where('status', '=', 'confirmed')
    // Walk-ins are added at the door after booking closes; they never take one of the booked places.
    .where('isWalkIn', '=', false)
    .executeTakeFirstOrThrow();
  return row.confirmed;
}

/**
 * The facts of an email about a booking (bookingMessageFacts in src/bookings/messages.ts), from the
 * booking row b as changed (with its status, promoted_at and updated_at), its position (or null),
 * what it was before (for a cancellation), the person u and the session s, o, g, v; with what a
 * calendar part needs: the event's SEQUENCE, ORGANIZER (mailFrom when the provider has no contact
 * email) and the person's email for ATTENDEE.
 */
export function bookingMessageFacts(
  context: { baseUrl: string | null; mailFrom: string | null },
  position: RawBuilder<unknown>,
  was: RawBuilder<unknown> = sql`null::text`,
) {
  return sql`jsonb_build_object('baseUrl', ${context.baseUrl}::text, 'name', u.name,
    'email', u.email, 'organizer', ${calendarOrganizer(context.mailFrom)},
    'booking', jsonb_build_object('id', b.id, 'status', b.status, 'position', ${position}, 'updatedAt', b.updated_at,
      'sequence', ${calendarSequence()}, 'was', ${was}),
    'session', ${sessionFactsJson})`;
}

/**
 * Rule 2 in one statement: the free places of a published session that has not started go to the
 * longest-waiting people, in waiting order (waitlisted_at, then id), each with an audit entry and
 * the facts of their email. One statement promotes them all at one clock reading, so each is
 * stamped a microsecond after the one before: promoted_at keeps the waiting order. Returns the
 * bookings promoted, in that order.
 */
export async function promoteWaitingLocked(
  tx: Tx,
  input: { sessionId: string; actorId: string | null; baseUrl: string | null; mailFrom: string | null },
): Promise<Array<{ id: string; userId: string | null }>> {
  const { sessionId } = input;
  const result = await sql<{ id: string; userId: string | null }>`
    with free as (
      select s.capacity - (
        select count(*) from bookings c where c.taster_session_id = s.id and c.status = 'confirmed' and not c.is_walk_in
      ) as places
      from taster_sessions s
      where s.id = ${sessionId}::uuid and s.status = 'published' and s.starts_at > now()
    ),
    chosen as (
      select id, turn from (
        select w.id, row_number() over (order by w.waitlisted_at, w.id) as turn
        from bookings w where w.taster_session_id = ${sessionId}::uuid and w.status = 'waitlisted'
      ) queue
      where turn <= (select places from free)
    ),
    moment as (select clock_timestamp() as at),
    promoted as (
      update bookings b
      set status = 'confirmed', confirmed_at = stamp.at, promoted_at = stamp.at, updated_at = stamp.at
      from chosen c cross join lateral (select moment.at + (c.turn - 1) * interval '1 microsecond' as at from moment) stamp
      where b.id = c.id
      returning b.id, b.status, b.user_id, b.updated_at, b.promoted_at, c.turn
    ),
    audited as (
      insert into audit_events (actor_id, action, subject_type, subject_id, details)
      select ${input.actorId}::uuid, 'booking_promoted', 'booking', id::text, jsonb_build_object('sessionId', ${sessionId}::uuid, 'userId', user_id)
      from promoted order by turn
    ),
    queued as (
      insert into outbox_messages (dedupe_key, kind, recipient_email, recipient_id, facts)
      select 'booking_promoted:' || b.id, 'booking_promoted', u.email, u.id, ${bookingMessageFacts(input, sql`null::int`)}
      from promoted b
      join users u on u.id = b.user_id and u.status = 'active'
      cross join ${sessionsWithPlaceSql}
      where s.id = ${sessionId}::uuid
      on conflict (dedupe_key) do nothing
    )
    select id, user_id from promoted order by turn`.execute(tx);
  return result.rows;
}
