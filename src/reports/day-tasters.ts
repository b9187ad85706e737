import { type QueryCreator, type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { ReportFilters } from './filters.ts';

/**
 * A taster day's tasters in the reports (issue 15): each taster of a published day's slot counts
 * as a taster run, beside the sessions, by its slot's start time, its organisation and the offer
 * behind it (a taster not linked to an offer has the category "no_offer" and is its own "offer").
 * Its places are the link workers' choices of it, and its feedback is the feedback on it; the
 * reports are about link workers, so cultural-sector staff who try a taster count on the day's
 * own report only.
 *
 * The slot is aliased `s`, like the session, so the same month expression serves both.
 */
export function scopedDayTasters(db: QueryCreator<Database>, f: ReportFilters) {
  return db
    .selectFrom('dayTasters as dt')
    .innerJoin('dayProgrammeItems as s', 's.id', 'dt.programmeItemId')
    .innerJoin('tasterDays as d', 'd.id', 's.tasterDayId')
    .innerJoin('organisations as org', 'org.id', 'dt.organisationId')
    .leftJoin('offers as o', 'o.id', 'dt.offerId')
    .where('d.status', '=', 'published')
    .where('s.startsAt', '>=', f.start)
    .where('s.startsAt', '<', f.end)
    .$call((qb) => (f.organisationId === null ? qb : qb.where('dt.organisationId', '=', f.organisationId)))
    .$call((qb) => (f.kind === null ? qb : qb.where('org.kind', '=', f.kind)))
    .$call((qb) => (f.category === null ? qb : qb.where('o.category', '=', f.category)));
}

export const NO_OFFER = 'no_offer';
export const NO_OFFER_LABEL = 'Not linked to an offer';

/** The group a day's taster falls in, for the dimensions that differ from a session's. */
export function dayTasterKey(dimension: 'category' | 'offer'): [key: RawBuilder<string>, label: RawBuilder<string>] {
  return dimension === 'category'
    ? [sql<string>`coalesce(o.category, ${NO_OFFER})`, sql<string>`coalesce(o.category, ${NO_OFFER_LABEL})`]
    : [sql<string>`coalesce(o.id::text, dt.id::text)`, sql<string>`coalesce(o.title, dt.title)`];
}
