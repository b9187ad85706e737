import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
//
// Places for PCNs (issue 16, fair reach): a session can keep some of its places for link workers
// of a named PCN ("4 of 12 for Banbury PCN") until a set number of days before it starts, when
// they become places like any other.
//
// The release is a time, never a stored flag: a hold counts while
// reservation_release_at(starts_at, release_days) is in the future, so every statement that counts
// places agrees on it at once, whether or not the release job has run yet, and a session moved to
// another date moves its release with it. The days are counted on the London calendar (the same
// wall-clock time N days before), right across the clock changes.
//
// Which place a booking took is written down (bookings.reservation_id), so a held place is never
// given twice: a hold's free places are its places less the confirmed bookings that name it. After
// the release the bookings keep the name but the hold no longer counts; a released place is then
// just one of the capacity, counted like any other, so none is lost. Counting stays exact:
//
//   held(r)   = places(r) - confirmed bookings naming r, at least 0, while r is not released
//   general   = capacity - confirmed (walk-ins aside) - sum of held
//   for a person of PCN p: general (at least 0) + held(the hold for p), never more than capacity - confirmed
//
// A PCN is matched as people type it at registration, ignoring case and spaces at the ends.
//
// promote_waiting gives free places to the waiting list in one statement: each person in waiting
// order takes a place held for their PCN while one is free, else a general place while one is
// free. Because people who fit a hold never take a general place, that order has a closed form —
// the n-th waiting person of a PCN with h held places takes a held one when n <= h, and the others
// take general places in waiting order — so no loop is needed. book_place (replaced here, the same
// arguments and answers) calls it first when places are free and people wait: after a release by
// time, the waiting go before anyone new, even before the release job has run.
//
// The facts of the promotion email have the shape bookingMessageFacts builds in
// src/capacity/queries.ts (the delivery worker parses them with the schema in
// src/bookings/messages.ts, so a difference fails the booking email tests).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('session_reservations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('taster_session_id', 'uuid', (c) => c.notNull().references('taster_sessions.id').onDelete('cascade'))
    .addColumn('pcn', 'text', (c) => c.notNull().check(sql`length(btrim(pcn)) between 1 and 200`))
    .addColumn('places', 'integer', (c) => c.notNull().check(sql`places between 1 and 1000`))
    .addColumn('release_days', 'integer', (c) => c.notNull().check(sql`release_days between 0 and 90`))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index session_reservations_one_per_pcn on session_reservations (taster_session_id, lower(btrim(pcn)))`.execute(db);
  await db.schema
    .alterTable('bookings')
    .addColumn('reservation_id', 'uuid', (c) => c.references('session_reservations.id').onDelete('set null'))
    .execute();
  await sql`create index bookings_reservation on bookings (reservation_id) where reservation_id is not null`.execute(db);

  await sql`
    create function reservation_release_at(p_starts_at timestamptz, p_days integer) returns timestamptz
    language sql immutable as $fn$
      select ((p_starts_at at time zone 'Europe/London') - make_interval(days => p_days)) at time zone 'Europe/London'
    $fn$`.execute(db);

  // The holds of a session still in force at p_at, with the places of each not yet taken.
  await sql`
    create function session_holds(p_session_id uuid, p_at timestamptz)
    returns table (reservation_id uuid, pcn_key text, free integer)
    language sql stable as $fn$
      select r.id, lower(btrim(r.pcn)),
        greatest(r.places - (select count(*) from bookings c where c.reservation_id = r.id and c.status = 'confirmed'), 0)::int
      from session_reservations r
      join taster_sessions s on s.id = r.taster_session_id
      where r.taster_session_id = p_session_id and reservation_release_at(s.starts_at, r.release_days) > p_at
    $fn$`.execute(db);

  // The places a person of PCN p_pcn (null: none) could book on a session at p_at.
  await sql`
    create function session_places_for(p_session_id uuid, p_pcn text, p_at timestamptz) returns integer
    language sql stable as $fn$
      with counted as (
        select s.capacity - (select count(*) from bookings c
          where c.taster_session_id = s.id and c.status = 'confirmed' and not c.is_walk_in)::int as free
        from taster_sessions s where s.id = p_session_id
      ),
      holds as (select * from session_holds(p_session_id, p_at))
      select least(
        greatest(free - (select coalesce(sum(h.free), 0) from holds h)::int, 0)
          + coalesce((select h.free from holds h where h.pcn_key = lower(btrim(p_pcn))), 0),
        greatest(free, 0))::int
      from counted
    $fn$`.execute(db);

  await sql`
    create function promote_waiting(p_session_id uuid, p_actor_id uuid, p_base_url text, p_mail_from text)
    returns table (booking_id uuid, user_id uuid)
    language sql volatile as $fn$
      with moment as (select clock_timestamp() as at),
      counted as (
        select s.capacity - (select count(*) from bookings c
          where c.taster_session_id = s.id and c.status = 'confirmed' and not c.is_walk_in)::int as free
        from taster_sessions s
        where s.id = p_session_id and s.status = 'published' and s.starts_at > (select at from moment)
      ),
      holds as (select h.* from moment, session_holds(p_session_id, moment.at) h),
      general as (select greatest(c.free - (select coalesce(sum(h.free), 0) from holds h)::int, 0) as free from counted c),
      queue as (
        select w.id, w.waitlisted_at, h.reservation_id, coalesce(h.free, 0) as held_free,
          row_number() over (partition by h.reservation_id order by w.waitlisted_at, w.id) as pcn_turn
        from bookings w
        left join users u on u.id = w.user_id
        left join holds h on h.pcn_key = lower(btrim(u.pcn))
        where w.taster_session_id = p_session_id and w.status = 'waitlisted'
      ),
      sorted as (
        select q.*, (q.reservation_id is not null and q.pcn_turn <= q.held_free) as takes_held from queue q
      ),
      overflow as (
        select id, row_number() over (order by waitlisted_at, id) as general_turn from sorted where not takes_held
      ),
      chosen as (
        select id, reservation_id, turn from (
          select s.id, case when s.takes_held then s.reservation_id end as reservation_id,
            row_number() over (order by s.waitlisted_at, s.id) as turn
          from sorted s left join overflow o on o.id = s.id
          where s.takes_held or o.general_turn <= (select free from general)
        ) picked
        -- Never beyond the capacity, even if a capacity was lowered below what is held.
        where turn <= (select free from counted)
      ),
      promoted as (
        update bookings b
        set status = 'confirmed', confirmed_at = stamp.at, promoted_at = stamp.at, updated_at = stamp.at, reservation_id = c.reservation_id
        from chosen c cross join lateral (select moment.at + (c.turn - 1) * interval '1 microsecond' as at from moment) stamp
        where b.id = c.id
        returning b.id, b.status, b.user_id, b.updated_at, b.promoted_at, c.turn
      ),
      audited as (
        insert into audit_events (actor_id, action, subject_type, subject_id, details)
        select p_actor_id, 'booking_promoted', 'booking', id::text, jsonb_build_object('sessionId', p_session_id, 'userId', user_id)
        from promoted order by turn
      ),
      queued as (
        insert into outbox_messages (dedupe_key, kind, recipient_email, recipient_id, facts)
        select 'booking_promoted:' || b.id, 'booking_promoted', u.email, u.id,
          jsonb_build_object('baseUrl', p_base_url, 'name', u.name,
            'email', u.email, 'organizer', coalesce(g.contact_email, p_mail_from),
            'booking', jsonb_build_object('id', b.id, 'status', b.status, 'position', null::int, 'updatedAt', b.updated_at,
              'sequence', s.calendar_sequence + (b.promoted_at is not null)::int + (b.status = 'cancelled')::int, 'was', null::text),
            'session', jsonb_build_object(
              'id', s.id, 'status', s.status, 'title', o.title, 'organisationName', g.name,
              'startsAt', s.starts_at, 'endsAt', s.ends_at, 'isOnline', s.is_online, 'venueId', s.venue_id,
              'venueName', v.name, 'addressLine1', v.address_line1, 'addressLine2', v.address_line2, 'town', v.town, 'postcode', v.postcode,
              'joiningInstructions', s.joining_instructions, 'cancellationReason', s.cancellation_reason))
        from promoted b
        join users u on u.id = b.user_id and u.status = 'active'
        cross join taster_sessions s
        join offers o on o.id = s.offer_id
        join organisations g on g.id = o.organisation_id
        left join venues v on v.id = s.venue_id
        where s.id = p_session_id
        on conflict (dedupe_key) do nothing
      )
      select id, user_id from promoted order by turn
    $fn$`.execute(db);

  await sql`
    create or replace function book_place(
      p_session_id uuid, p_user_id uuid, p_confidence_before smallint, p_address text, p_base_url text, p_mail_from text,
      out session_found boolean, out session_status text, out starts_at timestamptz, out booking_closes_at timestamptz,
      out booking_id uuid, out booking_status text, out created boolean, out lock_held_ms double precision)
    language plpgsql volatile as $fn$
    declare
      locked_at timestamptz;
      is_open boolean;
    begin
      -- A bounded wait: a busy database answers "try again" rather than queueing for ever.
      perform set_config('lock_timeout', '5s', true);
      select s.status, s.starts_at, s.booking_closes_at into session_status, starts_at, booking_closes_at
      from taster_sessions s where s.id = p_session_id
      for no key update;
      session_found := found;
      if not session_found then
        return;
      end if;
      locked_at := clock_timestamp();
      is_open := session_status = 'published' and starts_at > locked_at and booking_closes_at > locked_at;

      -- Places freed by a release (a time, not an event) go to the people waiting before anyone new.
      -- Otherwise nobody waiting could take a free place (every change that frees one promotes), so
      -- this is skipped unless places are free and people wait.
      if session_status = 'published' and starts_at > locked_at
        and exists (select from bookings w where w.taster_session_id = p_session_id and w.status = 'waitlisted')
        and (select count(*) from bookings c where c.taster_session_id = p_session_id and c.status = 'confirmed' and not c.is_walk_in)
          < (select s.capacity from taster_sessions s where s.id = p_session_id) then
        perform promote_waiting(p_session_id, null, p_base_url, p_mail_from);
      end if;

      with existing as (
        select b.id, b.status from bookings b
        where b.taster_session_id = p_session_id and b.user_id = p_user_id and b.status <> 'cancelled'
      ),
      counted as (
        select s.capacity,
          count(*) filter (where c.status = 'confirmed' and not c.is_walk_in)::int as confirmed,
          count(*) filter (where c.status = 'waitlisted')::int as waiting
        from taster_sessions s left join bookings c on c.taster_session_id = s.id
        where s.id = p_session_id
        group by s.capacity
      ),
      holds as (select * from session_holds(p_session_id, locked_at)),
      mine as (
        select h.reservation_id from holds h join users u on u.id = p_user_id
        where h.pcn_key = lower(btrim(u.pcn)) and h.free > 0
      ),
      decided as (
        select case
            when c.confirmed >= c.capacity then 'waitlisted'
            when exists (select from mine) then 'confirmed'
            when c.confirmed + (select coalesce(sum(h.free), 0) from holds h) < c.capacity then 'confirmed'
            else 'waitlisted' end as status
        from counted c
      ),
      booked as (
        insert into bookings (taster_session_id, user_id, status, confirmed_at, waitlisted_at, confidence_before, reservation_id)
        select p_session_id, p_user_id, d.status,
          case when d.status = 'confirmed' then clock_timestamp() end,
          case when d.status = 'waitlisted' then clock_timestamp() end,
          p_confidence_before,
          case when d.status = 'confirmed' then (select reservation_id from mine) end
        from decided d
        where is_open and not exists (select from existing)
        returning bookings.id, bookings.status, bookings.updated_at
      ),
      audited as (
        insert into audit_events (actor_id, action, subject_type, subject_id, details, address)
        select p_user_id, case booked.status when 'confirmed' then 'booking_confirmed' else 'booking_waitlisted' end,
          'booking', booked.id::text, jsonb_build_object('sessionId', p_session_id), p_address
        from booked
      ),
      queued as (
        insert into outbox_messages (dedupe_key, kind, recipient_email, recipient_id, facts)
        select m.kind || ':' || b.id, m.kind, u.email, u.id,
          jsonb_build_object('baseUrl', p_base_url, 'name', u.name,
            'email', u.email, 'organizer', coalesce(g.contact_email, p_mail_from),
            'booking', jsonb_build_object('id', b.id, 'status', b.status,
              'position', case when b.status = 'waitlisted' then counted.waiting + 1 end, 'updatedAt', b.updated_at,
              'sequence', s.calendar_sequence),
            'session', jsonb_build_object(
              'id', s.id, 'status', s.status, 'title', o.title, 'organisationName', g.name,
              'startsAt', s.starts_at, 'endsAt', s.ends_at, 'isOnline', s.is_online, 'venueId', s.venue_id,
              'venueName', v.name, 'addressLine1', v.address_line1, 'addressLine2', v.address_line2, 'town', v.town, 'postcode', v.postcode,
              'joiningInstructions', s.joining_instructions, 'cancellationReason', s.cancellation_reason))
        from booked b
        cross join lateral (select case b.status when 'confirmed' then 'booking_confirmed' else 'booking_waitlisted' end as kind) m
        cross join counted
        join users u on u.id = p_user_id and u.status = 'active'
        cross join taster_sessions s
        join offers o on o.id = s.offer_id
        join organisations g on g.id = o.organisation_id
        left join venues v on v.id = s.venue_id
        where s.id = p_session_id
        on conflict (dedupe_key) do nothing
      )
      select r.id, r.status, r.created into booking_id, booking_status, created
      from (
        select e.id, e.status, false as created from existing e
        union all
        select k.id, k.status, true as created from booked k
      ) r
      limit 1;
      lock_held_ms := extract(epoch from clock_timestamp() - locked_at) * 1000;
    end
    $fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // book_place goes back to its body of migration 20261203_0901 (without holds).
  await sql`
    create or replace function book_place(
      p_session_id uuid, p_user_id uuid, p_confidence_before smallint, p_address text, p_base_url text, p_mail_from text,
      out session_found boolean, out session_status text, out starts_at timestamptz, out booking_closes_at timestamptz,
      out booking_id uuid, out booking_status text, out created boolean, out lock_held_ms double precision)
    language plpgsql volatile as $fn$
    declare
      locked_at timestamptz;
      is_open boolean;
    begin
      perform set_config('lock_timeout', '5s', true);
      select s.status, s.starts_at, s.booking_closes_at into session_status, starts_at, booking_closes_at
      from taster_sessions s where s.id = p_session_id
      for no key update;
      session_found := found;
      if not session_found then
        return;
      end if;
      locked_at := clock_timestamp();
      is_open := session_status = 'published' and starts_at > locked_at and booking_closes_at > locked_at;
      with existing as (
        select b.id, b.status from bookings b
        where b.taster_session_id = p_session_id and b.user_id = p_user_id and b.status <> 'cancelled'
      ),
      counted as (
        select s.capacity,
          count(*) filter (where c.status = 'confirmed' and not c.is_walk_in)::int as confirmed,
          count(*) filter (where c.status = 'waitlisted')::int as waiting
        from taster_sessions s left join bookings c on c.taster_session_id = s.id
        where s.id = p_session_id
        group by s.capacity
      ),
      booked as (
        insert into bookings (taster_session_id, user_id, status, confirmed_at, waitlisted_at, confidence_before)
        select p_session_id, p_user_id, d.status,
          case when d.status = 'confirmed' then clock_timestamp() end,
          case when d.status = 'waitlisted' then clock_timestamp() end,
          p_confidence_before
        from (select case when confirmed < capacity then 'confirmed' else 'waitlisted' end as status from counted) d
        where is_open and not exists (select from existing)
        returning bookings.id, bookings.status, bookings.updated_at
      ),
      audited as (
        insert into audit_events (actor_id, action, subject_type, subject_id, details, address)
        select p_user_id, case booked.status when 'confirmed' then 'booking_confirmed' else 'booking_waitlisted' end,
          'booking', booked.id::text, jsonb_build_object('sessionId', p_session_id), p_address
        from booked
      ),
      queued as (
        insert into outbox_messages (dedupe_key, kind, recipient_email, recipient_id, facts)
        select m.kind || ':' || b.id, m.kind, u.email, u.id,
          jsonb_build_object('baseUrl', p_base_url, 'name', u.name,
            'email', u.email, 'organizer', coalesce(g.contact_email, p_mail_from),
            'booking', jsonb_build_object('id', b.id, 'status', b.status,
              'position', case when b.status = 'waitlisted' then counted.waiting + 1 end, 'updatedAt', b.updated_at,
              'sequence', s.calendar_sequence),
            'session', jsonb_build_object(
              'id', s.id, 'status', s.status, 'title', o.title, 'organisationName', g.name,
              'startsAt', s.starts_at, 'endsAt', s.ends_at, 'isOnline', s.is_online, 'venueId', s.venue_id,
              'venueName', v.name, 'addressLine1', v.address_line1, 'addressLine2', v.address_line2, 'town', v.town, 'postcode', v.postcode,
              'joiningInstructions', s.joining_instructions, 'cancellationReason', s.cancellation_reason))
        from booked b
        cross join lateral (select case b.status when 'confirmed' then 'booking_confirmed' else 'booking_waitlisted' end as kind) m
        cross join counted
        join users u on u.id = p_user_id and u.status = 'active'
        cross join taster_sessions s
        join offers o on o.id = s.offer_id
        join organisations g on g.id = o.organisation_id
        left join venues v on v.id = s.venue_id
        where s.id = p_session_id
        on conflict (dedupe_key) do nothing
      )
      select r.id, r.status, r.created into booking_id, booking_status, created
      from (
        select e.id, e.status, false as created from existing e
        union all
        select k.id, k.status, true as created from booked k
      ) r
      limit 1;
      lock_held_ms := extract(epoch from clock_timestamp() - locked_at) * 1000;
    end
    $fn$`.execute(db);
  await sql`drop function promote_waiting(uuid, uuid, text, text)`.execute(db);
  await sql`drop function session_places_for(uuid, text, timestamptz)`.execute(db);
  await sql`drop function session_holds(uuid, timestamptz)`.execute(db);
  await sql`drop function reservation_release_at(timestamptz, integer)`.execute(db);
  await sql`drop index bookings_reservation`.execute(db);
  await db.schema.alterTable('bookings').dropColumn('reservation_id').execute();
  await db.schema.dropTable('session_reservations').execute();
}
