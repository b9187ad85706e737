import { type RawBuilder, sql } from 'kysely';
import type { Tx } from '../db/database.ts';
import { noteLockGranted } from '../db/transaction.ts';
import { calendarOrganizer, calendarSequence, senderAddress, sessionFactsJson } from '../messages/queries.ts';

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
 * the facts of their email. A place held for a PCN (until its release) goes only to someone of that
 * PCN; the others take general places in waiting order (promote_waiting, migration 20261204_0501,
 * which book_place calls too). One statement promotes them all at one clock reading, so each is
 * stamped a microsecond after the one before: promoted_at keeps the waiting order. Returns the
 * bookings promoted, in that order.
 */
export async function promoteWaitingLocked(
  tx: Tx,
  input: { sessionId: string; actorId: string | null; baseUrl: string | null; mailFrom: string | null },
): Promise<Array<{ id: string; userId: string | null }>> {
  const result = await sql<{ id: string; userId: string | null }>`
    select booking_id as id, user_id from promote_waiting(${input.sessionId}::uuid, ${input.actorId}::uuid, ${input.baseUrl}::text,
      ${senderAddress(input.mailFrom)}::text)`.execute(tx);
  return result.rows;
}
