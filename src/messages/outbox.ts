import type { Queryable } from '../db/database.ts';

export type OutgoingMessage = {
  /** Stable per event, so the same event can never queue the same message twice. */
  dedupeKey: string;
  kind: string;
  to: string;
  recipientId?: string | null;
  subject: string;
  text: string;
};

/** Queues a message in the caller's transaction: it exists only if the change that caused it commits. */
export async function queueMessage(db: Queryable, message: OutgoingMessage): Promise<void> {
  await db
    .insertInto('outboxMessages')
    .values({
      dedupeKey: message.dedupeKey,
      kind: message.kind,
      recipientEmail: message.to,
      recipientId: message.recipientId ?? null,
      subject: message.subject,
      textBody: message.text,
    })
    .onConflict((oc) => oc.column('dedupeKey').doNothing())
    .execute();
}

export async function listRecentMessages(db: Queryable, limit = 50) {
  return db
    .selectFrom('outboxMessages')
    .select(['id', 'recipientEmail', 'subject', 'textBody', 'createdAt', 'kind'])
    .orderBy('createdAt', 'desc')
    .limit(limit)
    .execute();
}
