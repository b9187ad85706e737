import { sql } from 'kysely';
import type { Queryable } from '../db/database.ts';
import type { OfferCategory } from '../db/tables/publishing.ts';
import { publishedPairs } from '../openreferral/location-queries.ts';
import { count, publishedOffers, selectOffer, toFeedOffer } from '../openreferral/published-queries.ts';

// The public pages read through the feed's queries (openreferral/published-queries.ts), which
// decide what may be published: an active offer of an organisation that agreed. Nothing here
// widens that.

/** An organisation that publishes, with what its public page shows; undefined for any other. */
export async function findPublishingOrganisation(db: Queryable, id: string) {
  return db
    .selectFrom('organisations')
    .select(['id', 'name', 'kind', 'description', 'website', 'contactEmail', 'contactPhone', 'embedWebsites', 'updatedAt'])
    .where('id', '=', id)
    .where('publishesOpenData', '=', true)
    .executeTakeFirst();
}

export type PublicFilters = { category: OfferCategory | null; town: string | null };

function townMatches(db: Queryable, town: string) {
  return publishedPairs(db, {})
    .where(sql<string>`lower(trim(${sql.ref('place.town')}))`, '=', town.toLowerCase())
    .select('offers.id');
}

/** The published offers, by category and by a town they run in, a page at a time, in title order. */
export async function listPublicOffers(db: Queryable, filters: PublicFilters, paging: { page: number; perPage: number }) {
  let query = publishedOffers(db, { category: filters.category ?? undefined });
  if (filters.town) query = query.where('offers.id', 'in', townMatches(db, filters.town));
  const [total, rows] = await Promise.all([
    count(query),
    selectOffer(query)
      .orderBy(sql`lower(${sql.ref('offers.title')})`)
      .orderBy('offers.id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
  ]);
  return { total, offers: rows.map(toFeedOffer) };
}

/** The towns published offers run in, each once, in alphabetical order: the index's choices. */
export async function listPublicTowns(db: Queryable): Promise<string[]> {
  const rows = await publishedPairs(db, {})
    .where(sql<string>`trim(${sql.ref('place.town')})`, '<>', '')
    .groupBy(sql`lower(trim(${sql.ref('place.town')}))`)
    .select(sql<string>`min(trim(${sql.ref('place.town')}))`.as('town'))
    .orderBy(sql`lower(trim(${sql.ref('place.town')}))`)
    .execute();
  return rows.map((row) => row.town);
}

/** The most addresses one sitemap file may list (sitemaps.org). */
export const SITEMAP_LIMIT = 50_000;

/** Every public page of an offer and of an organisation, with when it last changed. */
export async function listSitemapEntries(db: Queryable) {
  const [offers, organisations] = await Promise.all([
    publishedOffers(db, {})
      .select(['offers.id', sql<Date>`greatest(${sql.ref('offers.updatedAt')}, ${sql.ref('organisations.updatedAt')})`.as('lastModified')])
      .orderBy('offers.id')
      .limit(SITEMAP_LIMIT)
      .execute(),
    db
      .selectFrom('organisations')
      .where('publishesOpenData', '=', true)
      .select(['id', 'updatedAt as lastModified'])
      .orderBy('id')
      .limit(SITEMAP_LIMIT)
      .execute(),
  ]);
  return { offers, organisations };
}
