import { categoryNames, type Weekday, weekdays } from '../db/tables/publishing.ts';
import type { FeedVenue } from '../openreferral/location-mapping.ts';
import { type FeedOffer, publicEmail, publicWebsite } from '../openreferral/mapping.ts';
import type { UpcomingTaster } from '../openreferral/queries.ts';
import { describeAges, describeCost, describeSchedule } from '../publishing/offers/present.ts';

// What the public pages show, shaped from the feed's own rows (src/openreferral), so the pages
// can only ever show what the feed publishes: nothing about any person.

const isWeekday = (day: string): day is Weekday => (weekdays as readonly string[]).includes(day);

export const accessFeatures: Array<[keyof FeedVenue, string]> = [
  ['stepFree', 'Step-free access'],
  ['accessibleToilet', 'Accessible toilet'],
  ['hearingLoop', 'Hearing loop'],
  ['seating', 'Seating available'],
  ['parking', 'Parking'],
  ['quietSpace', 'Quiet space'],
];

export function offerSchedule(offer: FeedOffer): string {
  return describeSchedule({ ...offer, scheduleDays: offer.scheduleDays.filter(isWeekday) });
}

export function offerCost(offer: FeedOffer): string {
  return describeCost({ ...offer, costAmount: offer.costAmount === null ? null : String(offer.costAmount) }) || 'Ask the organisation';
}

export type PublicPlace = ReturnType<typeof toPlace>;

export function toPlace(venue: FeedVenue) {
  return {
    name: venue.name,
    address: [venue.addressLine1, venue.addressLine2, venue.town, venue.postcode].filter((line): line is string => Boolean(line?.trim())),
    town: venue.town.trim(),
    postcode: venue.postcode,
    access: accessFeatures.filter(([field]) => venue[field] === true).map(([, text]) => text),
    accessNotes: venue.accessNotes.trim(),
    travelNotes: venue.travelNotes.trim(),
  };
}

/** One offer in a list (an organisation's page, its embed, the index): enough to choose, and the link. */
export function toOfferSummary(offer: FeedOffer, venues: FeedVenue[]) {
  const towns = [...new Set(venues.map((venue) => venue.town.trim()).filter(Boolean))];
  return {
    id: offer.id,
    href: `/activities/${offer.id}`,
    title: offer.title,
    organisationName: offer.organisation.name,
    category: categoryNames[offer.category],
    description: shorten(offer.description, 200),
    schedule: offerSchedule(offer),
    cost: offerCost(offer),
    where: towns.length ? towns.join(', ') : 'Ask the organisation where',
    stepFree: venues.length > 0 && venues.every((venue) => venue.stepFree),
  };
}

export type OfferSummary = ReturnType<typeof toOfferSummary>;

/** The offer's own page: what happens, who it suits, cost, when and where, how to join, who to contact. */
export function toOfferPage(offer: FeedOffer, venues: FeedVenue[], tasters: UpcomingTaster[]) {
  const placeName = new Map(venues.map((venue) => [venue.id, venue.name]));
  return {
    offer,
    category: categoryNames[offer.category],
    schedule: offerSchedule(offer),
    cost: offerCost(offer),
    ages: describeAges(offer),
    website: publicWebsite(offer.organisation.website) ?? null,
    referralEmail: publicEmail(offer.referralEmail) ?? null,
    referralPhone: offer.referralPhone?.trim() || null,
    contactEmail: publicEmail(offer.organisation.contactEmail) ?? null,
    contactPhone: offer.organisation.contactPhone?.trim() || null,
    places: venues.map(toPlace),
    tasters: tasters.map((taster) => ({
      ...taster,
      place: taster.isOnline ? 'Online' : ((taster.venueId && placeName.get(taster.venueId)) ?? 'Place to be confirmed'),
    })),
  };
}

/** A meta description: the first words of a text, on one line, at most about 160 characters. */
export function shorten(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:\u2013-]+$/, '')}…`;
}
