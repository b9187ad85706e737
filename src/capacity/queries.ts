import { type RawBuilder, sql } from 'kysely';
import type { Tx } from '../db/database.ts';
import { sessionFactsJson } from '../messages/queries.ts';
import { sessionsWithPlaceSql } from '../db/sessions-with-place.ts';

/**
 * The facts of an email about a booking (BookingMessageFacts in messages.ts), from the booking row
 * b as changed, its position p (or null), the person u and the session s, o, g, v.
 */
export function bookingMessageFacts(baseUrl: string | null, position: RawBuilder<unknown>) {
  return sql`jsonb_build_object('baseUrl', ${baseUrl}::text, 'name', u.name,
    'booking', jsonb_build_object('id', b.id, 'status', b.status, 'position', ${position}, 'updatedAt', b.updated_at),
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
  input: { sessionId: string; actorId: string | null; baseUrl: string | null },
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
      returning b.id, b.status, b.user_id, b.updated_at, c.turn
    ),
    audited as (
      insert into audit_events (actor_id, action, subject_type, subject_id, details)
      select ${input.actorId}::uuid, 'booking_promoted', 'booking', id::text, jsonb_build_object('sessionId', ${sessionId}::uuid, 'userId', user_id)
      from promoted order by turn
    ),
    queued as (
      insert into outbox_messages (dedupe_key, kind, recipient_email, recipient_id, facts)
      select 'booking_promoted:' || b.id, 'booking_promoted', u.email, u.id, ${bookingMessageFacts(input.baseUrl, sql`null::int`)}
      from promoted b
      join users u on u.id = b.user_id and u.status = 'active'
      cross join ${sessionsWithPlaceSql}
      where s.id = ${sessionId}::uuid
      on conflict (dedupe_key) do nothing
    )
    select id, user_id from promoted order by turn`.execute(tx);
  return result.rows;
}
