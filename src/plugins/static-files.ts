import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Our CSS and one script, plus the two vendored front-end packages, all served from this origin. */
export const staticFiles = fp(async (app: FastifyInstance) => {
  const maxAge = app.config.env === 'production' ? '1d' : 0;
  await app.register(fastifyStatic, { root: path.join(root, 'static'), prefix: '/static/', maxAge, index: false });
  await app.register(fastifyStatic, {
    root: path.join(root, 'node_modules', 'nhsuk-frontend', 'dist', 'nhsuk'),
    prefix: '/static/nhsuk/',
    decorateReply: false,
    maxAge,
    index: false,
    allowedPath: (pathname) => /\.(css|js|svg|png|ico|woff2?)$/.test(pathname),
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
