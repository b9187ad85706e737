import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import { sessionsWithPlaceSql } from '../../db/sessions-with-place.ts';
import { calendarOrganizer, calendarSequence, livePeopleOfSession, type PlaceAndTime, sessionFactsJson } from '../../messages/queries.ts';

/**
 * "This session and all later ones" of a series: every session of the series from this one's start
 * on that has not been cancelled and has not started, in time order (the order their locks are
 * taken in, so two changes to one series cannot deadlock).
 */
export async function laterInSeries(db: Queryable, seriesId: string, from: Date, now: Date) {
  return db
    .selectFrom('tasterSessions')
    .select(['id', 'startsAt'])
    .where('seriesId', '=', seriesId)
    .where('startsAt', '>=', from)
    .where('startsAt', '>', now)
    .where('status', '<>', 'cancelled')
    .orderBy('startsAt')
    .orderBy('id')
    .execute();
}

/** A move or a cancellation raises the session's calendar SEQUENCE (calendarSequence, migration 0901). */
export async function raiseCalendarSequence(tx: Tx, sessionId: string): Promise<void> {
  await tx
    .updateTable('tasterSessions')
    .set((eb) => ({ calendarSequence: eb('calendarSequence', '+', 1) }))
    .where('id', '=', sessionId)
    .execute();
}

export type SeriesMove = { sessionId: string; before: PlaceAndTime; timeChanged: boolean; placeChanged: boolean };

/**
 * Queues "the time or place has changed" once per person for a change to a series, in one
 * statement after every session's update: each person booked or waiting on any moved session gets
 * one message whose facts list each of their sessions (the session as it is now, as it was, their
 * booking and its calendar SEQUENCE, already raised). A new event id in the dedupe key makes each
 * change its own news. Returns how many messages were queued.
 */
export async function insertSeriesChangedMessages(tx: Tx, moves: SeriesMove[], options: { baseUrl: string | null; mailFrom: string | null }): Promise<number> {
  if (moves.length === 0) return 0;
  const changes = JSON.stringify(
    moves.map((m) => ({
      sessionId: m.sessionId,
      before: { startsAt: m.before.startsAt, endsAt: m.before.endsAt, venueId: m.before.venueId, isOnline: m.before.isOnline },
      timeChanged: m.timeChanged,
      placeChanged: m.placeChanged,
    })),
  );
  const result = await sql<{ id: string }>`
    with event as (select gen_random_uuid()::text as id),
    changes as (
      select c."sessionId"::uuid as session_id, c.before, c."timeChanged" as time_changed, c."placeChanged" as place_changed
      from jsonb_to_recordset(${changes}::jsonb) as c ("sessionId" text, before jsonb, "timeChanged" boolean, "placeChanged" boolean)
    ),
    items as (
      select u.id as user_id, u.email, u.name, s.starts_at, b.id as booking_id,
        jsonb_build_object('organizer', ${calendarOrganizer(options.mailFrom)},
          'booking', jsonb_build_object('id', b.id, 'status', b.status, 'sequence', ${calendarSequence()}),
          'session', ${sessionFactsJson},
          'before', c.before || jsonb_build_object('venueName', ov.name, 'addressLine1', ov.address_line1,
            'addressLine2', ov.address_line2, 'town', ov.town, 'postcode', ov.postcode),
          'timeChanged', c.time_changed, 'placeChanged', c.place_changed) as item
      from ${sessionsWithPlaceSql}
      join changes c on c.session_id = s.id
      left join venues ov on ov.id = (c.before->>'venueId')::uuid
      ${livePeopleOfSession}
      where s.status = 'published'
    )
    insert into outbox_messages (dedupe_key, kind, recipient_email, recipient_id, facts)
    select 'series_changed:' || event.id || ':' || i.user_id, 'series_changed', i.email, i.user_id,
      jsonb_build_object('baseUrl', ${options.baseUrl}::text, 'name', i.name, 'email', i.email,
        'sessions', jsonb_agg(i.item order by i.starts_at, i.booking_id))
    from event, items i
    group by event.id, i.user_id, i.email, i.name
    on conflict (dedupe_key) do nothing
    returning id`.execute(tx);
  return result.rows.length;
}

/**
 * Queues "the organiser cancelled these sessions" once per person booked or waiting on any of the
 * sessions just cancelled, listing each of theirs (with its raised calendar SEQUENCE), in one
 * statement after the cancellations. Returns how many messages were queued.
 */
export async function insertSeriesCancelledMessages(
  tx: Tx,
  sessionIds: string[],
  options: { baseUrl: string | null; mailFrom: string | null },
): Promise<number> {
  if (sessionIds.length === 0) return 0;
  const result = await sql<{ id: string }>`
    with event as (select gen_random_uuid()::text as id),
    items as (
      select u.id as user_id, u.email, u.name, s.starts_at, b.id as booking_id,
        jsonb_build_object('organizer', ${calendarOrganizer(options.mailFrom)},
          'booking', jsonb_build_object('id', b.id, 'status', b.status, 'sequence', ${calendarSequence()}),
          'session', ${sessionFactsJson}) as item
      from ${sessionsWithPlaceSql}
      ${livePeopleOfSession}
      where s.id in (${sql.join(sessionIds.map((id) => sql`${id}::uuid`))}) and s.status = 'cancelled'
    )
    insert into outbox_messages (dedupe_key, kind, recipient_email, recipient_id, facts)
    select 'series_cancelled:' || event.id || ':' || i.user_id, 'series_cancelled', i.email, i.user_id,
      jsonb_build_object('baseUrl', ${options.baseUrl}::text, 'name', i.name, 'email', i.email,
        'sessions', jsonb_agg(i.item order by i.starts_at, i.booking_id))
    from event, items i
    group by event.id, i.user_id, i.email, i.name
    on conflict (dedupe_key) do nothing
    returning id`.execute(tx);
  return result.rows.length;
}
