import { sql } from 'kysely';
import type { Tx } from '../db/database.ts';
import { noteLockGranted } from '../db/transaction.ts';
import { promoteWaitingLocked } from './queries.ts';

/*
 * The capacity rule (DESIGN.md rules 1 and 2), below both taster sessions and bookings: lock the
 * session, count its confirmed places, and fill freed places from the waiting list in the same
 * transaction. Booking, cancelling, raising a capacity and changing a session all come here.
 */

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
 * Gives free places to the longest-waiting people, in waiting order, after any change that frees
 * places (a cancellation, a raised capacity): one statement (promoteWaitingLocked). The caller must
 * already hold the session lock (lockTasterSession) in this transaction, and call this after its
 * own write, so the free places are counted from the state the transaction is about to commit.
 * A cancelled, draft or started session has no place anyone could still take. Returns the bookings
 * promoted, in order. Each promoted person gets one email (with a link when `baseUrl` is given).
 */
export async function fillFreedPlaces(
  tx: Tx,
  sessionId: string,
  actorId: string | null,
  options: { baseUrl?: string } = {},
): Promise<Array<{ bookingId: string; userId: string | null }>> {
  const promoted = await promoteWaitingLocked(tx, { sessionId, actorId, baseUrl: options.baseUrl ?? null });
  return promoted.map((b) => ({ bookingId: b.id, userId: b.userId }));
}
