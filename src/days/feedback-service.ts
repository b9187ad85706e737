import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Tx } from '../db/database.ts';
import { FEEDBACK_EDITABLE_DAYS, feedbackEditableUntil } from '../feedback/service.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import * as q from './feedback-queries.ts';
import type { DayFeedbackValues, TasterFeedbackValues } from './feedback-schemas.ts';

/**
 * Feedback after a taster day, by the sessions' rules: asked of link workers marked as attending;
 * on the day itself once they were there, on each taster once they were marked at its door; one
 * feedback each (the database holds that rule too); the first welcome at any time, changes for 14
 * days after the day, so the figures in reports settle.
 */
export async function saveDayFeedback(
  tx: Tx,
  actor: Actor,
  registrationId: string,
  target: { choiceId: null; values: DayFeedbackValues } | { choiceId: string; values: TasterFeedbackValues },
  now = new Date(),
): Promise<{ created: boolean }> {
  const registration = await q.lockRegistration(tx, registrationId);
  if (!registration || registration.userId !== actor.id || registration.status !== 'confirmed') throw new NotFoundError();
  if (target.choiceId === null) {
    if (registration.attendance !== 'attended') {
      throw new DomainError('not_attended', 'You can give feedback only on a day you were marked as attending');
    }
  } else {
    const choice = await q.findChoice(tx, target.choiceId);
    if (!choice || choice.registrationId !== registration.id) throw new NotFoundError();
    if (choice.attendance !== 'attended') {
      throw new DomainError('not_attended', 'You can give feedback only on a taster you were marked as trying');
    }
  }
  const existing = await q.findDayFeedback(tx, registration.id, target.choiceId);
  if (existing) {
    const until = feedbackEditableUntil({ endsAt: await q.dayEnd(tx, registration.tasterDayId) });
    if (now > until) throw new DomainError('feedback_closed', `Feedback can only be changed for ${FEEDBACK_EDITABLE_DAYS} days after the day`);
    await q.updateDayFeedback(tx, existing.id, target.values, now);
  } else {
    await q.insertDayFeedback(tx, registration.id, target.choiceId, target.values, now);
  }
  await recordAudit(tx, {
    actorId: actor.id,
    action: existing ? 'day_feedback_changed' : 'day_feedback_given',
    subjectType: target.choiceId ? 'day_taster_choice' : 'day_registration',
    subjectId: target.choiceId ?? registration.id,
    address: actor.address ?? null,
  });
  return { created: !existing };
}
