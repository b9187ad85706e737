import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
//
// Taster days, afterwards (issue 15, item 8) and provider staff's proposals (item 1).
//
// Feedback on a day: one row for the day as a whole (day_taster_choice_id null) and one for each
// taster the person tried, with the same questions as after a session. A day's registration asks
// nothing about confidence, so both "before" and "after" are asked in the feedback itself.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('day_feedback')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('registration_id', 'uuid', (c) => c.notNull().references('day_registrations.id').onDelete('cascade'))
    .addColumn('day_taster_choice_id', 'uuid', (c) => c.references('day_taster_choices.id').onDelete('cascade'))
    .addColumn('confidence_before', 'smallint', (c) => c.notNull().check(sql`confidence_before between 0 and 10`))
    .addColumn('confidence_after', 'smallint', (c) => c.notNull().check(sql`confidence_after between 0 and 10`))
    .addColumn('rating', 'smallint', (c) => c.notNull().check(sql`rating between 1 and 5`))
    .addColumn('accessible', 'smallint', (c) => c.check(sql`accessible between 1 and 5`))
    .addColumn('appropriate', 'smallint', (c) => c.check(sql`appropriate between 1 and 5`))
    .addColumn('adequate', 'smallint', (c) => c.check(sql`adequate between 1 and 5`))
    .addColumn('affordable', 'smallint', (c) => c.check(sql`affordable between 1 and 5`))
    .addColumn('available', 'smallint', (c) => c.check(sql`available between 1 and 5`))
    .addColumn('intends_to_refer', 'text', (c) => c.check(sql`intends_to_refer in ('yes','maybe','no')`))
    .addColumn('referring_easier', 'text')
    .addColumn('comments', 'text')
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // A taster's feedback says whether they mean to refer; the day's as a whole need not.
    .addCheckConstraint('day_feedback_taster_intends', sql`day_taster_choice_id is null or intends_to_refer is not null`)
    .execute();
  // One feedback on the day per registration, and one per taster tried: the rule, not a convention.
  await db.schema
    .createIndex('day_feedback_one_per_day')
    .on('day_feedback')
    .column('registration_id')
    .unique()
    .where(sql.ref('day_taster_choice_id'), 'is', null)
    .execute();
  await db.schema.createIndex('day_feedback_one_per_taster').on('day_feedback').column('day_taster_choice_id').unique().execute();

  // A day proposed by provider staff: when it was sent for approval, and the latest return with
  // its reason (shown to the proposer). Approval itself is taster_days.approved_by/approved_at.
  await db.schema
    .createTable('day_proposals')
    .addColumn('taster_day_id', 'uuid', (c) => c.primaryKey().references('taster_days.id').onDelete('cascade'))
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('returned_at', 'timestamptz')
    .addColumn('returned_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('return_reason', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('day_proposals_waiting').on('day_proposals').column('submitted_at').execute();
  // Proposals are listed by organisation.
  await db.schema.createIndex('taster_days_organisation').on('taster_days').columns(['organisation_id', 'starts_at']).execute();
  // The reports read tasters by organisation and by offer.
  await db.schema.createIndex('day_tasters_offer').on('day_tasters').column('offer_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('day_tasters_offer').execute();
  await db.schema.dropIndex('taster_days_organisation').execute();
  await db.schema.dropTable('day_proposals').execute();
  await db.schema.dropTable('day_feedback').execute();
}
