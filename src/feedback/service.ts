import { DateTime } from 'luxon';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Tx } from '../db/database.ts';
import type { MissedReason } from '../db/tables/feedback.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import * as q from './queries.ts';
import type { FeedbackValues } from './schemas.ts';

/** Feedback can be changed for this many days after the session ends. */
export const FEEDBACK_EDITABLE_DAYS = 14;

export function feedbackEditableUntil(session: { endsAt: Date }): Date {
  return DateTime.fromJSDate(session.endsAt, { zone: 'Europe/London' }).plus({ days: FEEDBACK_EDITABLE_DAYS }).toJSDate();
}

/** A booking belongs to one person; to anyone else it does not exist. */
export function assertOwnBooking(booking: { userId: string | null } | undefined, userId: string): asserts booking {
  if (!booking || booking.userId !== userId) throw new NotFoundError();
}

/**
 * Saves a person's feedback on a taster they attended. One per booking (the database holds the
 * rule too). The first feedback is welcome at any time; changing it is allowed for 14 days after
 * the session, so the figures in reports settle.
 */
export async function saveFeedback(tx: Tx, actor: Actor, bookingId: string, values: FeedbackValues, now = new Date()) {
  // The row lock makes a double click's two posts take turns: the second one finds the first.
  const booking = await q.lockBooking(tx, bookingId);
  assertOwnBooking(booking, actor.id);
  if (booking.attendance !== 'attended') {
    throw new DomainError('not_attended', 'You can give feedback only on a taster you were marked as attending');
  }
  const session = await q.findSessionEndOfBooking(tx, bookingId);
  const existing = await q.findFeedback(tx, bookingId);
  if (existing) {
    if (now > feedbackEditableUntil(session)) {
      throw new DomainError('feedback_closed', `Feedback can only be changed for ${FEEDBACK_EDITABLE_DAYS} days after the taster`);
    }
    await q.updateFeedback(tx, existing.id, values, now);
  } else {
    await q.insertFeedback(tx, bookingId, values, now);
  }
  await recordAudit(tx, {
    actorId: actor.id,
    action: existing ? 'feedback_changed' : 'feedback_given',
    subjectType: 'booking',
    subjectId: bookingId,
    address: actor.address ?? null,
  });
  return { created: !existing };
}

/** What got in the way, from someone marked "did not attend". Optional, and can be changed. */
export async function saveMissedReason(
  tx: Tx,
  actor: Actor,
  bookingId: string,
  values: { reason: MissedReason | null; details: string | null },
  now = new Date(),
) {
  const booking = await q.lockBooking(tx, bookingId);
  assertOwnBooking(booking, actor.id);
  if (booking.attendance !== 'no_show') {
    throw new DomainError('not_missed', 'This question is only for tasters you were marked as not attending');
  }
  const existing = await q.findMissedReason(tx, bookingId);
  if (existing) {
    await q.updateMissedReason(tx, existing.id, values, now);
  } else {
    await q.insertMissedReason(tx, bookingId, values, now);
  }
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'missed_reason_given',
    subjectType: 'booking',
    subjectId: bookingId,
    address: actor.address ?? null,
  });
}
