import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
//
// A link worker may book a place for a colleague in their PCN: the booking is the colleague's
// (user_id), and booked_by records who made it. Null when the person booked for themselves (every
// booking before this column). Set null if the booker's row ever goes, so the place stays.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table bookings add column booked_by uuid references users (id) on delete set null`.execute(db);
  // The privacy export and erasure look bookings up by who made them.
  await sql`create index bookings_booked_by on bookings (booked_by) where booked_by is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table bookings drop column booked_by`.execute(db);
}
