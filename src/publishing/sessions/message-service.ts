import { randomUUID } from 'node:crypto';
import type { ActorInRole } from '../../audit/actor.ts';
import { recordAudit } from '../../audit/record.ts';
import { lockTasterSession } from '../../capacity/places.ts';
import type { Tx } from '../../db/database.ts';
import { DomainError, NotFoundError } from '../../lib/errors.ts';
import { viewHelpers } from '../../lib/view-helpers.ts';
import { assertManages } from '../organisations/access.ts';
import { broadcastsSince, insertBroadcast, insertBroadcastMessages } from './message-queries.ts';
import type { SessionMessage } from './message-schemas.ts';
import { sessionOwner } from './queries.ts';

/**
 * At most this many messages about one session in any 24 hours (both audiences together): enough
 * for "the room has changed", "running late" and "thank you for coming", not enough to become a
 * mailing list. Counted from the messages stored, so every instance agrees.
 */
export const MESSAGES_PER_SESSION = 3;
export const MESSAGE_WINDOW_HOURS = 24;

/**
 * Sends the provider's plain-text message to everyone with a place on a session, or everyone
 * waiting, through the outbox, with its audit entry and its place in the session's history. The
 * session's row lock makes the limit exact when two people send at once; it is held for statements
 * only (the delivery worker writes the emails).
 */
export async function sendSessionMessage(
  tx: Tx,
  actor: ActorInRole,
  sessionId: string,
  input: SessionMessage,
  options: { now?: Date; baseUrl?: string | undefined } = {},
): Promise<{ recipients: number }> {
  const now = options.now ?? new Date();
  const owner = await sessionOwner(tx, sessionId);
  if (!owner) throw new NotFoundError();
  assertManages(actor, owner.organisationId);
  await lockTasterSession(tx, sessionId);
  const windowStart = new Date(now.getTime() - MESSAGE_WINDOW_HOURS * 3_600_000);
  const recent = await broadcastsSince(tx, sessionId, windowStart);
  if (recent.sent >= MESSAGES_PER_SESSION) {
    const next = new Date(new Date(recent.oldest ?? now).getTime() + MESSAGE_WINDOW_HOURS * 3_600_000);
    throw new DomainError(
      'message_limit_reached',
      `You have sent ${MESSAGES_PER_SESSION} messages about this session in the last ${MESSAGE_WINDOW_HOURS} hours. You can send another from ${viewHelpers.dateTime(next)}`,
      'message',
    );
  }
  const broadcastId = randomUUID();
  const recipients = await insertBroadcastMessages(tx, {
    broadcastId,
    sessionId,
    audience: input.audience,
    body: input.message,
    baseUrl: options.baseUrl ?? null,
  });
  if (recipients === 0) {
    throw new DomainError(
      'nobody_to_message',
      input.audience === 'booked'
        ? 'Nobody has a place on this session, so there is nobody to send it to'
        : 'Nobody is on the waiting list, so there is nobody to send it to',
      'audience',
    );
  }
  await insertBroadcast(tx, { id: broadcastId, sessionId, audience: input.audience, body: input.message, recipients, sentBy: actor.id });
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'session_message_sent',
    subjectType: 'taster_session',
    subjectId: sessionId,
    details: { broadcastId, audience: input.audience, recipients },
    address: actor.address ?? null,
  });
  return { recipients };
}
