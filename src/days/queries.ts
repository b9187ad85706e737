import { sql } from 'kysely';
import type { Queryable, Tx } from '../db/database.ts';
import type { Audience, PlaceStatus } from '../db/tables/days.ts';
import { noteLockGranted } from '../db/transaction.ts';
import type { DayInput, ItemInput, TasterInput } from './schemas.ts';

/** How long a registration waits for another on the same day before giving up ("try again"). */
const LOCK_TIMEOUT = '5s';

// ---- The day and its programme

export async function insertDay(tx: Tx, createdBy: string, input: DayInput): Promise<string> {
  const row = await tx
    .insertInto('tasterDays')
    .values({ ...input, createdBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findDay(db: Queryable, id: string) {
  return db
    .selectFrom('tasterDays as d')
    .innerJoin('venues as v', 'v.id', 'd.venueId')
    .innerJoin('organisations as vo', 'vo.id', 'v.organisationId')
    .select([
      'd.id',
      'd.title',
      'd.description',
      'd.status',
      'd.cancellationReason',
      'd.startsAt',
      'd.endsAt',
      'd.bookingClosesAt',
      'd.linkWorkerPlaces',
      'd.culturalPlaces',
      'd.venueId',
      'v.name as venueName',
      'vo.name as venueOrganisationName',
      'v.addressLine1',
      'v.addressLine2',
      'v.town',
      'v.postcode',
      'v.stepFree',
      'v.accessibleToilet',
      'v.hearingLoop',
      'v.seating',
      'v.parking',
      'v.quietSpace',
      'v.accessNotes',
      'v.travelNotes',
    ])
    .where('d.id', '=', id)
    .executeTakeFirst();
}

export type DayDetails = NonNullable<Awaited<ReturnType<typeof findDay>>>;

/** Days in date order: every day for coordinators; published days yet to end for everyone else. */
export async function listDays(db: Queryable, options: { includeDrafts: boolean; now: Date }) {
  let query = db
    .selectFrom('tasterDays as d')
    .innerJoin('venues as v', 'v.id', 'd.venueId')
    .select(['d.id', 'd.title', 'd.status', 'd.startsAt', 'd.endsAt', 'd.bookingClosesAt', 'v.name as venueName', 'v.town'])
    .orderBy('d.startsAt')
    .orderBy('d.id');
  if (!options.includeDrafts) query = query.where('d.status', '=', 'published').where('d.endsAt', '>', options.now);
  return query.execute();
}

export async function publishDayRow(tx: Tx, id: string, by: string): Promise<boolean> {
  const result = await tx
    .updateTable('tasterDays')
    .set({ status: 'published', publishedAt: sql<Date>`now()`, approvedBy: by, approvedAt: sql<Date>`now()`, updatedAt: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function listItems(db: Queryable, dayId: string) {
  return db
    .selectFrom('dayProgrammeItems')
    .select(['id', 'kind', 'title', 'description', 'startsAt', 'endsAt'])
    .where('tasterDayId', '=', dayId)
    .orderBy('startsAt')
    .orderBy('endsAt')
    .orderBy('id')
    .execute();
}

export async function insertItem(tx: Tx, dayId: string, input: ItemInput): Promise<string> {
  const row = await tx
    .insertInto('dayProgrammeItems')
    .values({ tasterDayId: dayId, ...input })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findItem(db: Queryable, id: string) {
  return db.selectFrom('dayProgrammeItems').select(['id', 'tasterDayId', 'kind', 'title', 'startsAt', 'endsAt']).where('id', '=', id).executeTakeFirst();
}

/** The slots of a day that overlap a time (a new slot may not: one choice per slot keeps choices apart only if slots are). */
export async function overlappingSlots(db: Queryable, dayId: string, startsAt: Date, endsAt: Date) {
  return db
    .selectFrom('dayProgrammeItems')
    .select(['id', 'title'])
    .where('tasterDayId', '=', dayId)
    .where('kind', '=', 'slot')
    .where('startsAt', '<', endsAt)
    .where('endsAt', '>', startsAt)
    .execute();
}

export async function insertTaster(tx: Tx, itemId: string, input: TasterInput): Promise<string> {
  const row = await tx
    .insertInto('dayTasters')
    .values({ programmeItemId: itemId, ...input })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The tasters of a day, slot by slot, with their places counted from the live choices. */
export async function listTasters(db: Queryable, dayId: string) {
  return db
    .selectFrom('dayTasters as t')
    .innerJoin('dayProgrammeItems as i', 'i.id', 't.programmeItemId')
    .innerJoin('organisations as o', 'o.id', 't.organisationId')
    .select([
      't.id',
      't.programmeItemId',
      't.organisationId',
      'o.name as organisationName',
      't.title',
      't.description',
      't.capacity',
      't.room',
      't.whatToBring',
      sql<number>`(select count(*)::int from day_taster_choices c where c.day_taster_id = t.id and c.status = 'confirmed')`.as('confirmed'),
      sql<number>`(select count(*)::int from day_taster_choices c join day_registrations r on r.id = c.registration_id
        where c.day_taster_id = t.id and c.status = 'waitlisted' and r.status = 'confirmed')`.as('waiting'),
    ])
    .where('i.tasterDayId', '=', dayId)
    .orderBy('i.startsAt')
    .orderBy('t.title')
    .orderBy('t.id')
    .execute();
}

export type TasterListing = Awaited<ReturnType<typeof listTasters>>[number];

// ---- Places: everything below runs under the day's lock

/**
 * Locks one day's row for the rest of the transaction. Every change to a day's registrations and
 * taster choices takes this one lock first, so the day's quotas and every taster's capacity are
 * counted and written by one transaction at a time (DESIGN.md rule 1, "lock before you check"),
 * from any number of app instances; one lock per day also means no two changes can deadlock over
 * two tasters. From here to the commit, only database statements run. FOR NO KEY UPDATE, so the
 * key-share locks of rows inserted pointing at the day do not queue behind it.
 */
export async function lockDay(tx: Tx, id: string) {
  await sql`select set_config('lock_timeout', ${LOCK_TIMEOUT}, true)`.execute(tx);
  const day = await tx
    .selectFrom('tasterDays')
    .select(['id', 'status', 'startsAt', 'bookingClosesAt', 'linkWorkerPlaces', 'culturalPlaces'])
    .where('id', '=', id)
    .forNoKeyUpdate()
    .executeTakeFirst();
  noteLockGranted(tx);
  return day;
}

export type LockedDay = NonNullable<Awaited<ReturnType<typeof lockDay>>>;

export async function findLiveRegistration(db: Queryable, dayId: string, userId: string) {
  return db
    .selectFrom('dayRegistrations')
    .select(['id', 'audience', 'status', 'waitlistedAt', 'onParticipantList', 'accessNeeds', 'dietaryNeeds'])
    .where('tasterDayId', '=', dayId)
    .where('userId', '=', userId)
    .where('status', '<>', 'cancelled')
    .executeTakeFirst();
}

export type LiveRegistration = NonNullable<Awaited<ReturnType<typeof findLiveRegistration>>>;

export async function confirmedInAudience(tx: Tx, dayId: string, audience: Audience): Promise<number> {
  const row = await tx
    .selectFrom('dayRegistrations')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('tasterDayId', '=', dayId)
    .where('audience', '=', audience)
    .where('status', '=', 'confirmed')
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function insertRegistration(
  tx: Tx,
  values: { dayId: string; userId: string; audience: Audience; status: PlaceStatus; accessNeeds: string; dietaryNeeds: string; onParticipantList: boolean },
): Promise<string> {
  const now = sql<Date>`clock_timestamp()`;
  const row = await tx
    .insertInto('dayRegistrations')
    .values({
      tasterDayId: values.dayId,
      userId: values.userId,
      audience: values.audience,
      status: values.status,
      confirmedAt: values.status === 'confirmed' ? now : null,
      waitlistedAt: values.status === 'waitlisted' ? now : null,
      accessNeeds: values.accessNeeds || null,
      dietaryNeeds: values.dietaryNeeds || null,
      onParticipantList: values.onParticipantList,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function confirmedInTaster(tx: Tx, tasterId: string): Promise<number> {
  const row = await tx
    .selectFrom('dayTasterChoices')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('dayTasterId', '=', tasterId)
    .where('status', '=', 'confirmed')
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function insertChoice(tx: Tx, values: { registrationId: string; tasterId: string; itemId: string; status: PlaceStatus }) {
  const now = sql<Date>`clock_timestamp()`;
  await tx
    .insertInto('dayTasterChoices')
    .values({
      registrationId: values.registrationId,
      dayTasterId: values.tasterId,
      programmeItemId: values.itemId,
      status: values.status,
      confirmedAt: values.status === 'confirmed' ? now : null,
      waitlistedAt: values.status === 'waitlisted' ? now : null,
    })
    .execute();
}

export async function liveChoices(db: Queryable, registrationId: string) {
  return db
    .selectFrom('dayTasterChoices')
    .select(['id', 'dayTasterId', 'programmeItemId', 'status', 'waitlistedAt'])
    .where('registrationId', '=', registrationId)
    .where('status', '<>', 'cancelled')
    .execute();
}

export async function cancelChoices(tx: Tx, choiceIds: string[]): Promise<void> {
  if (choiceIds.length === 0) return;
  await tx
    .updateTable('dayTasterChoices')
    .set({ status: 'cancelled', cancelledAt: sql<Date>`clock_timestamp()`, updatedAt: sql<Date>`clock_timestamp()` })
    .where('id', 'in', choiceIds)
    .where('status', '<>', 'cancelled')
    .execute();
}

/** Cancels a live registration and its choices; returns what it was, or null when it was not live. */
export async function cancelRegistrationRow(tx: Tx, registrationId: string): Promise<PlaceStatus | null> {
  const before = await tx.selectFrom('dayRegistrations').select('status').where('id', '=', registrationId).executeTakeFirst();
  if (!before || before.status === 'cancelled') return null;
  await tx
    .updateTable('dayRegistrations')
    .set({ status: 'cancelled', cancelledAt: sql<Date>`clock_timestamp()`, updatedAt: sql<Date>`clock_timestamp()` })
    .where('id', '=', registrationId)
    .execute();
  await tx
    .updateTable('dayTasterChoices')
    .set({ status: 'cancelled', cancelledAt: sql<Date>`clock_timestamp()`, updatedAt: sql<Date>`clock_timestamp()` })
    .where('registrationId', '=', registrationId)
    .where('status', '<>', 'cancelled')
    .execute();
  return before.status;
}

/**
 * Rule 2 for a day's audience, in one statement: the audience's free places go to its
 * longest-waiting registrations, in waiting order, each stamped a microsecond after the one
 * before so promoted_at keeps that order. Only for a published day that has not started.
 */
export async function promoteRegistrations(tx: Tx, dayId: string, audience: Audience): Promise<Array<{ id: string; userId: string | null }>> {
  const result = await sql<{ id: string; userId: string | null }>`
    with free as (
      select (case ${audience}::text when 'link_worker' then d.link_worker_places else d.cultural_places end) - (
        select count(*) from day_registrations r where r.taster_day_id = d.id and r.audience = ${audience} and r.status = 'confirmed'
      ) as places
      from taster_days d
      where d.id = ${dayId}::uuid and d.status = 'published' and d.starts_at > now()
    ),
    chosen as (
      select id, turn from (
        select w.id, row_number() over (order by w.waitlisted_at, w.id) as turn
        from day_registrations w where w.taster_day_id = ${dayId}::uuid and w.audience = ${audience} and w.status = 'waitlisted'
      ) queue
      where turn <= (select places from free)
    ),
    moment as (select clock_timestamp() as at)
    update day_registrations r
    set status = 'confirmed', confirmed_at = stamp.at, promoted_at = stamp.at, updated_at = stamp.at
    from chosen c cross join lateral (select moment.at + (c.turn - 1) * interval '1 microsecond' as at from moment) stamp
    where r.id = c.id
    returning r.id, r.user_id`.execute(tx);
  return result.rows;
}

/**
 * Rule 2 for every taster of a day, in one statement: each taster's free places go to the
 * longest-waiting choices whose registration has a confirmed place on the day (a choice made
 * while waiting for the day keeps its turn, and is served once the day's place comes).
 */
export async function fillTasters(tx: Tx, dayId: string): Promise<Array<{ id: string; registrationId: string }>> {
  const result = await sql<{ id: string; registrationId: string }>`
    with free as (
      select t.id, t.capacity - (select count(*) from day_taster_choices c where c.day_taster_id = t.id and c.status = 'confirmed') as places
      from day_tasters t
      join day_programme_items i on i.id = t.programme_item_id
      join taster_days d on d.id = i.taster_day_id
      where d.id = ${dayId}::uuid and d.status = 'published' and d.starts_at > now()
    ),
    chosen as (
      select id, turn from (
        select w.id, f.places, row_number() over (partition by w.day_taster_id order by w.waitlisted_at, w.id) as turn
        from day_taster_choices w
        join free f on f.id = w.day_taster_id
        join day_registrations r on r.id = w.registration_id and r.status = 'confirmed'
        where w.status = 'waitlisted'
      ) queue
      where turn <= places
    ),
    moment as (select clock_timestamp() as at)
    update day_taster_choices c
    set status = 'confirmed', confirmed_at = stamp.at, promoted_at = stamp.at, updated_at = stamp.at
    from chosen x cross join lateral (select moment.at + (x.turn - 1) * interval '1 microsecond' as at from moment) stamp
    where c.id = x.id
    returning c.id, c.registration_id`.execute(tx);
  return result.rows;
}

export async function setParticipantList(tx: Tx, registrationId: string, on: boolean): Promise<void> {
  await tx.updateTable('dayRegistrations').set({ onParticipantList: on, updatedAt: sql<Date>`now()` }).where('id', '=', registrationId).execute();
}

// ---- Reading places back

/** A waiting registration's place in its audience's queue (1 is next). */
export async function registrationPosition(db: Queryable, registrationId: string): Promise<number | null> {
  const row = await sql<{ position: number }>`
    select count(*)::int as position from day_registrations me
    join day_registrations w on w.taster_day_id = me.taster_day_id and w.audience = me.audience and w.status = 'waitlisted'
      and (w.waitlisted_at, w.id) <= (me.waitlisted_at, me.id)
    where me.id = ${registrationId}::uuid and me.status = 'waitlisted'`.execute(db);
  const position = row.rows[0]?.position ?? 0;
  return position > 0 ? position : null;
}

/** A person's choices with their tasters, and for a waiting choice its place in the taster's queue. */
export async function choicesWithPositions(db: Queryable, registrationId: string) {
  const result = await sql<{ id: string; dayTasterId: string; programmeItemId: string; status: PlaceStatus; position: number | null }>`
    select c.id, c.day_taster_id, c.programme_item_id, c.status,
      case when c.status = 'waitlisted' then (
        select count(*)::int from day_taster_choices w join day_registrations r on r.id = w.registration_id
        where w.day_taster_id = c.day_taster_id and w.status = 'waitlisted' and r.status = 'confirmed'
          and (w.waitlisted_at, w.id) <= (c.waitlisted_at, c.id)
      ) end as position
    from day_taster_choices c
    where c.registration_id = ${registrationId}::uuid and c.status <> 'cancelled'`.execute(db);
  return result.rows;
}

/** Everyone registered, for the day's organisers: with their needs and choices. */
export async function registrationsForOrganisers(db: Queryable, dayId: string) {
  return db
    .selectFrom('dayRegistrations as r')
    .leftJoin('users as u', 'u.id', 'r.userId')
    .leftJoin('organisations as o', 'o.id', 'u.organisationId')
    .select([
      'r.id',
      'r.audience',
      'r.status',
      'r.accessNeeds',
      'r.dietaryNeeds',
      'r.onParticipantList',
      'u.name',
      'u.email',
      'u.pcn',
      'u.practice',
      'o.name as organisationName',
      sql<string[]>`coalesce((select array_agg(t.title || case when c.status = 'waitlisted' then ' (waiting)' else '' end order by i.starts_at)
        from day_taster_choices c join day_tasters t on t.id = c.day_taster_id join day_programme_items i on i.id = c.programme_item_id
        where c.registration_id = r.id and c.status <> 'cancelled'), '{}')`.as('choices'),
    ])
    .where('r.tasterDayId', '=', dayId)
    .where('r.status', '<>', 'cancelled')
    .orderBy('r.audience')
    .orderBy('r.status')
    .orderBy(sql`coalesce(r.confirmed_at, r.waitlisted_at)`)
    .orderBy('r.id')
    .execute();
}

/** Who agreed to appear on the participant list: confirmed, active, and still agreeing. */
export async function participantList(db: Queryable, dayId: string) {
  return db
    .selectFrom('dayRegistrations as r')
    .innerJoin('users as u', 'u.id', 'r.userId')
    .leftJoin('organisations as o', 'o.id', 'u.organisationId')
    .select(['r.id', 'r.audience', 'u.name', 'u.pcn', 'u.practice', 'o.name as organisationName'])
    .where('r.tasterDayId', '=', dayId)
    .where('r.status', '=', 'confirmed')
    .where('r.onParticipantList', '=', true)
    .where('u.status', '=', 'active')
    .orderBy('u.name')
    .orderBy('r.id')
    .execute();
}

/** Organisations that can run a taster, for the taster form. */
export async function listOrganisations(db: Queryable) {
  return db.selectFrom('organisations').select(['id', 'name']).orderBy('name').execute();
}

/** Venues a day can be held at, with their organisation, for the day form. */
export async function listVenues(db: Queryable) {
  return db
    .selectFrom('venues as v')
    .innerJoin('organisations as o', 'o.id', 'v.organisationId')
    .select(['v.id', 'v.name', 'v.town', 'o.name as organisationName'])
    .where('v.archivedAt', 'is', null)
    .orderBy('o.name')
    .orderBy('v.name')
    .execute();
}
