import type { FastifyInstance } from 'fastify';
import { publicOfferUrl } from '../openreferral/mapping.ts';
import { publicOrganisationPath } from './organisation-routes.ts';
import { listSitemapEntries } from './queries.ts';

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** For search engines: a sitemap of every public page (sitemaps.org 0.9), and robots.txt naming it. */
export async function sitemapRoutes(app: FastifyInstance) {
  app.get('/sitemap.xml', async (_request, reply) => {
    const { baseUrl } = app.config;
    const { offers, organisations } = await listSitemapEntries(app.db);
    const entry = (url: string, lastModified?: Date | string) =>
      `  <url><loc>${xmlText(url)}</loc>${lastModified ? `<lastmod>${new Date(lastModified).toISOString()}</lastmod>` : ''}</url>`;
    const lines = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
      entry(`${baseUrl}/activities`),
      ...organisations.map((organisation) => entry(`${baseUrl}${publicOrganisationPath(organisation.id)}`, organisation.lastModified)),
      ...offers.map((offer) => entry(publicOfferUrl(baseUrl, offer.id), offer.lastModified)),
      '</urlset>',
      '',
    ];
    return reply.type('application/xml; charset=utf-8').send(lines.join('\n'));
  });

  app.get('/robots.txt', async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(`User-agent: *\nAllow: /\nSitemap: ${app.config.baseUrl}/sitemap.xml\n`),
  );
}
