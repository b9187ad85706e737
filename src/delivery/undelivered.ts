import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Queryable, Tx } from '../db/database.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { countGivenUpAfter, listRefusedMessages, lockMessage, markForDispatchAgain } from './queries.ts';
import { NOT_WRITTEN } from './render.ts';
import { DEFAULT_RETRY } from './worker.ts';

/**
 * The delivery job stops after its first attempt and DEFAULT_RETRY.limit retries (about a day and
 * a half of backoff). From then on the email waits for a coordinator, rather than arriving days
 * late on its own: a reminder for a session already past would only confuse.
 */
export const GIVE_UP_AFTER = DEFAULT_RETRY.limit + 1;

/** Emails the mail server has refused at least once and that have not gone since, newest first. */
export async function listUndelivered(db: Queryable, limit = 100) {
  const rows = await listRefusedMessages(db, limit);
  return rows.map((row) => ({ ...row, subject: row.subject ?? NOT_WRITTEN, givenUp: row.attempts >= GIVE_UP_AFTER, waitingToGo: row.dispatchedAt === null }));
}

/** How many emails are waiting for a coordinator to send them again. */
export async function countGivenUp(db: Queryable): Promise<number> {
  return countGivenUpAfter(db, GIVE_UP_AFTER);
}

/**
 * Hands an email the automatic attempts gave up on back to the delivery worker. Clearing
 * dispatched_at makes the next dispatch pass pick it up; that pass revives the stopped job (or
 * makes a new one, if pg-boss has since deleted it), so the same Message-ID is used again.
 */
export async function sendAgain(tx: Tx, actor: Actor, messageId: string): Promise<void> {
  const message = await lockMessage(tx, messageId);
  if (!message) throw new NotFoundError();
  if (message.sentAt) throw new DomainError('already_sent', 'This email has been delivered since the page was shown. Nothing more needs doing');
  if (message.dispatchedAt === null) return; // already handed back, and not yet picked up: one click is enough
  if (message.attempts < GIVE_UP_AFTER) {
    throw new DomainError('still_trying', 'This email is still being tried automatically. It can be sent again by hand once the automatic attempts stop');
  }
  await markForDispatchAgain(tx, messageId);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'message_sent_again',
    subjectType: 'message',
    subjectId: messageId,
    details: { kind: message.kind, attempts: message.attempts },
    address: actor.address ?? null,
  });
}
