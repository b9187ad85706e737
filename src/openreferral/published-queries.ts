import { type SqlBool, sql } from 'kysely';
import type { Queryable } from '../db/database.ts';
import type { OfferCategory, Weekday } from '../db/tables/publishing.ts';
import type { FeedOffer } from './mapping.ts';

// The one place that decides what the feed may publish; every query of the feed starts here
// (queries.ts for services, location-queries.ts for services at locations).

export type OfferFilters = {
  search?: string | undefined;
  category?: OfferCategory | undefined;
  organisationId?: string | undefined;
  modifiedAfter?: Date | undefined;
  minimumAge?: number | undefined;
  maximumAge?: number | undefined;
  day?: Weekday | undefined;
  /** 'HH:MM:SS' */
  startTime?: string | undefined;
  endTime?: string | undefined;
};

export type LocationFilters = OfferFilters & {
  /** The outward code of a postcode ("OX1" of "OX1 3BG"). */
  postcodeDistrict?: string | undefined;
};

export type Paging = { page: number; perPage: number };

export const now = sql<Date>`now()`;

/** Text for a LIKE pattern, its wildcards taken literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// When anything about a service last changed: the offer, its organisation or its usual venue.
const lastModified = sql<Date>`greatest(${sql.ref('offers.updatedAt')}, ${sql.ref('organisations.updatedAt')}, ${sql.ref('usualVenue.updatedAt')})`;

/**
 * The published offers: active, of an organisation that publishes open data. Every query of the
 * feed starts here, so nothing else can leak into it.
 */
export function publishedOffers(db: Queryable, filters: OfferFilters) {
  let query = db
    .selectFrom('offers')
    .innerJoin('organisations', 'organisations.id', 'offers.organisationId')
    .leftJoin('venues as usualVenue', (join) =>
      join
        .onRef('usualVenue.id', '=', 'offers.usualVenueId')
        .onRef('usualVenue.organisationId', '=', 'offers.organisationId')
        .on('usualVenue.archivedAt', 'is', null),
    )
    .where('offers.status', '=', 'active')
    .where('organisations.publishesOpenData', '=', true);

  for (const word of (filters.search ?? '').split(/\s+/).filter(Boolean).slice(0, 10)) {
    const pattern = `%${escapeLike(word)}%`;
    query = query.where((eb) =>
      eb.or([eb('offers.title', 'ilike', pattern), eb('offers.description', 'ilike', pattern), eb('organisations.name', 'ilike', pattern)]),
    );
  }
  if (filters.category) query = query.where('offers.category', '=', filters.category);
  if (filters.organisationId) query = query.where('offers.organisationId', '=', filters.organisationId);
  if (filters.modifiedAfter) query = query.where(lastModified, '>=', filters.modifiedAfter);
  // The profile: "a minimum age of at least" and "a maximum age equal to or below" the value.
  // An offer with no minimum starts at 0. An offer with no maximum has no upper limit: it is open
  // to every age, so maximum_age never rules it out (maximum_age=99 would otherwise find almost
  // nothing, since most offers state no maximum); only a stated maximum above the bound does.
  if (filters.minimumAge !== undefined) query = query.where(sql<number>`coalesce(${sql.ref('offers.minAge')}, 0)`, '>=', filters.minimumAge);
  const { maximumAge } = filters;
  if (maximumAge !== undefined) query = query.where((eb) => eb.or([eb('offers.maxAge', 'is', null), eb('offers.maxAge', '<=', maximumAge)]));
  if (filters.day) query = query.where(sql<SqlBool>`${filters.day} = any(${sql.ref('offers.scheduleDays')})`);
  if (filters.startTime) query = query.where(sql<SqlBool>`${sql.ref('offers.scheduleStartTime')} >= cast(${filters.startTime} as time)`);
  if (filters.endTime) query = query.where(sql<SqlBool>`${sql.ref('offers.scheduleEndTime')} <= cast(${filters.endTime} as time)`);
  return query;
}

export type PublishedOffers = ReturnType<typeof publishedOffers>;

// Explicit columns only: nothing about people (no users, no session creators) can reach the feed.
export const offerSelection = [
  'offers.id',
  'offers.organisationId',
  'offers.title',
  'offers.category',
  'offers.description',
  'offers.suits',
  'offers.scheduleFrequency',
  'offers.scheduleDays',
  'offers.scheduleWeekOfMonth',
  // Cast so that PGlite and node-postgres return the same types.
  sql<string | null>`${sql.ref('offers.scheduleStartTime')}::text`.as('scheduleStartTime'),
  sql<string | null>`${sql.ref('offers.scheduleEndTime')}::text`.as('scheduleEndTime'),
  'offers.scheduleNote',
  'offers.usualVenueId',
  'offers.isFree',
  sql<number | null>`${sql.ref('offers.costAmount')}::float8`.as('costAmount'),
  'offers.costNote',
  'offers.howToRefer',
  'offers.referralEmail',
  'offers.referralPhone',
  'offers.minAge',
  'offers.maxAge',
  'offers.status',
  lastModified.as('lastModified'),
  'organisations.name as organisationName',
  'organisations.description as organisationDescription',
  'organisations.website as organisationWebsite',
  'organisations.contactEmail as organisationEmail',
  'organisations.contactPhone as organisationPhone',
] as const;

export function selectOffer(query: PublishedOffers) {
  return query.select(offerSelection);
}

export type OfferRow = Awaited<ReturnType<ReturnType<typeof selectOffer>['executeTakeFirstOrThrow']>>;

export function toFeedOffer(row: OfferRow): FeedOffer {
  return {
    id: row.id,
    organisationId: row.organisationId,
    title: row.title,
    category: row.category,
    description: row.description,
    suits: row.suits,
    scheduleFrequency: row.scheduleFrequency,
    scheduleDays: row.scheduleDays ?? [],
    scheduleWeekOfMonth: row.scheduleWeekOfMonth,
    scheduleStartTime: row.scheduleStartTime,
    scheduleEndTime: row.scheduleEndTime,
    scheduleNote: row.scheduleNote,
    isFree: row.isFree,
    costAmount: row.costAmount === null ? null : Number(row.costAmount),
    costNote: row.costNote,
    howToRefer: row.howToRefer,
    referralEmail: row.referralEmail,
    referralPhone: row.referralPhone,
    minAge: row.minAge,
    maxAge: row.maxAge,
    status: row.status,
    lastModified: new Date(row.lastModified),
    organisation: {
      id: row.organisationId,
      name: row.organisationName,
      description: row.organisationDescription,
      website: row.organisationWebsite,
      contactEmail: row.organisationEmail,
      contactPhone: row.organisationPhone,
    },
  };
}

export const countAll = sql<number>`count(*)::int`.as('count');

export async function count(query: PublishedOffers): Promise<number> {
  return (await query.select(countAll).executeTakeFirstOrThrow()).count;
}
