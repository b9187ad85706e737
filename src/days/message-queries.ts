import { type RawBuilder, sql } from 'kysely';
import type { Queryable, Tx } from '../db/database.ts';
import { senderAddress } from '../messages/queries.ts';

/**
 * The statements that queue the emails of taster days as facts (DayMessageFacts in messages.ts),
 * under the day's lock: each is one INSERT … SELECT, so the lock is held for SQL only, and the
 * delivery worker writes the emails after the commit (src/delivery/render.ts). Every fact is read
 * from the rows as they are at that moment: the day, its venue, the person's registration and the
 * programme with the person's own choices.
 */

export type MailContext = { baseUrl?: string | null | undefined; mailFrom?: string | null | undefined };

/** The day d at its venue v, as every day message describes it. */
const dayFacts = sql`jsonb_build_object(
  'id', d.id, 'status', d.status, 'title', d.title, 'startsAt', d.starts_at, 'endsAt', d.ends_at,
  'bookingClosesAt', d.booking_closes_at, 'venueId', d.venue_id, 'venueName', v.name, 'addressLine1', v.address_line1,
  'addressLine2', v.address_line2, 'town', v.town, 'postcode', v.postcode, 'cancellationReason', d.cancellation_reason)`;

/** The programme of day d in time order, with registration r's live choice in each slot. */
const programmeFacts = sql`coalesce((
  select jsonb_agg(jsonb_build_object('kind', i.kind, 'title', i.title, 'startsAt', i.starts_at, 'endsAt', i.ends_at,
    'taster', (
      select jsonb_build_object('tasterId', t.id, 'title', t.title, 'organisationName', o.name, 'room', t.room, 'whatToBring', t.what_to_bring, 'status', c.status)
      from day_taster_choices c join day_tasters t on t.id = c.day_taster_id join organisations o on o.id = t.organisation_id
      where c.registration_id = r.id and c.programme_item_id = i.id and c.status <> 'cancelled'
    )) order by i.starts_at, i.ends_at, i.id)
  from day_programme_items i where i.taster_day_id = d.id), '[]'::jsonb)`;

/** A waiting registration's place in its audience's queue, counted now; null with a place. */
const positionOf = sql`case when r.status = 'waitlisted' then (
  select count(*)::int from day_registrations w
  where w.taster_day_id = r.taster_day_id and w.audience = r.audience and w.status = 'waitlisted'
    and (w.waitlisted_at, w.id) <= (r.waitlisted_at, r.id)) end`;

/** The SEQUENCE of registration r's calendar event (see migration 20261204_0101). */
const sequenceOf = sql`(d.calendar_sequence + (r.promoted_at is not null)::int + (r.status = 'cancelled')::int)`;

/**
 * Queues one message of `kind` for each registration r that `where` selects (r, d, v and u are in
 * scope), keyed by `key` (an SQL text expression) so each event reaches each person once, with
 * `extra` (a jsonb expression) added to the facts. Returns how many were queued.
 */
async function insertDayMessages(
  tx: Queryable,
  input: {
    kind: string;
    key: RawBuilder<string>;
    where: RawBuilder<unknown>;
    extra?: RawBuilder<unknown>;
    from?: RawBuilder<unknown>;
    mail: MailContext;
    /** For an optional email only: the signed link that switches it off (List-Unsubscribe). */
    unsubscribeUrl?: string | null;
  },
): Promise<number> {
  const organizer = senderAddress(input.mail.mailFrom ?? null);
  const result = await sql<{ id: string }>`
    insert into outbox_messages (dedupe_key, kind, recipient_email, recipient_id, unsubscribe_url, facts)
    select ${input.key}, ${input.kind}, u.email, u.id, ${input.unsubscribeUrl ?? null}::text,
      jsonb_build_object('baseUrl', ${input.mail.baseUrl ?? null}::text, 'name', u.name, 'email', u.email, 'organizer', ${organizer}::text,
        'registration', jsonb_build_object('id', r.id, 'status', r.status, 'audience', r.audience, 'position', ${positionOf}, 'sequence', ${sequenceOf}),
        'day', ${dayFacts}, 'programme', ${programmeFacts}) || ${input.extra ?? sql`'{}'::jsonb`}
    from day_registrations r
      join users u on u.id = r.user_id and u.status = 'active'
      join taster_days d on d.id = r.taster_day_id
      join venues v on v.id = d.venue_id
      ${input.from ?? sql``}
    where ${input.where}
    on conflict (dedupe_key) do nothing
    returning id`.execute(tx);
  return result.rows.length;
}

const idList = (ids: string[]) =>
  sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  );

/** "You are registered" or "you are on the waiting list", with the programme, for a new registration. */
export async function queueRegistered(tx: Tx, registrationId: string, mail: MailContext): Promise<number> {
  return insertDayMessages(tx, {
    kind: 'day_registered',
    key: sql<string>`'day_registered:' || r.id`,
    where: sql`r.id = ${registrationId}::uuid and r.status <> 'cancelled'`,
    mail,
  });
}

/** "A place on the day is yours", for registrations just promoted from the audience's waiting list. */
export async function queueRegistrationsPromoted(tx: Tx, registrationIds: string[], mail: MailContext): Promise<number> {
  if (registrationIds.length === 0) return 0;
  return insertDayMessages(tx, {
    kind: 'day_promoted',
    key: sql<string>`'day_promoted:' || r.id`,
    where: sql`r.id in (${idList(registrationIds)}) and r.status = 'confirmed'`,
    mail,
  });
}

/** "A place on the taster is yours", for choices just promoted from a taster's waiting list. */
export async function queueChoicesPromoted(tx: Tx, choiceIds: string[], mail: MailContext): Promise<number> {
  if (choiceIds.length === 0) return 0;
  return insertDayMessages(tx, {
    kind: 'day_taster_promoted',
    key: sql<string>`'day_taster_promoted:' || pc.id`,
    from: sql`join day_taster_choices pc on pc.registration_id = r.id join day_tasters pt on pt.id = pc.day_taster_id`,
    where: sql`pc.id in (${idList(choiceIds)}) and pc.status = 'confirmed' and r.status = 'confirmed'`,
    extra: sql`jsonb_build_object('promotedTaster', pt.title)`,
    mail,
  });
}

/** Raises the day's calendar SEQUENCE: its registrations' events changed or were cancelled. */
export async function raiseCalendarSequence(tx: Tx, dayId: string): Promise<void> {
  await sql`update taster_days set calendar_sequence = calendar_sequence + 1 where id = ${dayId}::uuid`.execute(tx);
}

/**
 * What changed, as the change email says it: the day's times and venue before (its venue's name
 * and address read now, in the statement), and the tasters whose time or room changed.
 */
export type DayBefore = { startsAt: Date; endsAt: Date; venueId: string };
export type TasterBefore = { tasterId: string; title: string; room: string; startsAt: Date; endsAt: Date };

/**
 * "The time or place has changed", for everyone live on the day when the day itself moved, or for
 * those with a live choice of the tasters that moved. Each change is its own event (eventId in the
 * key). Call after the update and raiseCalendarSequence.
 */
export async function queueDayChanged(
  tx: Tx,
  dayId: string,
  change: { eventId: string; day: DayBefore | null; tasters: TasterBefore[] },
  mail: MailContext,
): Promise<number> {
  const tasterIds = change.tasters.map((t) => t.tasterId);
  const chose =
    tasterIds.length > 0
      ? sql`exists (select 1 from day_taster_choices c where c.registration_id = r.id and c.status <> 'cancelled' and c.day_taster_id in (${idList(tasterIds)}))`
      : sql`false`;
  const beforeVenue = change.day
    ? sql`(select jsonb_build_object('venueName', ov.name, 'addressLine1', ov.address_line1, 'addressLine2', ov.address_line2, 'town', ov.town,
        'postcode', ov.postcode) from venues ov where ov.id = ${change.day.venueId}::uuid)`
    : sql`null::jsonb`;
  const dayBefore = change.day ? { startsAt: change.day.startsAt, endsAt: change.day.endsAt, venueId: change.day.venueId } : null;
  // Each person hears about the tasters they chose only.
  const tasters = sql`coalesce((select jsonb_agg(x.value) from jsonb_array_elements(${JSON.stringify(change.tasters)}::jsonb) x
    where exists (select 1 from day_taster_choices c where c.registration_id = r.id and c.status <> 'cancelled' and c.day_taster_id = (x.value->>'tasterId')::uuid)), '[]'::jsonb)`;
  return insertDayMessages(tx, {
    kind: 'day_changed',
    key: sql<string>`'day_changed:' || ${change.eventId}::text || ':' || r.id`,
    where: sql`r.taster_day_id = ${dayId}::uuid and r.status in ('confirmed', 'waitlisted') and d.status = 'published'
      and (${change.day !== null}::boolean or ${chose})`,
    extra: sql`jsonb_build_object('before', case when ${dayBefore !== null}::boolean then ${JSON.stringify(dayBefore)}::jsonb || ${beforeVenue} end,
      'tasters', ${tasters})`,
    mail,
  });
}

/** "The day is cancelled", for everyone live on it. Call after the status change. */
export async function queueDayCancelled(tx: Tx, dayId: string, mail: MailContext): Promise<number> {
  return insertDayMessages(tx, {
    kind: 'day_cancelled',
    key: sql<string>`'day_cancelled:' || r.id`,
    where: sql`r.taster_day_id = ${dayId}::uuid and r.status in ('confirmed', 'waitlisted') and d.status = 'cancelled'`,
    mail,
  });
}

/**
 * "A taster you chose will not run", for the choices of it just cancelled (choiceIds): call after
 * cancelling them, so the programme in the email no longer shows it, and before they are deleted.
 */
export async function queueTasterRemoved(tx: Tx, choiceIds: string[], mail: MailContext): Promise<number> {
  if (choiceIds.length === 0) return 0;
  return insertDayMessages(tx, {
    kind: 'day_taster_removed',
    key: sql<string>`'day_taster_removed:' || rc.id`,
    from: sql`join day_taster_choices rc on rc.registration_id = r.id join day_tasters rt on rt.id = rc.day_taster_id`,
    where: sql`rc.id in (${idList(choiceIds)}) and r.status in ('confirmed', 'waitlisted') and d.status = 'published'`,
    extra: sql`jsonb_build_object('removedTaster', rt.title)`,
    mail,
  });
}

/** The day-before reminder, for one confirmed registration (the reminder job, no lock held). */
export async function queueDayReminder(
  db: Queryable,
  registrationId: string,
  links: { releaseUrl: string; unsubscribeUrl: string | null; preferencesUrl: string },
  mail: MailContext,
): Promise<number> {
  const { unsubscribeUrl, ...extra } = links;
  return insertDayMessages(db, {
    unsubscribeUrl,
    kind: 'day_reminder',
    key: sql<string>`'day_reminder:' || r.id || ':' || to_char(d.starts_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI')`,
    where: sql`r.id = ${registrationId}::uuid and r.status = 'confirmed' and d.status = 'published'`,
    extra: sql`jsonb_build_object('links', ${JSON.stringify({ ...extra, unsubscribeUrl })}::jsonb)`,
    mail,
  });
}

/** Confirmed registrations of published days starting between now and `until`, for reminders. */
export async function dayReminderCandidates(db: Queryable, now: Date, until: Date) {
  return (
    db
      .selectFrom('dayRegistrations as r')
      .innerJoin('tasterDays as d', 'd.id', 'r.tasterDayId')
      .innerJoin('users as u', 'u.id', 'r.userId')
      .select(['r.id as registrationId', 'u.id as userId', 'u.role', 'r.confirmedAt', 'd.startsAt'])
      .where('r.status', '=', 'confirmed')
      .where('d.status', '=', 'published')
      .where('u.status', '=', 'active')
      .where('d.startsAt', '>', now)
      .where('d.startsAt', '<=', until)
      // The same choice as sessions' reminders: no preferences row means reminders are on.
      .where((eb) =>
        eb.not(
          eb.exists(eb.selectFrom('messagePreferences as mp').select(sql`1`.as('one')).whereRef('mp.userId', '=', 'u.id').where('mp.reminders', '=', false)),
        ),
      )
      .orderBy('d.startsAt')
      .orderBy('r.id')
      .execute()
  );
}
