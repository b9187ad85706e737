import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('venues')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('restrict'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('address_line_1', 'text', (c) => c.notNull())
    .addColumn('address_line_2', 'text')
    .addColumn('town', 'text', (c) => c.notNull())
    .addColumn('postcode', 'text', (c) => c.notNull())
    .addColumn('latitude', 'double precision')
    .addColumn('longitude', 'double precision')
    .addColumn('step_free', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('accessible_toilet', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('hearing_loop', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('seating', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('parking', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('quiet_space', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('travel_notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('access_notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('archived_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('venues_coordinates_together', sql`(latitude is null) = (longitude is null)`)
    .execute();
  await db.schema.createIndex('venues_organisation').on('venues').column('organisation_id').execute();

  await db.schema
    .createTable('offers')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('restrict'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`category in ('dance_movement','singing_music','arts_crafts','drawing_painting','reading_writing','heritage_museums','gardening_nature','volunteering','wellbeing_mindfulness','other')`,
        ),
    )
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('suits', 'text', (c) => c.notNull().defaultTo(''))
    // The usual schedule, structured so it can be published as an Open Referral UK schedule.
    .addColumn('schedule_frequency', 'text', (c) => c.check(sql`schedule_frequency in ('weekly','fortnightly','monthly')`))
    .addColumn('schedule_days', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('schedule_week_of_month', 'integer', (c) => c.check(sql`schedule_week_of_month between -1 and 5 and schedule_week_of_month <> 0`))
    .addColumn('schedule_start_time', 'time')
    .addColumn('schedule_end_time', 'time')
    .addColumn('schedule_note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('usual_venue_id', 'uuid', (c) => c.references('venues.id').onDelete('set null'))
    .addColumn('is_free', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('cost_amount', sql`numeric(8,2)`)
    .addColumn('cost_note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('how_to_refer', 'text', (c) => c.notNull())
    .addColumn('referral_email', 'text')
    .addColumn('referral_phone', 'text')
    .addColumn('min_age', 'integer', (c) => c.check(sql`min_age between 0 and 120`))
    .addColumn('max_age', 'integer', (c) => c.check(sql`max_age between 0 and 120`))
    .addColumn('volunteering_requirements', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active','archived')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('offers_ages_in_order', sql`min_age is null or max_age is null or min_age <= max_age`)
    .addCheckConstraint('offers_times_in_order', sql`schedule_start_time is null or schedule_end_time is null or schedule_start_time < schedule_end_time`)
    .addCheckConstraint('offers_cost_when_charged', sql`is_free or cost_amount is not null or cost_note <> ''`)
    .execute();
  await db.schema.createIndex('offers_organisation').on('offers').column('organisation_id').execute();
  await db.schema.createIndex('offers_updated').on('offers').column('updated_at').execute();

  await db.schema
    .createTable('taster_sessions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('offer_id', 'uuid', (c) => c.notNull().references('offers.id').onDelete('restrict'))
    .addColumn('venue_id', 'uuid', (c) => c.references('venues.id').onDelete('restrict'))
    .addColumn('is_online', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('joining_instructions', 'text')
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull().check(sql`capacity between 1 and 1000`))
    .addColumn('booking_closes_at', 'timestamptz', (c) => c.notNull())
    .addColumn('what_to_bring', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('access_notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('facilitator_note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft','published','cancelled')`))
    .addColumn('cancellation_reason', 'text')
    .addColumn('series_id', 'uuid')
    .addColumn('published_at', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('taster_sessions_ends_after_start', sql`ends_at > starts_at`)
    .addCheckConstraint('taster_sessions_closes_by_start', sql`booking_closes_at <= starts_at`)
    .addCheckConstraint('taster_sessions_has_place', sql`is_online or venue_id is not null`)
    .addCheckConstraint('taster_sessions_cancel_reason', sql`status <> 'cancelled' or cancellation_reason is not null`)
    .execute();
  await db.schema.createIndex('taster_sessions_upcoming').on('taster_sessions').columns(['status', 'starts_at']).execute();
  await db.schema.createIndex('taster_sessions_offer').on('taster_sessions').columns(['offer_id', 'starts_at']).execute();
  await db.schema.createIndex('taster_sessions_venue').on('taster_sessions').column('venue_id').execute();
  await db.schema.createIndex('taster_sessions_series').on('taster_sessions').column('series_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('taster_sessions').execute();
  await db.schema.dropTable('offers').execute();
  await db.schema.dropTable('venues').execute();
}
