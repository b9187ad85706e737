import type { ColumnType, Generated } from 'kysely';

export interface OutboxMessagesTable {
  id: Generated<string>;
  dedupeKey: string;
  kind: string;
  recipientEmail: string;
  recipientId: string | null;
  subject: string;
  textBody: string;
  createdAt: ColumnType<Date, never, never>;
  sentAt: Date | null;
  attempts: Generated<number>;
  lastError: string | null;
}

export type MessageTables = { outboxMessages: OutboxMessagesTable };
