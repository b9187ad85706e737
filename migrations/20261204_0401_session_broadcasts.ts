import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
//
// Messages a provider sends to everyone booked (or everyone waiting) on a taster session (issue 16,
// item 5). Each is kept here as it was written, with who sent it, to whom and how many people it
// reached: the session's page lists them (its history of messages), and the rate limit per session
// is counted from these rows (never a stored counter). The emails themselves go through the outbox.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('session_broadcasts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('taster_session_id', 'uuid', (c) => c.notNull().references('taster_sessions.id').onDelete('cascade'))
    .addColumn('audience', 'text', (c) => c.notNull().check(sql`audience in ('booked', 'waiting')`))
    .addColumn('body', 'text', (c) => c.notNull().check(sql`length(body) between 1 and 2000`))
    .addColumn('recipients', 'integer', (c) => c.notNull().check(sql`recipients > 0`))
    .addColumn('sent_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('session_broadcasts_session').on('session_broadcasts').columns(['taster_session_id', 'sent_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('session_broadcasts').execute();
}
