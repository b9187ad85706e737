import type { Queryable } from '../db/database.ts';
import type { OfferCategory } from '../db/tables/publishing.ts';
import { isUuid } from './ids.ts';
import * as places from './location-queries.ts';
import {
  type FeedContext,
  mapOrganisationSummary,
  mapOrganisationWithServices,
  mapService,
  mapServiceAtLocation,
  mapServiceAtLocationSummary,
  mapServiceSummary,
  noUpcomingSessions,
  page,
} from './mapping.ts';
import openApiDescription from './openapi.json' with { type: 'json' };
import * as orgs from './organisation-queries.ts';
import type { OfferFilters } from './published-queries.ts';
import * as q from './queries.ts';
import type { OrganizationQuery, ServiceAtLocationQuery, ServiceQuery, TaxonomyQuery, TaxonomyTermQuery } from './schemas.ts';
import { categoryForTermId, findTaxonomyTerms, matchesSearch, taxonomy, taxonomyId, taxonomyTerm } from './taxonomy.ts';

/**
 * The feed's read operations: parsed parameters in, Open Referral UK objects out. Each returns
 * null for an id that is not published, so the route can answer 404.
 */

/** The query's filters, or null when a taxonomy filter names nothing of ours (no item can match). */
function offerFilters(query: Partial<ServiceQuery>): OfferFilters | null {
  let category: OfferCategory | undefined;
  if (query.taxonomy_term_id !== undefined) {
    category = categoryForTermId(query.taxonomy_term_id);
    if (!category) return null;
  }
  if (query.taxonomy_id !== undefined && query.taxonomy_id.toLowerCase() !== taxonomyId) return null;
  return {
    search: query.search,
    category,
    organisationId: query.organization_id,
    modifiedAfter: query.modified_after,
    minimumAge: query.minimum_age,
    maximumAge: query.maximum_age,
    day: query.day,
    startTime: query.start_time,
    endTime: query.end_time,
  };
}

export async function listServices(db: Queryable, query: ServiceQuery, context: FeedContext) {
  const filters = offerFilters(query);
  const paging = { page: query.page, perPage: query.per_page };
  const { total, offers } = filters ? await q.listPublishedOffers(db, filters, paging) : { total: 0, offers: [] };
  return page(
    offers.map((offer) => mapServiceSummary(offer, context)),
    total,
    paging.page,
    paging.perPage,
  );
}

export async function getService(db: Queryable, id: string, context: FeedContext) {
  if (!isUuid(id)) return null;
  const offer = await q.findPublishedOffer(db, id);
  if (!offer) return null;
  const [venues, sessions] = await Promise.all([places.findVenuesOfOffers(db, [offer.id]), q.findSessionFacts(db, [offer.id])]);
  return mapService(offer, venues.get(offer.id) ?? [], sessions.get(offer.id) ?? noUpcomingSessions, context);
}

export async function listServiceAtLocations(db: Queryable, query: ServiceAtLocationQuery, context: FeedContext) {
  const filters = offerFilters(query);
  const paging = { page: query.page, perPage: query.per_page };
  const { total, pairs } = filters ? await places.listPublishedPairs(db, { ...filters, postcodeDistrict: query.postcode }, paging) : { total: 0, pairs: [] };
  return page(
    pairs.map(({ offer, venue }) => mapServiceAtLocationSummary(offer, venue, context)),
    total,
    paging.page,
    paging.perPage,
  );
}

export async function getServiceAtLocation(db: Queryable, id: string, context: FeedContext) {
  if (!isUuid(id)) return null;
  const pair = await places.findPublishedPair(db, id);
  if (!pair) return null;
  const { offer, venue } = pair;
  const [venues, sessions] = await Promise.all([places.findVenuesOfOffers(db, [offer.id]), q.findSessionFacts(db, [offer.id])]);
  return mapServiceAtLocation(offer, venue, venues.get(offer.id) ?? [], sessions.get(offer.id) ?? noUpcomingSessions, context);
}

export async function listOrganizations(db: Queryable, query: OrganizationQuery, context: FeedContext) {
  const paging = { page: query.page, perPage: query.per_page };
  const filters = offerFilters(query);
  const { total, organisations } = filters
    ? await orgs.listPublishedOrganisations(db, { search: query.search, category: filters.category }, paging)
    : { total: 0, organisations: [] };
  return page(
    organisations.map((organisation) => mapOrganisationSummary(organisation, context)),
    total,
    paging.page,
    paging.perPage,
  );
}

/** An organisation with its services: their one-to-one fields, or (full_service) each fully nested. */
export async function getOrganization(db: Queryable, id: string, options: { fullService: boolean }, context: FeedContext) {
  if (!isUuid(id)) return null;
  const organisation = await orgs.findPublishedOrganisation(db, id);
  if (!organisation) return null;
  const offers = await q.findPublishedOffersOf(db, organisation.id);
  if (!options.fullService)
    return mapOrganisationWithServices(
      organisation,
      offers.map((offer) => mapServiceSummary(offer, context)),
      context,
    );
  const ids = offers.map((offer) => offer.id);
  const [venues, sessions] = await Promise.all([places.findVenuesOfOffers(db, ids), q.findSessionFacts(db, ids)]);
  const services = offers.map((offer) => mapService(offer, venues.get(offer.id) ?? [], sessions.get(offer.id) ?? noUpcomingSessions, context));
  return mapOrganisationWithServices(organisation, services, context);
}

function slice<T>(items: T[], pageNumber: number, perPage: number) {
  return page(items.slice((pageNumber - 1) * perPage, pageNumber * perPage), items.length, pageNumber, perPage);
}

export function listTaxonomies(query: TaxonomyQuery, context: FeedContext) {
  const ours = taxonomy(context.baseUrl, { withTerms: false });
  const found = matchesSearch([ours.name, ours.description], query.search) ? [ours] : [];
  return slice(found, query.page, query.per_page);
}

export function getTaxonomy(id: string, context: FeedContext) {
  return id.toLowerCase() === taxonomyId ? taxonomy(context.baseUrl, { withTerms: true }) : null;
}

export function listTaxonomyTerms(query: TaxonomyTermQuery, context: FeedContext) {
  const terms = findTaxonomyTerms(context.baseUrl, {
    search: query.search,
    taxonomyId: query.taxonomy_id,
    topOnly: query.top_only,
    parentId: query.parent_id,
  });
  return slice(terms, query.page, query.per_page);
}

export function getTaxonomyTerm(id: string, context: FeedContext) {
  const category = categoryForTermId(id);
  return category ? taxonomyTerm(category, context.baseUrl) : null;
}

/**
 * What GET / says about the API. Open Referral UK's validator reads `version` as the profile
 * version ("HSDS-UK-3.0"); `openapi_url` is the API description this feed conforms to, which it
 * serves itself (openapi.json beside this file).
 */
export function apiInformation(context: FeedContext) {
  return {
    version: 'HSDS-UK-3.0',
    profile: 'https://github.com/OpenReferralUK/uk-profile',
    openapi_url: `${context.baseUrl}/openreferral/openapi.json`,
  };
}

// The profile's API description with what this feed adds (see its info.description). Imported, not
// read from beside this file, so a built bundle carries it.
const apiDescription = openApiDescription as Record<string, unknown>;

/** The API description, its servers entry pointing at this deployment. */
export function openApiDocument(context: FeedContext) {
  return { ...apiDescription, servers: [{ url: `${context.baseUrl}/openreferral`, description: 'This Tasters area’s open-data feed' }] };
}
