import { type Expression, type SqlBool, sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Queryable } from '../db/database.ts';
import { weekdays } from '../db/tables/publishing.ts';
import { LONDON } from '../lib/view-helpers.ts';
import { type FindFilters, MATCH_LIMIT, PAGE_SIZE } from './schemas.ts';

// Hours are London wall-clock hours, so "morning" means the same before and after a clock change.
// Each session keeps its own London hour and weekday (migration 20261123_0701), in the find index.
const londonHour = sql<number>`s.starts_hour_london`;
const londonWeekday = sql<number>`s.starts_weekday_london`;
const confirmedCount = sql<number>`(select count(*)::int from bookings c where c.taster_session_id = s.id and c.status = 'confirmed' and not c.is_walk_in)`;

const hourRanges = {
  morning: sql<SqlBool>`${londonHour} < 12`,
  afternoon: sql<SqlBool>`${londonHour} >= 12 and ${londonHour} < 17`,
  evening: sql<SqlBool>`${londonHour} >= 17`,
};

const startOfLondonDay = (isoDate: string, plusDays = 0) => DateTime.fromISO(isoDate, { zone: LONDON }).plus({ days: plusDays }).startOf('day').toJSDate();

/**
 * Upcoming published sessions matching the filters, soonest first, one page at a time, with the
 * number of matches up to `matchLimit` (`more` when there are more than that). `viewerId` adds the
 * viewer's own booking status to each row.
 */
export async function findSessions(
  db: Queryable,
  filters: FindFilters,
  viewer: string | null | { id: string; pcn: string | null },
  now = new Date(),
  matchLimit = MATCH_LIMIT,
) {
  const viewerId = typeof viewer === 'string' || viewer === null ? viewer : viewer.id;
  // The places the viewer can book: places kept for another PCN until their release are not theirs
  // (session_places_for, migration 20261204_0501). Without a PCN, only the places nobody keeps.
  const viewerPcn = typeof viewer === 'string' || viewer === null ? null : viewer.pcn;
  const placesForViewer = sql<number>`session_places_for(s.id, ${viewerPcn}::text, ${now}::timestamptz)`;
  // Every filter is on the session's own columns (all in the taster_sessions_find index) or a
  // semi-join to the few offers, organisations or venues that qualify: the matches come from the
  // index without reading session rows or joining tables no filter asks about.
  let query = db.selectFrom('tasterSessions as s').where('s.status', '=', 'published').where('s.startsAt', '>', now);

  if (filters.q) {
    const words = sql`websearch_to_tsquery('english', ${filters.q})`;
    // A search of only common words ("the", "and") has nothing to look for: it filters nothing.
    query = query.where(sql<SqlBool>`(numnode(${words}) = 0 or s.offer_id in (select d.offer_id from offer_search_documents d where d.document @@ ${words}))`);
  }
  const { category, kind } = filters;
  if (category) query = query.where('s.offerId', 'in', (eb) => eb.selectFrom('offers').select('id').where('category', '=', category));
  if (kind) {
    query = query.where('s.offerId', 'in', (eb) =>
      eb.selectFrom('offers as ko').innerJoin('organisations as kg', 'kg.id', 'ko.organisationId').select('ko.id').where('kg.kind', '=', kind),
    );
  }
  if (filters.from) query = query.where('s.startsAt', '>=', startOfLondonDay(filters.from));
  if (filters.to) query = query.where('s.startsAt', '<', startOfLondonDay(filters.to, 1));
  if (filters.day.length) {
    const numbers = filters.day.map((day) => weekdays.indexOf(day) + 1);
    query = query.where(sql<SqlBool>`${londonWeekday} in (${sql.join(numbers)})`);
  }
  if (filters.time.length) {
    const ranges: Array<Expression<SqlBool>> = filters.time.map((time) => hourRanges[time]);
    query = query.where((eb) => eb.or(ranges));
  }
  if (filters.available) query = query.where(sql<SqlBool>`s.capacity > ${confirmedCount} and ${placesForViewer} > 0`);
  // Online sessions need no steps: they stay in when step-free access is asked for.
  if (filters.stepFree) {
    query = query.where((eb) => eb.or([eb('s.isOnline', '=', true), eb('s.venueId', 'in', eb.selectFrom('venues').select('id').where('stepFree', '=', true))]));
  }
  const place = filters.place;
  if (place?.kind === 'district') {
    query = query.where('s.venueId', 'in', (eb) =>
      eb.selectFrom('venues').select('id').where(sql<SqlBool>`left(upper(replace(postcode, ' ', '')), -3) = ${place.value}`),
    );
  } else if (place?.kind === 'town') {
    query = query.where('s.venueId', 'in', (eb) => eb.selectFrom('venues').select('id').where(sql<SqlBool>`lower(town) = lower(${place.value})`));
  }

  // The soonest matches first, at most one more than the limit, fenced off (materialized), then one
  // page of them with its details. In start order with a limit, PostgreSQL walks the find index
  // from now and stops; fenced, it cannot cost the page's details as if it could stop after 20.
  const matches = query
    .select(['s.id', 's.startsAt'])
    .orderBy('s.startsAt')
    .orderBy('s.id')
    .limit(matchLimit + 1);
  const rows = await db
    .with(
      (cte) => cte('matches').materialized(),
      () => matches,
    )
    .selectFrom((eb) =>
      eb
        .selectFrom('matches')
        .select(['matches.id', 'matches.startsAt'])
        .orderBy('matches.startsAt')
        .orderBy('matches.id')
        .limit(PAGE_SIZE)
        .offset((filters.page - 1) * PAGE_SIZE)
        .as('p'),
    )
    .innerJoin('tasterSessions as s', 's.id', 'p.id')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as g', 'g.id', 'o.organisationId')
    .leftJoin('venues as v', 'v.id', 's.venueId')
    .select([
      's.id',
      's.startsAt',
      's.endsAt',
      's.capacity',
      's.bookingClosesAt',
      's.isOnline',
      'o.title',
      'o.category',
      'o.isFree',
      'g.name as organisationName',
      'g.kind as organisationKind',
      'v.name as venueName',
      'v.town',
      'v.postcode',
      'v.stepFree',
      confirmedCount.as('confirmed'),
      placesForViewer.as('placesForViewer'),
      sql<string | null>`(select m.status from bookings m where m.taster_session_id = s.id and m.user_id = ${viewerId} and m.status <> 'cancelled' limit 1)`.as(
        'myStatus',
      ),
      sql<number>`(select count(*)::int from matches)`.as('total'),
    ])
    .orderBy('p.startsAt')
    .orderBy('p.id')
    .execute();

  // Past the last page no row carries the count: count once so the page can say so.
  let counted = rows[0]?.total ?? 0;
  if (rows.length === 0 && filters.page > 1) {
    const row = await db.selectFrom(matches.as('m')).select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow();
    counted = row.total;
  }
  return { rows, total: Math.min(counted, matchLimit), more: counted > matchLimit };
}

export type FindRow = Awaited<ReturnType<typeof findSessions>>['rows'][number];
