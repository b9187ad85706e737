import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
//
// Emails and calendar events for taster days (issue 15, item 9), and a day cancelled by its
// coordinator. A registration's calendar event (its UID is the registration's id) has a SEQUENCE
// counted as for sessions (20261203_0901):
//
//   taster_days.calendar_sequence (raised by each change of the day's time or venue, of a chosen
//   taster's time or room, and by the cancellation of the day)
//   + 1 once the registration was promoted from the waiting list (promoted_at is never cleared)
//   + 1 once the registration is cancelled (never revived: registering again makes a new row).
//
// Every part only grows, so the sum does, whatever order the changes come in.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table taster_days add column calendar_sequence integer not null default 0`.execute(db);
  await sql`alter table taster_days add column cancellation_reason text`.execute(db);
  await sql`alter table taster_days add column cancelled_at timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table taster_days drop column cancelled_at`.execute(db);
  await sql`alter table taster_days drop column cancellation_reason`.execute(db);
  await sql`alter table taster_days drop column calendar_sequence`.execute(db);
}
