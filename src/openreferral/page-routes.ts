import type { FastifyInstance } from 'fastify';
import { requireRole } from '../plugins/auth.ts';
import { summariseFeed } from './queries.ts';
import { taxonomyTerms } from './taxonomy.ts';

/** Coordinators see where the open-data feed is, what it publishes and who has opted out. */
export async function openDataPageRoutes(app: FastifyInstance) {
  app.get('/open-data', { preHandler: requireRole('coordinator') }, async (_request, reply) => {
    const summary = await summariseFeed(app.db);
    const feedUrl = `${app.config.baseUrl}/openreferral/`;
    const notPublishing = summary.organisations.filter((o) => !o.publishesOpenData);
    return reply.viewAsync('openreferral/about.eta', {
      title: 'Open data feed',
      feedUrl,
      services: summary.services,
      locations: summary.locations,
      categories: taxonomyTerms(app.config.baseUrl).length,
      publishingCount: summary.organisations.length - notPublishing.length,
      notPublishing,
      endpoints: ['services', 'service_at_locations', 'organizations', 'taxonomies', 'taxonomy_terms', 'openapi.json'].map((name) => ({
        name,
        url: `${feedUrl}${name}`,
      })),
    });
  });
}
