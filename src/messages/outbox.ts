import type { Queryable } from '../db/database.ts';
import { htmlFromText } from './compose.ts';
import type { MessageAttachment } from '../db/tables/messages.ts';

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
};

/**
 * Queues a message in the caller's transaction: it exists only if the change that caused it
 * commits. A second message with the same dedupe key is ignored, so retrying a transaction, or
 * running a scheduled job twice, never sends anything twice. Returns whether it was queued now.
 */
export async function queueMessage(db: Queryable, message: OutgoingMessage): Promise<boolean> {
  const inserted = await db
    .insertInto('outboxMessages')
    .values({
      dedupeKey: message.dedupeKey,
      kind: message.kind,
      recipientEmail: message.to,
      recipientId: message.recipientId ?? null,
      subject: message.subject,
      textBody: message.text,
      htmlBody: message.html ?? htmlFromText(message.subject, message.text),
      attachments: JSON.stringify(message.attachments ?? []),
    })
    .onConflict((oc) => oc.column('dedupeKey').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

const listColumns = [
  'id',
  'kind',
  'recipientEmail',
  'subject',
  'textBody',
  'createdAt',
  'sentAt',
  'deliveredVia',
  'attempts',
  'lastError',
  'attachments',
] as const;

/** The newest messages, for the development mailbox; `to` narrows them to one address. */
export async function listRecentMessages(db: Queryable, options: { limit?: number; to?: string } = {}) {
  let query = db.selectFrom('outboxMessages').select([...listColumns]);
  if (options.to) query = query.where('recipientEmail', '=', options.to.toLowerCase());
  return query
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit ?? 50)
    .execute();
}

export async function findMessage(db: Queryable, id: string) {
  return db.selectFrom('outboxMessages').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findMessageByDedupeKey(db: Queryable, dedupeKey: string) {
  return db.selectFrom('outboxMessages').selectAll().where('dedupeKey', '=', dedupeKey).executeTakeFirst();
}
