import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // The register of a session is "complete" once someone at the door says so.
  await db.schema
    .alterTable('taster_sessions')
    .addColumn('register_completed_at', 'timestamptz')
    .addColumn('register_completed_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  // Attendance and feedback reports read bookings by what happened at the door.
  await db.schema.createIndex('bookings_session_attendance').on('bookings').columns(['taster_session_id', 'attendance']).execute();

  // One feedback per attended booking: the unique booking_id is the rule, not a convention.
  // A five-As answer of "don't know" is stored as null.
  await db.schema
    .createTable('feedback')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('booking_id', 'uuid', (c) => c.notNull().unique().references('bookings.id').onDelete('cascade'))
    .addColumn('confidence_after', 'smallint', (c) => c.notNull().check(sql`confidence_after between 0 and 10`))
    .addColumn('rating', 'smallint', (c) => c.notNull().check(sql`rating between 1 and 5`))
    .addColumn('accessible', 'smallint', (c) => c.check(sql`accessible between 1 and 5`))
    .addColumn('appropriate', 'smallint', (c) => c.check(sql`appropriate between 1 and 5`))
    .addColumn('adequate', 'smallint', (c) => c.check(sql`adequate between 1 and 5`))
    .addColumn('affordable', 'smallint', (c) => c.check(sql`affordable between 1 and 5`))
    .addColumn('available', 'smallint', (c) => c.check(sql`available between 1 and 5`))
    .addColumn('intends_to_refer', 'text', (c) => c.notNull().check(sql`intends_to_refer in ('yes','maybe','no')`))
    .addColumn('referring_easier', 'text')
    .addColumn('comments', 'text')
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // What got in the way, asked (optionally) of people marked "did not attend".
  await db.schema
    .createTable('missed_session_reasons')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('booking_id', 'uuid', (c) => c.notNull().unique().references('bookings.id').onDelete('cascade'))
    .addColumn('reason', 'text', (c) => c.check(sql`reason in ('work','unwell','travel','forgot','other')`))
    .addColumn('details', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('missed_session_reasons_something', sql`reason is not null or details is not null`)
    .execute();

  // Counts only, never patient details. One row per link worker, offer and month: recording the
  // same month again replaces the count. An erased account leaves the count, without a person.
  await db.schema
    .createTable('referral_reports')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('offer_id', 'uuid', (c) => c.notNull().references('offers.id').onDelete('restrict'))
    .addColumn('month', 'date', (c) => c.notNull().check(sql`extract(day from month) = 1 and month >= date '2020-01-01'`))
    .addColumn('referral_count', 'integer', (c) => c.notNull().check(sql`referral_count between 1 and 500`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('referral_reports_one_per_month').on('referral_reports').columns(['user_id', 'offer_id', 'month']).unique().execute();
  await db.schema.createIndex('referral_reports_offer_month').on('referral_reports').columns(['offer_id', 'month']).execute();
  await db.schema.createIndex('referral_reports_month').on('referral_reports').columns(['month', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('referral_reports').execute();
  await db.schema.dropTable('missed_session_reasons').execute();
  await db.schema.dropTable('feedback').execute();
  await db.schema.dropIndex('bookings_session_attendance').execute();
  await db.schema.alterTable('taster_sessions').dropColumn('register_completed_by').dropColumn('register_completed_at').execute();
}
