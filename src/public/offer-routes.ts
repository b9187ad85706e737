import type { FastifyInstance } from 'fastify';
import { qrCodeImage } from '../lib/qr-code.ts';
import { isUuid } from '../openreferral/ids.ts';
import { findVenuesOfOffers } from '../openreferral/location-queries.ts';
import { publicOfferUrl } from '../openreferral/mapping.ts';
import { findPublishedOffer, findUpcomingTasters } from '../openreferral/queries.ts';
import { shorten, toOfferPage } from './present.ts';
import { offerData, scriptJson } from './structured-data.ts';

/** How many upcoming tasters the page lists. */
const TASTERS_SHOWN = 10;

/**
 * The public page of an offer, written for a patient: what happens, who it suits, what it costs,
 * when and where (with the venue's access information), how to join and who to contact. It prints
 * on one A4 sheet with a QR code that opens it, for a link worker to hand over. Only for what the
 * open-data feed publishes (an active offer of an organisation that agreed); anything else is
 * "not found".
 */
export async function offerPageRoutes(app: FastifyInstance) {
  app.get<{ Params: { id: string } }>('/activities/:id', async (request, reply) => {
    const { id } = request.params;
    const offer = isUuid(id) ? await findPublishedOffer(app.db, id) : undefined;
    if (!offer) return reply.callNotFound();
    const [venues, tasters] = await Promise.all([findVenuesOfOffers(app.db, [offer.id]), findUpcomingTasters(app.db, offer.id, TASTERS_SHOWN)]);
    const places = venues.get(offer.id) ?? [];
    const { baseUrl } = app.config;
    const pageUrl = publicOfferUrl(baseUrl, offer.id);
    const page = toOfferPage(offer, places, tasters);
    return reply.viewAsync('public/offer.eta', {
      ...page,
      title: `${offer.title} at ${offer.organisation.name}`,
      metaDescription: shorten(`${offer.title}: ${offer.description}`),
      canonical: pageUrl,
      pageUrl,
      organisationHref: `/providers/${offer.organisationId}`,
      qrCode: await qrCodeImage(pageUrl),
      jsonLd: scriptJson(offerData(offer, places, { page: pageUrl, organisation: `${baseUrl}/providers/${offer.organisationId}` }, page.category)),
      user: null,
      csrfToken: '',
    });
  });
}
