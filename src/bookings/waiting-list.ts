import { sql } from 'kysely';
import { recordAudit } from '../audit/record.ts';
import type { Tx } from '../db/database.ts';
import { queueBookingMessage } from './messages.ts';

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
 */
export async function lockTasterSession(tx: Tx, id: string) {
  await sql`select set_config('lock_timeout', ${LOCK_TIMEOUT}, true)`.execute(tx);
  return tx
    .selectFrom('tasterSessions')
    .select(['id', 'capacity', 'status', 'startsAt', 'bookingClosesAt', 'offerId'])
    .where('id', '=', id)
    .forNoKeyUpdate()
    .executeTakeFirst();
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
 * Gives free places to the longest-waiting people, in waiting order, after any change that frees
 * places (a cancellation, a raised capacity). The caller must already hold the session lock
 * (lockTasterSession) in this transaction, and call this after its own write, so the free places
 * are counted from the state the transaction is about to commit. Returns the bookings promoted,
 * in order. Each promoted person gets one email (with a link when `baseUrl` is given).
 */
export async function fillFreedPlaces(
  tx: Tx,
  sessionId: string,
  actorId: string | null,
  options: { baseUrl?: string } = {},
): Promise<Array<{ bookingId: string; userId: string | null }>> {
  const session = await tx
    .selectFrom('tasterSessions')
    .select(['capacity', 'status', sql<boolean>`starts_at <= now()`.as('started')])
    .where('id', '=', sessionId)
    .executeTakeFirstOrThrow();
  // A cancelled, draft or started session has no place anyone could still take.
  if (session.status !== 'published' || session.started) return [];
  const free = session.capacity - (await countConfirmed(tx, sessionId));
  if (free <= 0) return [];
  const waiting = await tx
    .selectFrom('bookings')
    .select(['id', 'userId'])
    .where('tasterSessionId', '=', sessionId)
    .where('status', '=', 'waitlisted')
    .orderBy('waitlistedAt')
    .orderBy('id')
    .limit(free)
    .execute();
  for (const booking of waiting) {
    // clock_timestamp, not now(): promotions inside one transaction keep their order.
    await tx
      .updateTable('bookings')
      .set({
        status: 'confirmed',
        confirmedAt: sql<Date>`clock_timestamp()`,
        promotedAt: sql<Date>`clock_timestamp()`,
        updatedAt: sql<Date>`clock_timestamp()`,
      })
      .where('id', '=', booking.id)
      .execute();
    await recordAudit(tx, {
      actorId,
      action: 'booking_promoted',
      subjectType: 'booking',
      subjectId: booking.id,
      details: { sessionId, userId: booking.userId },
    });
    await queueBookingMessage(tx, 'booking_promoted', booking.id, options.baseUrl);
  }
  return waiting.map((b) => ({ bookingId: b.id, userId: b.userId }));
}
