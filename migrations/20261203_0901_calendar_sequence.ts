import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
//
// Calendar events are updated by the emails about a change (RFC 5546: METHOD:REQUEST when a session
// moves, METHOD:CANCEL when it or a place is cancelled), and a calendar applies an update only when
// its SEQUENCE is higher than the one it has. An event is one booking (its UID is the booking's id),
// and its SEQUENCE is counted as
//
//   taster_sessions.calendar_sequence (raised by each move and by the cancellation of the session)
//   + 1 once the booking was promoted from the waiting list (promoted_at is never cleared)
//   + 1 once the booking is cancelled (a cancelled booking is never revived: booking again makes a
//     new booking, so a new UID).
//
// Each part only ever grows, so the sum does too, for every UID, whatever order moves, promotions
// and cancellations come in; and nothing is written to every booking of a session when it moves.
//
// book_place gains the two facts a calendar part needs: the event's SEQUENCE and its ORGANIZER (the
// provider's contact email, else the service's from-address, passed in), with the person's email
// for ATTENDEE. It is a new function beside the old one (one more argument), so an instance still
// running the previous code keeps booking during a deploy; the old one can go in a later migration.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table taster_sessions add column calendar_sequence integer not null default 0`.execute(db);
  await sql`
    create function book_place(
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
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function book_place(uuid, uuid, smallint, text, text, text)`.execute(db);
  await sql`alter table taster_sessions drop column calendar_sequence`.execute(db);
}
