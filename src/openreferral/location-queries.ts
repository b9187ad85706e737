import { type Expression, sql } from 'kysely';
import type { Queryable } from '../db/database.ts';
import { FEED_NAMESPACE } from './ids.ts';
import type { FeedVenue } from './location-mapping.ts';
import type { FeedOffer } from './mapping.ts';
import { countAll, type LocationFilters, now, offerSelection, type Paging, publishedOffers, toFeedOffer } from './published-queries.ts';

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

export function publishedPairs(db: Queryable, filters: LocationFilters) {
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
    publishedPairs(db, filters)
      .select(countAll)
      .executeTakeFirstOrThrow()
      .then((row) => row.count),
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
