import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('bookings')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('taster_session_id', 'uuid', (c) => c.notNull().references('taster_sessions.id').onDelete('restrict'))
    .addColumn('user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('confirmed','waitlisted','cancelled')`))
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('waitlisted_at', 'timestamptz')
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('promoted_at', 'timestamptz')
    .addColumn('is_walk_in', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('attendance', 'text', (c) => c.check(sql`attendance in ('attended','no_show')`))
    .addColumn('attendance_recorded_at', 'timestamptz')
    .addColumn('attendance_recorded_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('confidence_before', 'smallint', (c) => c.check(sql`confidence_before between 0 and 10`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('bookings_waitlisted_has_time', sql`status <> 'waitlisted' or waitlisted_at is not null`)
    .addCheckConstraint('bookings_confirmed_has_time', sql`status <> 'confirmed' or confirmed_at is not null`)
    .execute();
  // Rule 3: one live booking per person per session, enforced by the database itself.
  // Cancelled rows are left out, so booking again after cancelling works.
  await db.schema
    .createIndex('bookings_one_live_per_person')
    .on('bookings')
    .columns(['taster_session_id', 'user_id'])
    .unique()
    .where(sql.ref('status'), '<>', 'cancelled')
    .execute();
  await db.schema.createIndex('bookings_session_status').on('bookings').columns(['taster_session_id', 'status', 'waitlisted_at']).execute();
  await db.schema.createIndex('bookings_user').on('bookings').columns(['user_id', 'status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('bookings').execute();
}
