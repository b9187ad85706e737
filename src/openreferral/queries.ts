import { sql } from 'kysely';
import type { Queryable } from '../db/database.ts';
import { publishedPairs } from './location-queries.ts';
import type { FeedOffer, OfferSessions } from './mapping.ts';
import { count, now, type OfferFilters, type Paging, publishedOffers, selectOffer, toFeedOffer } from './published-queries.ts';

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

/** Every published offer of one organisation, in title order. */
export async function findPublishedOffersOf(db: Queryable, organisationId: string): Promise<FeedOffer[]> {
  const rows = await selectOffer(publishedOffers(db, { organisationId }))
    .orderBy(sql`lower(${sql.ref('offers.title')})`)
    .orderBy('offers.id')
    .execute();
  return rows.map(toFeedOffer);
}

export type UpcomingTaster = { startsAt: Date; endsAt: Date; isOnline: boolean; venueId: string | null };

/**
 * The next published tasters of an offer: when, and where (the venue's id, looked up among the
 * offer's published venues). Nothing about who booked, or how many places are left.
 */
export async function findUpcomingTasters(db: Queryable, offerId: string, limit: number): Promise<UpcomingTaster[]> {
  const rows = await db
    .selectFrom('tasterSessions')
    .where('offerId', '=', offerId)
    .where('status', '=', 'published')
    .where('startsAt', '>=', now)
    .select(['startsAt', 'endsAt', 'isOnline', 'venueId'])
    .orderBy('startsAt')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ startsAt: new Date(row.startsAt), endsAt: new Date(row.endsAt), isOnline: row.isOnline, venueId: row.venueId }));
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
