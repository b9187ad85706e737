import { sql } from 'kysely';
import { recordAudit } from '../audit/record.ts';
import type { Tx } from '../db/database.ts';

/**
 * Locks one taster session's row for the rest of the transaction. Everything that consumes or
 * frees places takes this lock first, so capacity checks never race (pretix's "lock before you
 * check"). A bounded wait: a busy database answers "try again" rather than queueing for ever.
 */
export async function lockTasterSession(tx: Tx, sessionId: string) {
  await sql`set local lock_timeout = '5s'`.execute(tx);
  return tx
    .selectFrom('tasterSessions')
    .select(['id', 'capacity', 'status', 'startsAt', 'bookingClosesAt', 'offerId'])
    .where('id', '=', sessionId)
    .forUpdate()
    .executeTakeFirst();
}

export async function countConfirmed(tx: Tx, sessionId: string): Promise<number> {
  const row = await tx
    .selectFrom('bookings')
    .select(sql<number>`count(*)::int`.as('confirmed'))
    .where('tasterSessionId', '=', sessionId)
    .where('status', '=', 'confirmed')
    .executeTakeFirstOrThrow();
  return row.confirmed;
}

/**
 * Gives free places to the longest-waiting people, in waiting order, after any change that frees
 * places (a cancellation, a raised capacity). The caller must already hold the session lock
 * (lockTasterSession) in this transaction. Returns the bookings promoted, in order.
 */
export async function fillFreedPlaces(
  tx: Tx,
  sessionId: string,
  actorId: string | null,
): Promise<Array<{ bookingId: string; userId: string | null }>> {
  const session = await tx.selectFrom('tasterSessions').select(['capacity', 'status']).where('id', '=', sessionId).executeTakeFirstOrThrow();
  if (session.status !== 'published') return [];
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
  const now = new Date();
  for (const booking of waiting) {
    await tx
      .updateTable('bookings')
      .set({ status: 'confirmed', confirmedAt: now, promotedAt: now, updatedAt: now })
      .where('id', '=', booking.id)
      .execute();
    await recordAudit(tx, {
      actorId,
      action: 'booking_promoted',
      subjectType: 'booking',
      subjectId: booking.id,
      details: { sessionId, userId: booking.userId },
    });
  }
  return waiting.map((b) => ({ bookingId: b.id, userId: b.userId }));
}
