import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
//
// How an attendance was marked, so the register can show who checked themselves in with the
// session's QR code: 'register' (provider staff or a coordinator tapping it) or 'self_check_in'
// (the link worker scanning the code at the door). Null for rows marked before this column and for
// rows not marked at all; the register treats a null beside a mark as 'register'.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table bookings add column attendance_marked_by text
    constraint bookings_attendance_marked_by_known check (attendance_marked_by in ('register', 'self_check_in'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table bookings drop column attendance_marked_by`.execute(db);
}
