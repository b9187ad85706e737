import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
//
// Taster days (issue 15): a day with a programme — items for everyone (a welcome, a talk, group
// discussions) and slots in which several tasters run side by side — for two audiences, link
// workers and cultural-sector staff, each with its own places and waiting list.
//
// Designed for the whole issue, so later parts add rows, not reshapes: a day proposed by provider
// staff has its organisation and waits for a coordinator's approval (approved_by/approved_at);
// attendance columns are ready for the door registers (item 6); share_email for contacts after the
// day (item 5); a taster may name the offer behind it, for feedback and referral prompts (item 8).
//
// Places are never a stored counter: they are counted from live rows under the day's row lock.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('taster_days')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('venue_id', 'uuid', (c) => c.notNull().references('venues.id').onDelete('restrict'))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('booking_closes_at', 'timestamptz', (c) => c.notNull())
    .addColumn('link_worker_places', 'integer', (c) => c.notNull().check(sql`link_worker_places between 0 and 1000`))
    .addColumn('cultural_places', 'integer', (c) => c.notNull().check(sql`cultural_places between 0 and 1000`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft','published','cancelled')`))
    // A day proposed by provider staff names their organisation; a coordinator's day has none.
    .addColumn('organisation_id', 'uuid', (c) => c.references('organisations.id').onDelete('restrict'))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('approved_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('approved_at', 'timestamptz')
    .addColumn('published_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('taster_days_ends_after_start', sql`ends_at > starts_at`)
    .addCheckConstraint('taster_days_closes_before_start', sql`booking_closes_at <= starts_at`)
    .execute();
  await db.schema.createIndex('taster_days_starts').on('taster_days').columns(['status', 'starts_at']).execute();

  await db.schema
    .createTable('day_programme_items')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('taster_day_id', 'uuid', (c) => c.notNull().references('taster_days.id').onDelete('cascade'))
    // 'plenary': for everyone; 'slot': several tasters side by side, one chosen per person.
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('plenary','slot')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('day_programme_items_ends_after_start', sql`ends_at > starts_at`)
    .execute();
  await db.schema.createIndex('day_programme_items_day').on('day_programme_items').columns(['taster_day_id', 'starts_at']).execute();

  await db.schema
    .createTable('day_tasters')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('programme_item_id', 'uuid', (c) => c.notNull().references('day_programme_items.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('restrict'))
    .addColumn('offer_id', 'uuid', (c) => c.references('offers.id').onDelete('set null'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('capacity', 'integer', (c) => c.notNull().check(sql`capacity between 1 and 1000`))
    .addColumn('room', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('what_to_bring', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('day_tasters_item').on('day_tasters').column('programme_item_id').execute();

  await db.schema
    .createTable('day_registrations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('taster_day_id', 'uuid', (c) => c.notNull().references('taster_days.id').onDelete('restrict'))
    // Null only after the person's account has been erased: the row stays as an anonymous count.
    .addColumn('user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('audience', 'text', (c) => c.notNull().check(sql`audience in ('link_worker','cultural')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('confirmed','waitlisted','cancelled')`))
    .addColumn('waitlisted_at', 'timestamptz')
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('promoted_at', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    // Asked once, shown only to the day's organisers, cleared by the retention run after the day.
    .addColumn('access_needs', 'text')
    .addColumn('dietary_needs', 'text')
    .addColumn('needs_removed_at', 'timestamptz')
    .addColumn('on_participant_list', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('share_email', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('attendance', 'text', (c) => c.check(sql`attendance in ('attended','no_show')`))
    .addColumn('attendance_recorded_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('day_registrations_waitlisted_has_time', sql`status <> 'waitlisted' or waitlisted_at is not null`)
    .addCheckConstraint('day_registrations_confirmed_has_time', sql`status <> 'confirmed' or confirmed_at is not null`)
    .execute();
  // One live registration per person per day; cancelled rows are left out, so registering again works.
  await db.schema
    .createIndex('day_registrations_one_live_per_person')
    .on('day_registrations')
    .columns(['taster_day_id', 'user_id'])
    .unique()
    .where(sql.ref('status'), '<>', 'cancelled')
    .execute();
  await db.schema
    .createIndex('day_registrations_day_status')
    .on('day_registrations')
    .columns(['taster_day_id', 'audience', 'status', 'waitlisted_at'])
    .execute();
  await db.schema.createIndex('day_registrations_user').on('day_registrations').columns(['user_id', 'status']).execute();

  await db.schema
    .createTable('day_taster_choices')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('registration_id', 'uuid', (c) => c.notNull().references('day_registrations.id').onDelete('cascade'))
    .addColumn('day_taster_id', 'uuid', (c) => c.notNull().references('day_tasters.id').onDelete('restrict'))
    // The slot, kept beside the taster so the database itself refuses two choices in one slot.
    .addColumn('programme_item_id', 'uuid', (c) => c.notNull().references('day_programme_items.id').onDelete('restrict'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('confirmed','waitlisted','cancelled')`))
    .addColumn('waitlisted_at', 'timestamptz')
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('promoted_at', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('attendance', 'text', (c) => c.check(sql`attendance in ('attended','no_show')`))
    .addColumn('attendance_recorded_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('day_taster_choices_waitlisted_has_time', sql`status <> 'waitlisted' or waitlisted_at is not null`)
    .addCheckConstraint('day_taster_choices_confirmed_has_time', sql`status <> 'confirmed' or confirmed_at is not null`)
    .execute();
  // One taster per slot per person: choices never overlap.
  await db.schema
    .createIndex('day_taster_choices_one_per_slot')
    .on('day_taster_choices')
    .columns(['registration_id', 'programme_item_id'])
    .unique()
    .where(sql.ref('status'), '<>', 'cancelled')
    .execute();
  await db.schema.createIndex('day_taster_choices_taster').on('day_taster_choices').columns(['day_taster_id', 'status', 'waitlisted_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('day_taster_choices').execute();
  await db.schema.dropTable('day_registrations').execute();
  await db.schema.dropTable('day_tasters').execute();
  await db.schema.dropTable('day_programme_items').execute();
  await db.schema.dropTable('taster_days').execute();
}
