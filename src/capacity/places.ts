import type { Tx } from '../db/database.ts';
import { promoteWaitingLocked } from './queries.ts';

/*
 * The capacity rule (DESIGN.md rules 1 and 2), below both taster sessions and bookings: lock the
 * session, count its confirmed places, and fill freed places from the waiting list in the same
 * transaction. Booking, cancelling, raising a capacity and changing a session all come here.
 */

// The lock and the count are statements (queries.ts); callers reach them here, beside the rule they serve.
export { countConfirmed, LOCK_TIMEOUT, lockTasterSession } from './queries.ts';

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
  options: { baseUrl?: string | undefined; mailFrom?: string | undefined } = {},
): Promise<Array<{ bookingId: string; userId: string | null }>> {
  const promoted = await promoteWaitingLocked(tx, { sessionId, actorId, baseUrl: options.baseUrl ?? null, mailFrom: options.mailFrom ?? null });
  return promoted.map((b) => ({ bookingId: b.id, userId: b.userId }));
}
