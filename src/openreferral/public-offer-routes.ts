import type { FastifyInstance } from 'fastify';
import { categoryNames, type Weekday, weekdays } from '../db/tables/publishing.ts';
import { describeAges, describeCost, describeSchedule } from '../publishing/offers/present.ts';
import { isUuid } from './ids.ts';
import type { FeedVenue } from './location-mapping.ts';
import { findVenuesOfOffers } from './location-queries.ts';
import { publicEmail, publicWebsite } from './mapping.ts';
import { findPublishedOffer, findUpcomingTasters } from './queries.ts';

/** How many upcoming tasters the page lists. */
const TASTERS_SHOWN = 10;

const isWeekday = (day: string): day is Weekday => (weekdays as readonly string[]).includes(day);

const accessFeatures: Array<[keyof FeedVenue, string]> = [
  ['stepFree', 'Step-free access'],
  ['accessibleToilet', 'Accessible toilet'],
  ['hearingLoop', 'Hearing loop'],
  ['seating', 'Seating available'],
  ['parking', 'Parking'],
  ['quietSpace', 'Quiet space'],
];

/**
 * The public page of an offer: what it is, who runs it, where and when, and how a patient joins.
 * Only for what the open-data feed publishes (an active offer of an organisation that publishes
 * open data); anything else is "not found". Registered outside the pages' sessions: it reads no
 * cookie and sets none, shows nothing about anyone, and may be cached.
 */
export async function publicOfferRoutes(app: FastifyInstance) {
  app.get<{ Params: { id: string } }>('/activities/:id', async (request, reply) => {
    const { id } = request.params;
    const offer = isUuid(id) ? await findPublishedOffer(app.db, id) : undefined;
    if (!offer) return reply.callNotFound();
    const [venues, tasters] = await Promise.all([findVenuesOfOffers(app.db, [offer.id]), findUpcomingTasters(app.db, offer.id, TASTERS_SHOWN)]);
    const places = venues.get(offer.id) ?? [];
    const placeName = new Map(places.map((venue) => [venue.id, venue.name]));
    reply.header('cache-control', 'public, max-age=300');
    return reply.viewAsync('openreferral/offer.eta', {
      title: offer.title,
      user: null,
      csrfToken: '',
      offer,
      category: categoryNames[offer.category],
      schedule: describeSchedule({ ...offer, scheduleDays: offer.scheduleDays.filter(isWeekday) }),
      cost: describeCost({ ...offer, costAmount: offer.costAmount === null ? null : String(offer.costAmount) }),
      ages: describeAges(offer),
      website: publicWebsite(offer.organisation.website),
      referralEmail: publicEmail(offer.referralEmail),
      referralPhone: offer.referralPhone?.trim() || null,
      places: places.map((venue) => ({
        name: venue.name,
        address: [venue.addressLine1, venue.addressLine2, venue.town, venue.postcode].filter(Boolean),
        access: accessFeatures.filter(([field]) => venue[field] === true).map(([, text]) => text),
        accessNotes: venue.accessNotes.trim(),
        travelNotes: venue.travelNotes.trim(),
      })),
      tasters: tasters.map((taster) => ({
        ...taster,
        place: taster.isOnline ? 'Online' : ((taster.venueId && placeName.get(taster.venueId)) ?? 'Place to be confirmed'),
      })),
    });
  });
}
