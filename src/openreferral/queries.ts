import { type Expression, type SqlBool, sql } from 'kysely';
import type { Queryable } from '../db/database.ts';
import type { OfferCategory, Weekday } from '../publishing/tables.ts';
import { FEED_NAMESPACE } from './ids.ts';
import type { FeedOffer, FeedVenue, OfferSessions } from './mapping.ts';

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

const now = sql<Date>`now()`;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// When anything about a service last changed: the offer, its organisation or its usual venue.
const lastModified = sql<Date>`greatest(${sql.ref('offers.updatedAt')}, ${sql.ref('organisations.updatedAt')}, ${sql.ref('usualVenue.updatedAt')})`;

/**
 * The published offers: active, of an organisation that publishes open data. Every query of the
 * feed starts here, so nothing else can leak into it.
 */
function publishedOffers(db: Queryable, filters: OfferFilters) {
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
  if (filters.minimumAge !== undefined) query = query.where(sql<number>`coalesce(${sql.ref('offers.minAge')}, 0)`, '>=', filters.minimumAge);
  if (filters.maximumAge !== undefined) query = query.where('offers.maxAge', '<=', filters.maximumAge);
  if (filters.day) query = query.where(sql<SqlBool>`${filters.day} = any(${sql.ref('offers.scheduleDays')})`);
  if (filters.startTime) query = query.where(sql<SqlBool>`${sql.ref('offers.scheduleStartTime')} >= cast(${filters.startTime} as time)`);
  if (filters.endTime) query = query.where(sql<SqlBool>`${sql.ref('offers.scheduleEndTime')} <= cast(${filters.endTime} as time)`);
  return query;
}

type PublishedOffers = ReturnType<typeof publishedOffers>;

// Explicit columns only: nothing about people (no users, no session creators) can reach the feed.
const offerSelection = [
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

function selectOffer(query: PublishedOffers) {
  return query.select(offerSelection);
}

type OfferRow = Awaited<ReturnType<ReturnType<typeof selectOffer>['executeTakeFirstOrThrow']>>;

function toFeedOffer(row: OfferRow): FeedOffer {
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

const countAll = sql<number>`count(*)::int`.as('count');

async function count(query: PublishedOffers): Promise<number> {
  return (await query.select(countAll).executeTakeFirstOrThrow()).count;
}

export async function listPublishedOffers(db: Queryable, filters: OfferFilters, paging: Paging) {
  const [total, rows] = await Promise.all([
    count(publishedOffers(db, filters)),
    selectOffer(publishedOffers(db, filters))
      .orderBy(sql`lower(${sql.ref('offers.title')})`)
      .orderBy('offers.id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
  ]);
  return { total, offers: rows.map(toFeedOffer) };
}

export async function findPublishedOffer(db: Queryable, id: string): Promise<FeedOffer | undefined> {
  const row = await selectOffer(publishedOffers(db, {})).where('offers.id', '=', id).executeTakeFirst();
  return row && toFeedOffer(row);
}

/**
 * Where an offer happens: its usual venue, and the venue of every upcoming published taster.
 * Archived venues and venues of another organisation are never published.
 */
function offerVenuePairs(db: Queryable) {
  const usual = db
    .selectFrom('offers')
    .innerJoin('venues', (join) => join.onRef('venues.id', '=', 'offers.usualVenueId').onRef('venues.organisationId', '=', 'offers.organisationId'))
    .where('venues.archivedAt', 'is', null)
    .select(['offers.id as offerId', 'venues.id as venueId']);
  const sessions = db
    .selectFrom('tasterSessions')
    .innerJoin('offers', 'offers.id', 'tasterSessions.offerId')
    .innerJoin('venues', (join) => join.onRef('venues.id', '=', 'tasterSessions.venueId').onRef('venues.organisationId', '=', 'offers.organisationId'))
    .where('venues.archivedAt', 'is', null)
    .where('tasterSessions.status', '=', 'published')
    .where('tasterSessions.startsAt', '>=', now)
    .select(['offers.id as offerId', 'venues.id as venueId']);
  return usual.union(sessions);
}

/**
 * The id of an offer at a venue, computed by the database exactly as serviceAtLocationId (ids.ts)
 * computes it: an RFC 9562 version 3 UUID of "<offer id>/<venue id>" in our namespace.
 */
export function serviceAtLocationIdSql(offerId: Expression<string>, venueId: Expression<string>) {
  const namespace = FEED_NAMESPACE.replace(/-/g, '');
  return sql<string>`(select overlay(overlay(digest.h placing '3' from 13 for 1)
      placing substr('89ab', (('x' || substr(digest.h, 17, 1))::bit(4)::int & 3) + 1, 1) from 17 for 1)::uuid::text
    from (select md5(decode(${namespace}, 'hex') || convert_to(${offerId}::text || '/' || ${venueId}::text, 'UTF8')) as h) as digest)`;
}

function publishedPairs(db: Queryable, filters: LocationFilters) {
  let query = publishedOffers(db, filters)
    .innerJoin(offerVenuePairs(db).as('pairs'), 'pairs.offerId', 'offers.id')
    .innerJoin('venues as place', 'place.id', 'pairs.venueId');
  if (filters.postcodeDistrict) {
    const compact = sql<string>`replace(upper(${sql.ref('place.postcode')}), ' ', '')`;
    query = query.where(sql<string>`left(${compact}, length(${compact}) - 3)`, '=', filters.postcodeDistrict);
  }
  return query;
}

const venueSelection = [
  'place.id as venueId',
  'place.name as venueName',
  'place.addressLine1 as venueAddressLine1',
  'place.addressLine2 as venueAddressLine2',
  'place.town as venueTown',
  'place.postcode as venuePostcode',
  'place.latitude as venueLatitude',
  'place.longitude as venueLongitude',
  'place.stepFree as venueStepFree',
  'place.accessibleToilet as venueAccessibleToilet',
  'place.hearingLoop as venueHearingLoop',
  'place.seating as venueSeating',
  'place.parking as venueParking',
  'place.quietSpace as venueQuietSpace',
  'place.travelNotes as venueTravelNotes',
  'place.accessNotes as venueAccessNotes',
] as const;

function selectPair(query: ReturnType<typeof publishedPairs>) {
  return query.select([...offerSelection, ...venueSelection]);
}

type PairRow = Awaited<ReturnType<ReturnType<typeof selectPair>['executeTakeFirstOrThrow']>>;

function toFeedVenue(row: PairRow): FeedVenue {
  return {
    id: row.venueId,
    name: row.venueName,
    addressLine1: row.venueAddressLine1,
    addressLine2: row.venueAddressLine2,
    town: row.venueTown,
    postcode: row.venuePostcode,
    latitude: row.venueLatitude === null ? null : Number(row.venueLatitude),
    longitude: row.venueLongitude === null ? null : Number(row.venueLongitude),
    stepFree: row.venueStepFree,
    accessibleToilet: row.venueAccessibleToilet,
    hearingLoop: row.venueHearingLoop,
    seating: row.venueSeating,
    parking: row.venueParking,
    quietSpace: row.venueQuietSpace,
    travelNotes: row.venueTravelNotes,
    accessNotes: row.venueAccessNotes,
  };
}

export type OfferAtVenue = { offer: FeedOffer; venue: FeedVenue };

function toPair(row: PairRow): OfferAtVenue {
  return { offer: toFeedOffer(row), venue: toFeedVenue(row) };
}

export async function listPublishedPairs(db: Queryable, filters: LocationFilters, paging: Paging) {
  const [total, rows] = await Promise.all([
    publishedPairs(db, filters).select(countAll).executeTakeFirstOrThrow().then((row) => row.count),
    selectPair(publishedPairs(db, filters))
      .orderBy(sql`lower(${sql.ref('offers.title')})`)
      .orderBy(sql`lower(${sql.ref('place.name')})`)
      .orderBy('offers.id')
      .orderBy('place.id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
  ]);
  return { total, pairs: rows.map(toPair) };
}

/** The offer at a venue whose service_at_location id this is (the id is validated as a UUID first). */
export async function findPublishedPair(db: Queryable, serviceAtLocationId: string): Promise<OfferAtVenue | undefined> {
  const query = publishedPairs(db, {}).where(
    serviceAtLocationIdSql(sql.ref('pairs.offerId'), sql.ref('pairs.venueId')),
    '=',
    serviceAtLocationId.toLowerCase(),
  );
  const row = await selectPair(query).executeTakeFirst();
  return row && toPair(row);
}

/** The published venues of some published offers, usual venue first, then by name. */
export async function findVenuesOfOffers(db: Queryable, offerIds: string[]): Promise<Map<string, FeedVenue[]>> {
  const venues = new Map<string, FeedVenue[]>(offerIds.map((id) => [id, []]));
  if (!offerIds.length) return venues;
  const rows = await selectPair(publishedPairs(db, {}).where('offers.id', 'in', offerIds))
    // The usual venue first: it is where the offer normally runs.
    .orderBy(sql`case when ${sql.ref('place.id')} = ${sql.ref('offers.usualVenueId')} then 0 else 1 end`)
    .orderBy(sql`lower(${sql.ref('place.name')})`)
    .orderBy('place.id')
    .execute();
  for (const row of rows) venues.get(row.id)?.push(toFeedVenue(row));
  return venues;
}

/** For each offer: when its next published taster starts, and whether any upcoming one is online. */
export async function findSessionFacts(db: Queryable, offerIds: string[]): Promise<Map<string, OfferSessions>> {
  const facts = new Map<string, OfferSessions>(offerIds.map((id) => [id, { nextStartsAt: null, online: false }]));
  if (!offerIds.length) return facts;
  const rows = await db
    .selectFrom('tasterSessions')
    .where('offerId', 'in', offerIds)
    .where('status', '=', 'published')
    .where('startsAt', '>=', now)
    .groupBy('offerId')
    .select(['offerId', sql<Date>`min(starts_at)`.as('nextStartsAt'), sql<boolean>`bool_or(is_online)`.as('online')])
    .execute();
  for (const row of rows) facts.set(row.offerId, { nextStartsAt: new Date(row.nextStartsAt), online: row.online });
  return facts;
}

export type FeedSummary = {
  services: number;
  locations: number;
  organisations: Array<{ id: string; name: string; publishesOpenData: boolean; activeOffers: number }>;
};

/** What the feed publishes today, and which organisations keep their offers out of it. */
export async function summariseFeed(db: Queryable): Promise<FeedSummary> {
  const [services, locations, organisations] = await Promise.all([
    count(publishedOffers(db, {})),
    publishedPairs(db, {})
      .select(sql<number>`count(distinct ${sql.ref('place.id')})::int`.as('count'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('organisations')
      .leftJoin('offers', (join) => join.onRef('offers.organisationId', '=', 'organisations.id').on('offers.status', '=', 'active'))
      .groupBy(['organisations.id', 'organisations.name', 'organisations.publishesOpenData'])
      .select([
        'organisations.id',
        'organisations.name',
        'organisations.publishesOpenData',
        sql<number>`count(${sql.ref('offers.id')})::int`.as('activeOffers'),
      ])
      .orderBy(sql`lower(${sql.ref('organisations.name')})`)
      .execute(),
  ]);
  return { services, locations: locations.count, organisations };
}
