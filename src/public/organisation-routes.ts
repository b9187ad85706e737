import type { FastifyInstance, FastifyReply } from 'fastify';
import { isUuid } from '../openreferral/ids.ts';
import { findVenuesOfOffers } from '../openreferral/location-queries.ts';
import { publicEmail, publicOfferUrl, publicWebsite } from '../openreferral/mapping.ts';
import { findPublishedOffersOf } from '../openreferral/queries.ts';
import { kindNames } from '../publishing/organisations/schemas.ts';
import { allowFramingBy } from './framing.ts';
import { shorten, toOfferSummary } from './present.ts';
import { findPublishingOrganisation } from './queries.ts';
import { organisationData, scriptJson } from './structured-data.ts';

export function publicOrganisationPath(id: string): string {
  return `/providers/${id}`;
}

/**
 * An organisation's public page: who it is and its activities, with a line for professionals; and
 * the same list without the service's header and footer at /embed, for the organisation's own
 * website to show in a frame (allowed only there, only for the websites it listed).
 */
export async function organisationPageRoutes(app: FastifyInstance) {
  async function load(id: string) {
    const organisation = isUuid(id) ? await findPublishingOrganisation(app.db, id) : undefined;
    if (!organisation) return undefined;
    const offers = await findPublishedOffersOf(app.db, organisation.id);
    const venues = await findVenuesOfOffers(
      app.db,
      offers.map((offer) => offer.id),
    );
    const { baseUrl } = app.config;
    const summaries = offers.map((offer) => ({ ...toOfferSummary(offer, venues.get(offer.id) ?? []), url: publicOfferUrl(baseUrl, offer.id) }));
    return { organisation, summaries, pageUrl: `${baseUrl}${publicOrganisationPath(organisation.id)}` };
  }

  app.get<{ Params: { id: string } }>('/providers/:id', async (request, reply) => {
    const found = await load(request.params.id);
    if (!found) return reply.callNotFound();
    const { organisation, summaries, pageUrl } = found;
    return reply.viewAsync('public/organisation.eta', {
      title: `Activities at ${organisation.name}`,
      metaDescription: shorten(
        organisation.description ? `${organisation.name}: ${organisation.description}` : `Activities at ${organisation.name} that you can be referred to.`,
      ),
      canonical: pageUrl,
      jsonLd: scriptJson(organisationData(organisation, pageUrl, summaries)),
      organisation,
      kind: kindNames[organisation.kind],
      website: publicWebsite(organisation.website) ?? null,
      contactEmail: publicEmail(organisation.contactEmail) ?? null,
      contactPhone: organisation.contactPhone?.trim() || null,
      offers: summaries,
      user: null,
      csrfToken: '',
    });
  });

  app.get<{ Params: { id: string } }>('/providers/:id/embed', async (request, reply: FastifyReply) => {
    const found = await load(request.params.id);
    if (!found) return reply.callNotFound();
    allowFramingBy(reply, found.organisation.embedWebsites);
    return reply.viewAsync('public/embed.eta', {
      title: `Activities at ${found.organisation.name}`,
      canonical: found.pageUrl,
      organisation: found.organisation,
      offers: found.summaries,
    });
  });
}
