import type { ActorInRole } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Queryable, Tx } from '../db/database.ts';
import { findPreferences, savePreferenceRow } from './queries.ts';
import { messagesFor, type OptionalMessage, type Preferences } from './schemas.ts';

const everythingOn: Preferences = { reminders: true, feedbackRequests: true, referralPrompts: true, digests: true };

export async function getPreferences(db: Queryable, userId: string): Promise<Preferences> {
  const row = await findPreferences(db, userId);
  return row ?? everythingOn;
}

/**
 * Saves the choices that apply to the person's role; the others are left as they were. Essential
 * messages (invitations, confirmations, password resets, booking changes and cancellations) are not
 * choices at all: they always go.
 */
export async function savePreferences(
  tx: Tx,
  actor: Pick<ActorInRole, 'id' | 'role' | 'address'>,
  submitted: Preferences,
  options: { via?: 'email_link' } = {},
): Promise<Preferences> {
  const current = await getPreferences(tx, actor.id);
  const applicable = messagesFor[actor.role];
  const next: Preferences = { ...current };
  for (const choice of applicable) next[choice] = submitted[choice];
  const changed = applicable.filter((choice) => next[choice] !== current[choice]);
  if (changed.length === 0) return current;
  await savePreferenceRow(tx, actor.id, next);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'message_preferences_changed',
    subjectType: 'user',
    subjectId: actor.id,
    details: { ...Object.fromEntries(changed.map((choice: OptionalMessage) => [choice, next[choice]])), ...(options.via ? { via: options.via } : {}) },
    address: actor.address ?? null,
  });
  return next;
}
