import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { projectRoot } from '../lib/project-root.ts';

const root = projectRoot;

/** Our CSS and one script, plus the two vendored front-end packages, all served from this origin. */
export const staticFiles = fp(async (app: FastifyInstance) => {
  const maxAge = app.config.env === 'production' ? '1d' : 0;
  await app.register(fastifyStatic, { root: path.join(root, 'static'), prefix: '/static/', maxAge, index: false });
  // The NHS.UK stylesheet loads the Frutiger font from an NHS host: that font is licensed to NHS
  // services and another origin breaks our font-src policy. Serve it without the @font-face rules.
  const stylesheet = readFileSync(path.join(root, 'node_modules', 'nhsuk-frontend', 'dist', 'nhsuk', 'nhsuk-frontend.min.css'), 'utf8').replace(
    /@font-face\{[^}]*\}/g,
    '',
  );
  const etag = `"${createHash('sha256').update(stylesheet).digest('base64url').slice(0, 16)}"`;
  app.get('/static/nhsuk-frontend.css', async (request, reply) => {
    reply.header('etag', etag).header('cache-control', app.config.env === 'production' ? 'public, max-age=86400' : 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('text/css; charset=utf-8').send(stylesheet);
  });

  await app.register(fastifyStatic, {
    root: path.join(root, 'node_modules', 'nhsuk-frontend', 'dist', 'nhsuk'),
    prefix: '/static/nhsuk/',
    decorateReply: false,
    maxAge,
    index: false,
    allowedPath: (pathname) => /\.(js|svg|png|ico)$/.test(pathname),
  });
  await app.register(fastifyStatic, {
    root: path.join(root, 'node_modules', 'htmx.org', 'dist'),
    prefix: '/static/htmx/',
    decorateReply: false,
    maxAge,
    index: false,
    allowedPath: (pathname) => pathname === '/htmx.min.js' || pathname === '/htmx.esm.min.js',
  });
});
