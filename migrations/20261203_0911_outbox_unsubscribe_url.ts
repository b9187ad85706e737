import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // The signed "stop these emails" address of an optional message (reminders, feedback requests,
  // referral questions, digests), sent as its List-Unsubscribe header (RFC 8058). Written with the
  // message, so the header and the footer link are the same address. Null: a message that always goes.
  await db.schema.alterTable('outbox_messages').addColumn('unsubscribe_url', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox_messages').dropColumn('unsubscribe_url').execute();
}
