import { type QueryCreator, type RawBuilder, sql } from 'kysely';
import type { Queryable } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { OfferCategory } from '../db/tables/publishing.ts';
import { dayTasterKey, scopedDayTasters } from './day-tasters.ts';
import type { ReportFilters } from './filters.ts';

/**
 * Every figure of the coordinator's reports (and the provider's view) comes from here, computed in
 * SQL. Counts are cast ::int and averages ::float8 so PGlite and node-postgres return the same
 * numbers. Definitions, as the report page states them:
 *
 * - places offered: the capacity of published sessions starting in the period;
 * - booked: confirmed places, not counting walk-ins (they never take a booked place);
 * - attended: people marked attended, walk-ins included;
 * - no-shows: booked people marked "did not attend"; no-show rate = no-shows / booked people
 *   whose attendance was recorded;
 * - waiting-list demand: people who joined a waiting list and never got a place;
 * - fill rate: booked / places offered;
 * - feedback: feedback given on those bookings; confidence change = confidence after − before,
 *   over the people who answered both;
 * - referrers and referrals: link workers who attended a taster in the period and later recorded
 *   referrals to that taster's offer (from the taster's month on, including months after the
 *   period), and how many they recorded; "all referrals" counts the same months (the period's
 *   first month on), so it always includes them.
 *
 * The PCN filter is about people: it narrows bookings, feedback and referrals to link workers of
 * that PCN; places offered stay as they are.
 */

export type Dimension = 'total' | 'month' | 'organisation' | 'category' | 'offer' | 'pcn';

export type FunnelRow = {
  key: string;
  label: string;
  sessions: number | null;
  placesOffered: number | null;
  booked: number;
  attended: number;
  walkIns: number;
  noShows: number;
  attendanceRecorded: number;
  waitingDemand: number;
  attendees: number;
  feedbackCount: number;
  avgRating: number | null;
  avgAccessible: number | null;
  avgAppropriate: number | null;
  avgAdequate: number | null;
  avgAffordable: number | null;
  avgAvailable: number | null;
  /** How many answered each of the five As with 1–5 (not "don't know"). */
  answersAccessible: number;
  answersAppropriate: number;
  answersAdequate: number;
  answersAffordable: number;
  answersAvailable: number;
  avgConfidenceBefore: number | null;
  avgConfidenceAfter: number | null;
  avgConfidenceChange: number | null;
  confidencePairs: number;
  intendYes: number;
  intendMaybe: number;
  intendNo: number;
  referrers: number;
  referrals: number;
  fillRate: number | null;
  noShowRate: number | null;
};

/** Published sessions starting in the period, narrowed by organisation, kind and category. */
function scopedSessions(db: QueryCreator<Database>, f: ReportFilters) {
  return db
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .where('s.status', '=', 'published')
    .where('s.startsAt', '>=', f.start)
    .where('s.startsAt', '<', f.end)
    .$call((qb) => (f.organisationId === null ? qb : qb.where('o.organisationId', '=', f.organisationId)))
    .$call((qb) => (f.kind === null ? qb : qb.where('org.kind', '=', f.kind)))
    .$call((qb) => (f.category === null ? qb : qb.where('o.category', '=', f.category)));
}

// The month a session belongs to is its London month, not its UTC one.
const londonMonth = sql<string>`to_char(s.starts_at at time zone 'Europe/London', 'YYYY-MM')`;

function sessionKey(dimension: Exclude<Dimension, 'pcn'>): [key: RawBuilder<string>, label: RawBuilder<string>] {
  switch (dimension) {
    case 'total':
      return [sql<string>`'all'`, sql<string>`'All'`];
    case 'month':
      return [londonMonth, londonMonth];
    case 'organisation':
      return [sql<string>`org.id::text`, sql<string>`org.name`];
    case 'category':
      return [sql<string>`o.category`, sql<string>`o.category`];
    case 'offer':
      return [sql<string>`o.id::text`, sql<string>`o.title`];
  }
}

const PCN_NOT_RECORDED = 'PCN not recorded';

/** The funnel and its rates, one row per value of the dimension (one row for 'total'). */
export async function funnelBy(db: Queryable, f: ReportFilters, dimension: Dimension): Promise<FunnelRow[]> {
  const byPerson = dimension === 'pcn';
  const [key, label] = byPerson ? [sql<string>`''`, sql<string>`''`] : sessionKey(dimension);
  const [dayKey, dayLabel] = dimension === 'category' || dimension === 'offer' ? dayTasterKey(dimension) : [key, label];
  const personKey = sql<string>`coalesce(nullif(btrim(u.pcn), ''), ${PCN_NOT_RECORDED})`;

  // The answers of a feedback on a session or on a day's taster (both aliased f, joined to bk).
  const answerColumns = [
    'f.rating',
    'f.accessible',
    'f.appropriate',
    'f.adequate',
    'f.affordable',
    'f.available',
    'f.confidenceAfter',
    sql<string | null>`f.intends_to_refer`.as('intendsToRefer'),
    'bk.confidenceBefore',
  ] as const;

  const query = db
    .with('scoped', (qc) =>
      scopedSessions(qc, f)
        .select(['s.id', 's.capacity', sql<string | null>`s.offer_id`.as('offerId'), 's.startsAt', key.as('k'), label.as('label')])
        .unionAll(scopedDayTasters(qc, f).select(['dt.id', 'dt.capacity', 'dt.offerId', 's.startsAt', dayKey.as('k'), dayLabel.as('label')])),
    )
    .with('places', (qc) =>
      qc
        .selectFrom('scoped')
        .select([
          'k',
          sql<string>`max(label)`.as('label'),
          sql<number>`count(*)::int`.as('sessions'),
          sql<number>`coalesce(sum(capacity), 0)::int`.as('placesOffered'),
        ])
        .groupBy('k'),
    )
    .with('bk', (qc) =>
      qc
        .selectFrom('bookings as b')
        .innerJoin('scoped', 'scoped.id', 'b.tasterSessionId')
        .leftJoin('users as u', 'u.id', 'b.userId')
        .select([
          'b.id',
          'b.userId',
          'b.status',
          'b.attendance',
          'b.isWalkIn',
          'b.waitlistedAt',
          'b.confirmedAt',
          'b.confidenceBefore',
          'scoped.offerId',
          'scoped.startsAt',
          (byPerson ? personKey : sql<string>`scoped.k`).as('k'),
          (byPerson ? personKey : sql<string>`scoped.label`).as('label'),
        ])
        .$call((qb) => (f.pcn === null ? qb : qb.where('u.pcn', '=', f.pcn)))
        // A day's taster: the link workers' choices of it, with the confidence asked in its feedback.
        .unionAll(
          qc
            .selectFrom('dayTasterChoices as c')
            .innerJoin('dayRegistrations as r', 'r.id', 'c.registrationId')
            .innerJoin('scoped', 'scoped.id', 'c.dayTasterId')
            .leftJoin('users as u', 'u.id', 'r.userId')
            .leftJoin('dayFeedback as df', 'df.dayTasterChoiceId', 'c.id')
            .select([
              'c.id',
              'r.userId',
              'c.status',
              'c.attendance',
              sql<boolean>`false`.as('isWalkIn'),
              'c.waitlistedAt',
              'c.confirmedAt',
              'df.confidenceBefore',
              'scoped.offerId',
              'scoped.startsAt',
              (byPerson ? personKey : sql<string>`scoped.k`).as('k'),
              (byPerson ? personKey : sql<string>`scoped.label`).as('label'),
            ])
            .where('r.audience', '=', 'link_worker')
            .$call((qb) => (f.pcn === null ? qb : qb.where('u.pcn', '=', f.pcn))),
        ),
    )
    .with('bagg', (qc) =>
      qc
        .selectFrom('bk')
        .select([
          'k',
          sql<string>`max(label)`.as('label'),
          sql<number>`count(*) filter (where status = 'confirmed' and not is_walk_in)::int`.as('booked'),
          sql<number>`count(*) filter (where attendance = 'attended')::int`.as('attended'),
          sql<number>`count(*) filter (where attendance = 'attended' and is_walk_in)::int`.as('walkIns'),
          sql<number>`count(*) filter (where attendance = 'no_show' and not is_walk_in)::int`.as('noShows'),
          sql<number>`count(*) filter (where attendance is not null and not is_walk_in)::int`.as('attendanceRecorded'),
          sql<number>`count(*) filter (where waitlisted_at is not null and confirmed_at is null)::int`.as('waitingDemand'),
          sql<number>`count(distinct user_id) filter (where attendance = 'attended')::int`.as('attendees'),
        ])
        .groupBy('k'),
    )
    // Feedback on sessions and on days' tasters, as one set of answers.
    .with('fb', (qc) =>
      qc
        .selectFrom('feedback as f')
        .innerJoin('bk', 'bk.id', 'f.bookingId')
        .select(['bk.k', ...answerColumns])
        .unionAll(
          qc
            .selectFrom('dayFeedback as f')
            .innerJoin('bk', 'bk.id', 'f.dayTasterChoiceId')
            .select(['bk.k', ...answerColumns]),
        ),
    )
    .with('fagg', (qc) =>
      qc
        .selectFrom('fb as f')
        .select([
          'f.k',
          sql<number>`count(*)::int`.as('feedbackCount'),
          sql<number | null>`avg(f.rating)::float8`.as('avgRating'),
          sql<number | null>`avg(f.accessible)::float8`.as('avgAccessible'),
          sql<number | null>`avg(f.appropriate)::float8`.as('avgAppropriate'),
          sql<number | null>`avg(f.adequate)::float8`.as('avgAdequate'),
          sql<number | null>`avg(f.affordable)::float8`.as('avgAffordable'),
          sql<number | null>`avg(f.available)::float8`.as('avgAvailable'),
          sql<number>`count(f.accessible)::int`.as('answersAccessible'),
          sql<number>`count(f.appropriate)::int`.as('answersAppropriate'),
          sql<number>`count(f.adequate)::int`.as('answersAdequate'),
          sql<number>`count(f.affordable)::int`.as('answersAffordable'),
          sql<number>`count(f.available)::int`.as('answersAvailable'),
          sql<number | null>`avg(f.confidence_before) filter (where f.confidence_before is not null)::float8`.as('avgConfidenceBefore'),
          sql<number | null>`avg(f.confidence_after) filter (where f.confidence_before is not null)::float8`.as('avgConfidenceAfter'),
          sql<number | null>`avg(f.confidence_after - f.confidence_before)::float8`.as('avgConfidenceChange'),
          sql<number>`count(f.confidence_before)::int`.as('confidencePairs'),
          sql<number>`count(*) filter (where f.intends_to_refer = 'yes')::int`.as('intendYes'),
          sql<number>`count(*) filter (where f.intends_to_refer = 'maybe')::int`.as('intendMaybe'),
          sql<number>`count(*) filter (where f.intends_to_refer = 'no')::int`.as('intendNo'),
        ])
        .groupBy('f.k'),
    )
    // Each person's first taster of each offer in the group: referrals to that offer from that
    // month on are the ones the taster may have led to. Counted once per person and offer.
    .with('firstTries', (qc) =>
      qc
        .selectFrom('bk')
        .select(['k', 'userId', 'offerId', sql<Date>`min(starts_at)`.as('firstAt')])
        .where('attendance', '=', 'attended')
        .where('userId', 'is not', null)
        .groupBy(['k', 'userId', 'offerId']),
    )
    .with('ragg', (qc) =>
      qc
        .selectFrom('firstTries as t')
        .innerJoin('referralReports as r', (join) =>
          join
            .onRef('r.userId', '=', 't.userId')
            .onRef('r.offerId', '=', 't.offerId')
            .on(sql<boolean>`r.month >= date_trunc('month', t.first_at at time zone 'Europe/London')::date`),
        )
        .select(['t.k', sql<number>`count(distinct t.user_id)::int`.as('referrers'), sql<number>`coalesce(sum(r.referral_count), 0)::int`.as('referrals')])
        .groupBy('t.k'),
    );

  const figures = [
    sql<number>`coalesce(bagg.booked, 0)`.as('booked'),
    sql<number>`coalesce(bagg.attended, 0)`.as('attended'),
    sql<number>`coalesce(bagg.walk_ins, 0)`.as('walkIns'),
    sql<number>`coalesce(bagg.no_shows, 0)`.as('noShows'),
    sql<number>`coalesce(bagg.attendance_recorded, 0)`.as('attendanceRecorded'),
    sql<number>`coalesce(bagg.waiting_demand, 0)`.as('waitingDemand'),
    sql<number>`coalesce(bagg.attendees, 0)`.as('attendees'),
    sql<number>`coalesce(fagg.feedback_count, 0)`.as('feedbackCount'),
    'fagg.avgRating',
    'fagg.avgAccessible',
    'fagg.avgAppropriate',
    'fagg.avgAdequate',
    'fagg.avgAffordable',
    'fagg.avgAvailable',
    sql<number>`coalesce(fagg.answers_accessible, 0)`.as('answersAccessible'),
    sql<number>`coalesce(fagg.answers_appropriate, 0)`.as('answersAppropriate'),
    sql<number>`coalesce(fagg.answers_adequate, 0)`.as('answersAdequate'),
    sql<number>`coalesce(fagg.answers_affordable, 0)`.as('answersAffordable'),
    sql<number>`coalesce(fagg.answers_available, 0)`.as('answersAvailable'),
    'fagg.avgConfidenceBefore',
    'fagg.avgConfidenceAfter',
    'fagg.avgConfidenceChange',
    sql<number>`coalesce(fagg.confidence_pairs, 0)`.as('confidencePairs'),
    sql<number>`coalesce(fagg.intend_yes, 0)`.as('intendYes'),
    sql<number>`coalesce(fagg.intend_maybe, 0)`.as('intendMaybe'),
    sql<number>`coalesce(fagg.intend_no, 0)`.as('intendNo'),
    sql<number>`coalesce(ragg.referrers, 0)`.as('referrers'),
    sql<number>`coalesce(ragg.referrals, 0)`.as('referrals'),
    // Division by zero would be an error: an empty period has no rate, not an infinite one.
    sql<number | null>`coalesce(bagg.no_shows, 0)::float8 / nullif(bagg.attendance_recorded, 0)`.as('noShowRate'),
  ] as const;

  const rows = byPerson
    ? await query
        .selectFrom('bagg')
        .leftJoin('fagg', 'fagg.k', 'bagg.k')
        .leftJoin('ragg', 'ragg.k', 'bagg.k')
        .select([
          'bagg.k as key',
          'bagg.label',
          sql<number | null>`null::int`.as('sessions'),
          sql<number | null>`null::int`.as('placesOffered'),
          sql<number | null>`null::float8`.as('fillRate'),
          ...figures,
        ])
        .orderBy('bagg.label')
        .execute()
    : await query
        .selectFrom('places')
        .leftJoin('bagg', 'bagg.k', 'places.k')
        .leftJoin('fagg', 'fagg.k', 'places.k')
        .leftJoin('ragg', 'ragg.k', 'places.k')
        .select([
          'places.k as key',
          'places.label',
          'places.sessions',
          'places.placesOffered',
          sql<number | null>`coalesce(bagg.booked, 0)::float8 / nullif(places.places_offered, 0)`.as('fillRate'),
          ...figures,
        ])
        .orderBy('places.label')
        .execute();
  return rows as FunnelRow[];
}

/** A funnel row with nothing in it: the total of an empty period, or a month with no sessions. */
export function emptyFunnelRow(key: string, label: string, withPlaces = true): FunnelRow {
  return {
    key,
    label,
    sessions: withPlaces ? 0 : null,
    placesOffered: withPlaces ? 0 : null,
    booked: 0,
    attended: 0,
    walkIns: 0,
    noShows: 0,
    attendanceRecorded: 0,
    waitingDemand: 0,
    attendees: 0,
    feedbackCount: 0,
    avgRating: null,
    avgAccessible: null,
    avgAppropriate: null,
    avgAdequate: null,
    avgAffordable: null,
    avgAvailable: null,
    answersAccessible: 0,
    answersAppropriate: 0,
    answersAdequate: 0,
    answersAffordable: 0,
    answersAvailable: 0,
    avgConfidenceBefore: null,
    avgConfidenceAfter: null,
    avgConfidenceChange: null,
    confidencePairs: 0,
    intendYes: 0,
    intendMaybe: 0,
    intendNo: 0,
    referrers: 0,
    referrals: 0,
    fillRate: null,
    noShowRate: null,
  };
}

/**
 * All referrals recorded, by anyone, to offers matching the filters, for the period's first month
 * and every month after it: the whole of which the funnel's "referrals reported" is a part. The
 * funnel counts referrals a taster led to from the taster's month on, with no end (referrals come
 * weeks later), so a whole that stopped at the period's last month could be smaller than its part.
 */
export async function referralsRecordedSincePeriodStart(db: Queryable, f: ReportFilters) {
  return db
    .selectFrom('referralReports as r')
    .innerJoin('offers as o', 'o.id', 'r.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .leftJoin('users as u', 'u.id', 'r.userId')
    .select([sql<number>`coalesce(sum(r.referral_count), 0)::int`.as('referrals'), sql<number>`count(distinct r.user_id)::int`.as('linkWorkers')])
    .where('r.month', '>=', f.fromMonth)
    .$call((qb) => (f.organisationId === null ? qb : qb.where('o.organisationId', '=', f.organisationId)))
    .$call((qb) => (f.kind === null ? qb : qb.where('org.kind', '=', f.kind)))
    .$call((qb) => (f.category === null ? qb : qb.where('o.category', '=', f.category)))
    .$call((qb) => (f.pcn === null ? qb : qb.where('u.pcn', '=', f.pcn)))
    .executeTakeFirstOrThrow();
}

/** Coverage: PCNs whose active link workers attended no taster in the period. */
export async function pcnsWithoutAttendance(db: Queryable, f: ReportFilters) {
  return (
    db
      .with('scoped', (qc) => scopedSessions(qc, f).select(['s.id']))
      .selectFrom('users as u')
      .select(['u.pcn', sql<number>`count(*)::int`.as('linkWorkers')])
      .where('u.role', '=', 'link_worker')
      .where('u.status', '=', 'active')
      .where('u.pcn', 'is not', null)
      .where(sql<boolean>`btrim(u.pcn) <> ''`)
      .$call((qb) => (f.pcn === null ? qb : qb.where('u.pcn', '=', f.pcn)))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('bookings as b')
              .innerJoin('scoped', 'scoped.id', 'b.tasterSessionId')
              .innerJoin('users as a', 'a.id', 'b.userId')
              .select(sql`1`.as('one'))
              .whereRef('a.pcn', '=', 'u.pcn')
              .where('b.attendance', '=', 'attended'),
          ),
        ),
      )
      // A taster tried on a day counts as attending too.
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('dayTasterChoices as c')
              .innerJoin('dayRegistrations as r', 'r.id', 'c.registrationId')
              .innerJoin('users as a', 'a.id', 'r.userId')
              .select(sql`1`.as('one'))
              .whereRef('a.pcn', '=', 'u.pcn')
              .where('c.attendance', '=', 'attended')
              .where('c.dayTasterId', 'in', scopedDayTasters(db, f).select('dt.id')),
          ),
        ),
      )
      .groupBy('u.pcn')
      .orderBy('u.pcn')
      .execute() as Promise<Array<{ pcn: string; linkWorkers: number }>>
  );
}

/** Coverage: the categories that had at least one session in the period (the rest had none). */
export async function categoriesWithSessions(db: Queryable, f: ReportFilters): Promise<OfferCategory[]> {
  const [sessions, dayTasters] = await Promise.all([
    scopedSessions(db, f).select('o.category').distinct().execute(),
    scopedDayTasters(db, f).select('o.category').distinct().where('o.category', 'is not', null).execute(),
  ]);
  return [...new Set([...sessions, ...dayTasters].flatMap((r) => (r.category ? [r.category] : [])))];
}

/** The choices for the report's filters. */
export async function filterChoices(db: Queryable) {
  const [organisations, pcns] = await Promise.all([
    db.selectFrom('organisations').select(['id', 'name']).orderBy('name').execute(),
    db
      .selectFrom('users')
      .select('pcn')
      .distinct()
      .where('role', '=', 'link_worker')
      .where('pcn', 'is not', null)
      .where(sql<boolean>`btrim(pcn) <> ''`)
      .orderBy('pcn')
      .execute(),
  ]);
  return { organisations, pcns: pcns.flatMap((p) => (p.pcn === null ? [] : [p.pcn])) };
}

// The provider's own queries live beside this file; re-exported for callers that read them here.
export { MIN_GROUP_SIZE, offerComments, referralsToOffers, sessionAttendance } from './provider-queries.ts';
