import type { Queryable } from '../db/database.ts';
import type { MessageAttachment } from '../db/tables/messages.ts';
import { htmlFromText } from './compose.ts';
import { insertOutboxMessage } from './queries.ts';

// Statements, in queries.ts; the mailbox and account routes still reach them by this module.
export { findMessage, findMessageByDedupeKey, listRecentMessages } from './queries.ts';

export type OutgoingMessage = {
  /** Stable per event, so the same event can never queue the same message twice. */
  dedupeKey: string;
  kind: string;
  to: string;
  recipientId?: string | null;
  subject: string;
  text: string;
  /** Simple HTML beside the text; made from the text when not given. */
  html?: string;
  attachments?: MessageAttachment[];
  /** For an optional email only: the signed link that switches it off (List-Unsubscribe). */
  unsubscribeUrl?: string | null;
};

/**
 * Queues a message in the caller's transaction: it exists only if the change that caused it
 * commits. A second message with the same dedupe key is ignored, so retrying a transaction, or
 * running a scheduled job twice, never sends anything twice. Returns whether it was queued now.
 */
export async function queueMessage(db: Queryable, message: OutgoingMessage): Promise<boolean> {
  const inserted = await insertOutboxMessage(db, {
    dedupeKey: message.dedupeKey,
    kind: message.kind,
    recipientEmail: message.to,
    recipientId: message.recipientId ?? null,
    subject: message.subject,
    textBody: message.text,
    htmlBody: message.html ?? htmlFromText(message.subject, message.text),
    attachments: message.attachments ?? [],
    unsubscribeUrl: message.unsubscribeUrl ?? null,
  });
  return inserted !== undefined;
}
