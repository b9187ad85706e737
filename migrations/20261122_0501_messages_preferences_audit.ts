import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Every message has an HTML version beside its plain text, and may carry files (a booking's
  // .ics). `dispatched_at`: a delivery job exists for it. `delivered_via`: where it went.
  await db.schema
    .alterTable('outbox_messages')
    .addColumn('html_body', 'text')
    .addColumn('attachments', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('dispatched_at', 'timestamptz')
    .addColumn('delivered_via', 'text', (c) => c.check(sql`delivered_via in ('smtp','mailbox')`))
    .execute();
  // The dispatcher reads only messages nobody has picked up yet; this keeps that read small.
  await db.schema.createIndex('outbox_messages_undispatched').on('outbox_messages').column('created_at').where(sql.ref('dispatched_at'), 'is', null).execute();
  // The development mailbox and the tests read newest first.
  await db.schema.createIndex('outbox_messages_created').on('outbox_messages').column('created_at').execute();

  // Optional messages people can turn off. No row: everything on.
  await db.schema
    .createTable('message_preferences')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('reminders', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('feedback_requests', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('referral_prompts', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('digests', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // The audit trail page filters by action and by session (bookings keep their session in details).
  await db.schema.createIndex('audit_events_action').on('audit_events').columns(['action', 'occurred_at']).execute();
  await db.schema.createIndex('audit_events_session').on('audit_events').expression(sql`(details->>'sessionId')`).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_events_session').execute();
  await db.schema.dropIndex('audit_events_action').execute();
  await db.schema.dropTable('message_preferences').execute();
  await db.schema.dropIndex('outbox_messages_created').execute();
  await db.schema.dropIndex('outbox_messages_undispatched').execute();
  await db.schema
    .alterTable('outbox_messages')
    .dropColumn('delivered_via')
    .dropColumn('dispatched_at')
    .dropColumn('attachments')
    .dropColumn('html_body')
    .execute();
}
