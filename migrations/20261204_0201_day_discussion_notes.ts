import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
//
// What the room said at a taster day (issue 15, item 7): the discussion's barriers, opportunities
// and topics for further work, by group. Organisers record them; participants with a place add to
// them for a week after the day. The note keeps the role its author had when writing it (shown and
// exported instead of a name, so a note never identifies anyone); author_id is only for the
// person's own data and goes with their account.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('day_discussion_notes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('taster_day_id', 'uuid', (c) => c.notNull().references('taster_days.id').onDelete('cascade'))
    .addColumn('group_name', 'text', (c) => c.notNull().check(sql`char_length(group_name) between 1 and 60`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('barrier','opportunity','topic')`))
    .addColumn('text', 'text', (c) => c.notNull().check(sql`char_length(text) between 1 and 1000`))
    .addColumn('author_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('author_role', 'text', (c) => c.notNull().check(sql`author_role in ('organiser','link_worker','cultural')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('day_discussion_notes_day').on('day_discussion_notes').columns(['taster_day_id', 'group_name', 'kind', 'created_at']).execute();
  await db.schema.createIndex('day_discussion_notes_author').on('day_discussion_notes').column('author_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('day_discussion_notes').execute();
}
