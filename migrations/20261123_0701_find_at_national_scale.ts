import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Find filters by London time of day and weekday. Working those out from starts_at for every
  // upcoming session (a quarter of a million at national scale) was most of the find query's time,
  // so each session keeps its own, set by a trigger whenever starts_at is written: any insert or
  // update, from the app, the demo, the benchmark or psql, cannot leave them stale. (Should the UK's
  // clock-change rules ever change, the update at the end of this migration recomputes them.)
  await sql`alter table taster_sessions add column starts_hour_london smallint, add column starts_weekday_london smallint`.execute(db);
  await sql`
    create function taster_session_london_times() returns trigger language plpgsql as $$
    begin
      new.starts_hour_london := extract(hour from new.starts_at at time zone 'Europe/London');
      new.starts_weekday_london := extract(isodow from new.starts_at at time zone 'Europe/London');
      return new;
    end $$`.execute(db);
  await sql`
    create trigger taster_sessions_london_times before insert or update of starts_at on taster_sessions
    for each row execute function taster_session_london_times()`.execute(db);
  await sql`update taster_sessions set starts_at = starts_at`.execute(db);
  await sql`
    alter table taster_sessions
      alter column starts_hour_london set not null,
      alter column starts_weekday_london set not null`.execute(db);

  // Everything find filters sessions on, in one index of published sessions in start order: the
  // matches come from the index alone, without reading the wide session rows.
  await sql`
    create index taster_sessions_find on taster_sessions (starts_at, id)
    include (offer_id, venue_id, is_online, capacity, starts_hour_london, starts_weekday_london)
    where status = 'published'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index taster_sessions_find`.execute(db);
  await sql`drop trigger taster_sessions_london_times on taster_sessions`.execute(db);
  await sql`drop function taster_session_london_times()`.execute(db);
  await sql`alter table taster_sessions drop column starts_hour_london, drop column starts_weekday_london`.execute(db);
}
