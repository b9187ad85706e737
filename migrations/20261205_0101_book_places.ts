import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
//
// Issue 12, a burst on one popular session: many people booking the same session at once each
// queued on its row lock, and PostgreSQL wakes every waiter at each commit, so twenty waiting
// connections booked at a third of the rate one does alone. book_places books several people on
// one session in one statement, in the order given, one after another under one hold of the
// lock: each is exactly a call of book_place (the same rules, answers, audit entries and email
// facts), and each sees the bookings made before it in the same statement, so places and
// waiting-list positions come out as if the calls had been made one by one in that order.
//
// The waiting list is kept in the order of waitlisted_at, stamped by the clock as each booking is
// made. Calls in one statement follow each other within microseconds, and the embedded database's
// clock counts only milliseconds, so before each call the loop lets the clock move past the end
// of the previous one (and past the last person already waiting): no two people share a stamp,
// and the order given is the order kept. On PostgreSQL the clock has always moved on already; on
// the embedded database this costs at most a millisecond a person.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function book_places(
      p_session_id uuid, p_user_ids uuid[], p_confidence_before smallint[], p_addresses text[], p_base_url text, p_mail_from text)
    returns table (
      user_id uuid, session_found boolean, session_status text, starts_at timestamptz, booking_closes_at timestamptz,
      booking_id uuid, booking_status text, created boolean, lock_held_ms double precision)
    language plpgsql volatile as $fn$
    declare
      previous_ended timestamptz;
    begin
      -- Past the last person already waiting too, who may have been stamped in this same millisecond.
      select coalesce(max(w.waitlisted_at), '-infinity') into previous_ended
      from bookings w where w.taster_session_id = p_session_id and w.status = 'waitlisted';
      for i in 1 .. coalesce(array_length(p_user_ids, 1), 0) loop
        while clock_timestamp() <= previous_ended loop
        end loop;
        -- book_place's answer, column for column, after whom it was for.
        return query select p_user_ids[i], b.*
          from book_place(p_session_id, p_user_ids[i], p_confidence_before[i], p_addresses[i], p_base_url, p_mail_from) b;
        previous_ended := clock_timestamp();
      end loop;
    end
    $fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function book_places(uuid, uuid[], smallint[], text[], text, text)`.execute(db);
}
