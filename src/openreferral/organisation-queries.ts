import { sql } from 'kysely';
import type { Queryable } from '../db/database.ts';
import type { OfferCategory } from '../db/tables/publishing.ts';
import type { FeedOrganisation } from './mapping.ts';
import { countAll, escapeLike, type Paging, publishedOffers } from './published-queries.ts';

export type OrganisationFilters = {
  search?: string | undefined;
  /** Organisations with a published offer in this category. */
  category?: OfferCategory | undefined;
};

/**
 * The published organisations: those that publish open data and have at least one published offer
 * (publishedOffers decides both, so an organisation is in the feed exactly when its services are).
 */
function publishedOrganisations(db: Queryable, filters: OrganisationFilters) {
  const withOffers = publishedOffers(db, { category: filters.category }).select('offers.organisationId');
  let query = db.selectFrom('organisations').where('organisations.id', 'in', withOffers);
  for (const word of (filters.search ?? '').split(/\s+/).filter(Boolean).slice(0, 10)) {
    const pattern = `%${escapeLike(word)}%`;
    query = query.where((eb) => eb.or([eb('organisations.name', 'ilike', pattern), eb('organisations.description', 'ilike', pattern)]));
  }
  return query;
}

// Explicit columns only: an organisation's public details, nothing about its staff.
const organisationSelection = [
  'organisations.id',
  'organisations.name',
  'organisations.description',
  'organisations.website',
  'organisations.contactEmail',
  'organisations.contactPhone',
] as const;

export async function listPublishedOrganisations(db: Queryable, filters: OrganisationFilters, paging: Paging) {
  const [total, rows] = await Promise.all([
    publishedOrganisations(db, filters)
      .select(countAll)
      .executeTakeFirstOrThrow()
      .then((row) => row.count),
    publishedOrganisations(db, filters)
      .select(organisationSelection)
      .orderBy(sql`lower(${sql.ref('organisations.name')})`)
      .orderBy('organisations.id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
  ]);
  return { total, organisations: rows satisfies FeedOrganisation[] };
}

export async function findPublishedOrganisation(db: Queryable, id: string): Promise<FeedOrganisation | undefined> {
  return publishedOrganisations(db, {}).select(organisationSelection).where('organisations.id', '=', id).executeTakeFirst();
}
