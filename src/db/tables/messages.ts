import type { ColumnType, Generated } from 'kysely';

/** A file sent with a message, kept as text (an .ics is text). */
export type MessageAttachment = { filename: string; contentType: string; content: string };

export type DeliveredVia = 'smtp' | 'mailbox';

export interface OutboxMessagesTable {
  id: Generated<string>;
  dedupeKey: string;
  kind: string;
  recipientEmail: string;
  recipientId: string | null;
  /** Null until the message is written: see `facts`. */
  subject: string | null;
  textBody: string | null;
  htmlBody: string | null;
  /**
   * What a message about a booking or a session needs, as it was at the change, for the delivery
   * worker to write the message from (src/messages/render.ts). Null for messages written when queued.
   */
  facts: ColumnType<unknown, never, never>;
  attachments: ColumnType<MessageAttachment[], string | undefined, string>;
  /**
   * The signed address that switches this kind of email off for its recipient (src/preferences/
   * unsubscribe.ts), sent as List-Unsubscribe. Only optional emails have one.
   */
  unsubscribeUrl: string | null;
  createdAt: ColumnType<Date, never, never>;
  /** A delivery job exists for this message (src/messages/worker.ts). */
  dispatchedAt: Date | null;
  /** Set only once the SMTP server accepted the message (or, with no SMTP, it reached the mailbox). */
  sentAt: Date | null;
  deliveredVia: DeliveredVia | null;
  attempts: Generated<number>;
  lastError: string | null;
}

export type MessageTables = { outboxMessages: OutboxMessagesTable };
