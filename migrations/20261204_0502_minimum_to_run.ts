import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
//
// A minimum to run (issue 16): a session can need a number of bookings to go ahead. A set time
// before it starts (MINIMUM_CHECK_HOURS), if it is short, the organisation's staff are told once
// (minimum_told_at) and choose: run it anyway (run_anyway_at, by whom), or cancel it as any
// session is cancelled. No minimum (null) is the default: every session runs.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('taster_sessions')
    .addColumn('minimum_bookings', 'integer', (c) => c.check(sql`minimum_bookings between 1 and 1000`))
    .addColumn('minimum_told_at', 'timestamptz')
    .addColumn('run_anyway_at', 'timestamptz')
    .addColumn('run_anyway_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('taster_sessions')
    .dropColumn('run_anyway_by')
    .dropColumn('run_anyway_at')
    .dropColumn('minimum_told_at')
    .dropColumn('minimum_bookings')
    .execute();
}
