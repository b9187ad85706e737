import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // A message about a booking or a session is queued while the session's row lock is held. So that
  // the lock is held for SQL only, such a message is queued as the facts it needs (as they were at
  // the change) and written later, once, by the delivery worker, which then stores the text here.
  // Until then subject and bodies are empty; a row always has one or the other.
  await db.schema
    .alterTable('outbox_messages')
    .addColumn('facts', 'jsonb')
    .alterColumn('subject', (c) => c.dropNotNull())
    .alterColumn('text_body', (c) => c.dropNotNull())
    .execute();
  await db.schema
    .alterTable('outbox_messages')
    .addCheckConstraint('outbox_messages_written_or_facts', sql`(subject is null) = (text_body is null) and (text_body is not null or facts is not null)`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // Messages not yet written have no text to keep: going down with some waiting fails here
  // (not null), rather than dropping them silently. Deliver them first.
  await db.schema.alterTable('outbox_messages').dropConstraint('outbox_messages_written_or_facts').execute();
  await db.schema
    .alterTable('outbox_messages')
    .alterColumn('text_body', (c) => c.setNotNull())
    .alterColumn('subject', (c) => c.setNotNull())
    .dropColumn('facts')
    .execute();
}
