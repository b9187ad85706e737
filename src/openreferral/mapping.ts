import type { OfferCategory } from '../db/tables/publishing.ts';
import { derivedId, serviceAtLocationId } from './ids.ts';
import { type Json, present } from './json.ts';
import { type FeedVenue, mapLocation, mapLocationSummary } from './location-mapping.ts';
import { mapSchedule, type OrukSchedule, type ScheduleFields } from './schedule.ts';
import { type OrukTaxonomyTerm, taxonomyTerm } from './taxonomy.ts';

// Rows as queries.ts reads them: only public fields, nothing about people.
export type FeedOrganisation = {
  id: string;
  name: string;
  description: string;
  website: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
};

export type FeedOffer = ScheduleFields & {
  organisationId: string;
  title: string;
  category: OfferCategory;
  description: string;
  suits: string;
  isFree: boolean;
  costAmount: number | null;
  costNote: string;
  howToRefer: string;
  referralEmail: string | null;
  referralPhone: string | null;
  minAge: number | null;
  maxAge: number | null;
  status: 'active' | 'archived';
  lastModified: Date;
  organisation: FeedOrganisation;
};

/** What the published tasters of an offer say: the next one, and whether any is online. */
export type OfferSessions = { nextStartsAt: Date | null; online: boolean };
export const noUpcomingSessions: OfferSessions = Object.freeze({ nextStartsAt: null, online: false });

export type FeedContext = { baseUrl: string };

/** The offer's public page: no sign-in, what it is, who runs it, where, when and how to join. */
export function publicOfferUrl(baseUrl: string, offerId: string): string {
  return `${baseUrl}/activities/${encodeURIComponent(offerId)}`;
}

// The same pattern the profile's validators use for `format: email`: anything else is left out.
const emailPattern = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

export function publicEmail(value: string | null | undefined): string | undefined {
  const email = value?.trim();
  return email && emailPattern.test(email) ? email : undefined;
}

/** A website as an absolute http(s) URL ("www.museum.org.uk" becomes https://…), or undefined. */
export function publicWebsite(value: string | null | undefined): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`);
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname.includes('.')) return undefined;
    return url.href;
  } catch {
    return undefined;
  }
}

export function mapOrganisation(organisation: FeedOrganisation): Json {
  return {
    id: organisation.id,
    name: organisation.name,
    // Required by the profile, so kept even when empty.
    description: organisation.description,
    ...present({ email: publicEmail(organisation.contactEmail), website: publicWebsite(organisation.website) }),
  };
}

/** An organisation as /organizations lists it: its own fields and its address in the feed. */
export function mapOrganisationSummary(organisation: FeedOrganisation, context: FeedContext): Json {
  return { ...mapOrganisation(organisation), uri: `${context.baseUrl}/openreferral/organizations/${organisation.id}` };
}

/** An organisation with its services (each without the organisation nested again). */
export function mapOrganisationWithServices(organisation: FeedOrganisation, services: Json[], context: FeedContext): Json {
  return {
    ...mapOrganisationSummary(organisation, context),
    services: services.map(({ organization: _organization, ...service }) => service),
  };
}

/** The service's one-to-one fields: what /services lists. */
export function mapServiceSummary(offer: FeedOffer, context: FeedContext): Json {
  const summary = present({
    id: offer.id,
    organization_id: offer.organisationId,
    name: offer.title,
    description: offer.description,
    // The public page: the find page needs signing in, which a directory's readers cannot do.
    url: publicOfferUrl(context.baseUrl, offer.id),
    email: publicEmail(offer.referralEmail) ?? publicEmail(offer.organisation.contactEmail),
    status: offer.status === 'active' ? 'active' : 'inactive',
    fees: feesText(offer),
    minimum_age: offer.minAge ?? undefined,
    maximum_age: offer.maxAge ?? undefined,
    last_modified: offer.lastModified.toISOString(),
  }) as Json;
  summary.organization = mapOrganisation(offer.organisation);
  return summary;
}

/**
 * The fully nested service. `eligibility_description`, `application_process`, `phones` and a
 * cost option's `currency` are HSDS 3.0 fields the UK profile leaves out but allows; readers
 * that do not know them lose nothing.
 */
export function mapService(
  offer: FeedOffer,
  venues: FeedVenue[],
  sessions: OfferSessions,
  context: FeedContext,
  options: { withLocations: boolean } = { withLocations: true },
): Json {
  const schedule = mapSchedule(offer, {
    // The dates on the public page: the find page needs signing in, which a directory's readers cannot do.
    scheduleLink: `${publicOfferUrl(context.baseUrl, offer.id)}#when`,
    attendingType: attendingType(venues.length > 0, sessions.online),
    nextSessionStart: sessions.nextStartsAt,
  });
  const service: Json = {
    ...mapServiceSummary(offer, context),
    ...present({ eligibility_description: eligibilityText(offer), application_process: offer.howToRefer.trim() }),
    schedules: schedule ? [schedule] : ([] as OrukSchedule[]),
    service_areas: sessions.online ? [onlineArea(offer.id)] : [],
    cost_options: mapCostOptions(offer),
    attributes: [categoryAttribute(offer.id, offer.category, context.baseUrl)],
    phones: servicePhones(offer),
  };
  if (options.withLocations) {
    service.service_at_locations = venues.map((venue) => ({
      id: serviceAtLocationId(offer.id, venue.id),
      service_id: offer.id,
      location_id: venue.id,
      location: mapLocation(venue),
    }));
  }
  return service;
}

function attendingType(inPerson: boolean, online: boolean): string | null {
  if (inPerson && online) return 'In person or online';
  if (online) return 'Online';
  if (inPerson) return 'In person';
  return null;
}

// An online taster has no place; its "area" is anywhere people can join from.
function onlineArea(offerId: string): Json {
  return {
    id: derivedId(`offer/${offerId}/service-area/online`),
    service_id: offerId,
    name: 'Online',
    service_area: 'Online: join from anywhere with an internet connection.',
  };
}

export function eligibilityText(offer: Pick<FeedOffer, 'suits' | 'minAge' | 'maxAge'>): string {
  const ages =
    offer.minAge !== null && offer.maxAge !== null
      ? `Ages ${offer.minAge} to ${offer.maxAge}.`
      : offer.minAge !== null
        ? `Ages ${offer.minAge} and over.`
        : offer.maxAge !== null
          ? `Ages up to ${offer.maxAge}.`
          : '';
  const suits = offer.suits.trim();
  return [suits && !/[.!?]$/.test(suits) ? `${suits}.` : suits, ages].filter(Boolean).join(' ');
}

function pounds(amount: number): string {
  return `£${amount.toFixed(2)}`;
}

export function feesText(offer: Pick<FeedOffer, 'isFree' | 'costAmount' | 'costNote'>): string {
  const note = offer.costNote.trim();
  const price = offer.isFree ? 'Free' : offer.costAmount !== null ? pounds(offer.costAmount) : '';
  if (!price || !note) return price || note;
  // "£3.50 per session" reads on; "Free. Donations welcome" is a new sentence.
  return /^[a-z(]/.test(note) ? `${price} ${note}` : `${price}. ${note}`;
}

/** One cost option in pounds sterling: free, a price, or (when only a note was given) the note. */
export function mapCostOptions(offer: Pick<FeedOffer, 'id' | 'isFree' | 'costAmount' | 'costNote'>): Json[] {
  const note = offer.costNote.trim();
  const base = { id: derivedId(`offer/${offer.id}/cost`), service_id: offer.id };
  if (offer.isFree) return [present({ ...base, option: 'Free', amount: 0, currency: 'GBP', amount_description: note || 'Free of charge' })];
  if (offer.costAmount !== null) return [present({ ...base, amount: offer.costAmount, currency: 'GBP', amount_description: note })];
  return note ? [{ ...base, amount_description: note }] : [];
}

function servicePhones(offer: FeedOffer): Json[] {
  const phones: Json[] = [];
  const referral = offer.referralPhone?.trim();
  const main = offer.organisation.contactPhone?.trim();
  if (referral) phones.push({ id: derivedId(`offer/${offer.id}/phone/referral`), service_id: offer.id, number: referral, description: 'For referrals' });
  if (main && main !== referral) {
    phones.push({ id: derivedId(`offer/${offer.id}/phone/organisation`), service_id: offer.id, number: main, description: `${offer.organisation.name}` });
  }
  return phones;
}

export function categoryAttribute(offerId: string, category: OfferCategory, baseUrl: string): Json & { taxonomy_term: OrukTaxonomyTerm } {
  const term = taxonomyTerm(category, baseUrl);
  return {
    id: derivedId(`offer/${offerId}/attribute/${category}`),
    link_id: offerId,
    link_type: 'category',
    link_entity: 'service',
    taxonomy_term_id: term.id,
    taxonomy_term: term,
  };
}

/** An offer at one venue, as /service_at_locations lists it: both sides' one-to-one fields. */
export function mapServiceAtLocationSummary(offer: FeedOffer, venue: FeedVenue, context: FeedContext): Json {
  return {
    id: serviceAtLocationId(offer.id, venue.id),
    service_id: offer.id,
    location_id: venue.id,
    location: mapLocationSummary(venue),
    service: mapServiceSummary(offer, context),
  };
}

/** An offer at one venue, fully nested: the location, and the service without its other locations. */
export function mapServiceAtLocation(offer: FeedOffer, venue: FeedVenue, allVenues: FeedVenue[], sessions: OfferSessions, context: FeedContext): Json {
  return {
    id: serviceAtLocationId(offer.id, venue.id),
    service_id: offer.id,
    location_id: venue.id,
    location: mapLocation(venue),
    service: mapService(offer, allVenues, sessions, context, { withLocations: false }),
  };
}

export type Page<T> = {
  total_items: number;
  total_pages: number;
  page_number: number;
  size: number;
  first_page: boolean;
  last_page: boolean;
  empty: boolean;
  contents: T[];
};

/** The profile's page envelope. `size` is how many items this page holds. */
export function page<T>(contents: T[], totalItems: number, pageNumber: number, perPage: number): Page<T> {
  const totalPages = Math.ceil(totalItems / perPage);
  return {
    total_items: totalItems,
    total_pages: totalPages,
    page_number: pageNumber,
    size: contents.length,
    first_page: pageNumber === 1,
    last_page: pageNumber >= totalPages,
    empty: contents.length === 0,
    contents,
  };
}
