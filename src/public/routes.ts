import type { FastifyInstance } from 'fastify';
import { indexRoutes } from './index-routes.ts';
import { offerPageRoutes } from './offer-routes.ts';
import { organisationPageRoutes } from './organisation-routes.ts';
import { sitemapRoutes } from './sitemap-routes.ts';

/** How long a browser or a shared cache may keep a public page: a change shows within five minutes. */
export const PUBLIC_MAX_AGE = 300;

/**
 * The public face: pages about the published offers and organisations, for patients, directories
 * and search engines. Registered outside the pages' sessions: they read no cookie and set none,
 * show nothing about anyone, and may be cached.
 */
export async function publicRoutes(app: FastifyInstance) {
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode === 200) reply.header('cache-control', `public, max-age=${PUBLIC_MAX_AGE}`);
    return payload;
  });
  await app.register(indexRoutes);
  await app.register(offerPageRoutes);
  await app.register(organisationPageRoutes);
  await app.register(sitemapRoutes);
}
