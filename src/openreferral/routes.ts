import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { BUSY_CODES } from '../db/transaction.ts';
import { HostileInputError } from '../lib/errors.ts';
import { isRefusedInput } from '../plugins/errors.ts';
import { pathOf } from '../web/request.ts';
import * as feed from './feed.ts';
import { organizationItemQuery, organizationQuery, parseQuery, serviceAtLocationQuery, serviceQuery, taxonomyQuery, taxonomyTermQuery } from './schemas.ts';

/** Requests one address may make to the feed in a minute. */
export const FEED_RATE_LIMIT = 300;

type IdParams = { id: string };

/**
 * The Open Referral UK feed: read-only, open to anyone, JSON only. It sits outside the pages'
 * sessions and CSRF; it sets no cookie and reads none. Every answer, errors included, carries
 * `Access-Control-Allow-Origin: *` so directories can read it from a browser.
 */
export async function openReferralRoutes(app: FastifyInstance) {
  const { db } = app;
  const context = { baseUrl: app.config.baseUrl };

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('access-control-allow-origin', '*');
    reply.header('cross-origin-resource-policy', 'cross-origin');
    reply.header('cache-control', reply.statusCode === 200 ? 'public, max-age=60' : 'no-store');
    return payload;
  });

  // Kept in each app instance's memory: with several instances the limit is per instance,
  // which is enough to stop one address hammering the feed.
  await app.register(rateLimit, { max: FEED_RATE_LIMIT, timeWindow: '1 minute' });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error.statusCode === 429) {
      const wait = reply.getHeader('retry-after');
      return problem(
        reply,
        429,
        'too_many_requests',
        `Too many requests: the feed answers ${FEED_RATE_LIMIT} a minute from one address. Try again in ${wait ?? 60} seconds.`,
      );
    }
    if (error.code && BUSY_CODES.has(error.code)) {
      reply.header('retry-after', '5');
      return problem(reply, 503, 'busy', 'The service is busy. Try again in a few seconds.');
    }
    if (error instanceof HostileInputError) return problem(reply, 400, 'invalid_input', error.message);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return problem(reply, error.statusCode, 'bad_request', 'The request could not be understood.');
    }
    if (isRefusedInput(error, request)) {
      request.log.warn({ err: error }, 'input refused by the database or a failing route');
      return problem(reply, 400, 'bad_request', 'The request could not be understood: check the values sent.');
    }
    request.log.error({ err: error }, 'open referral request failed');
    return problem(reply, 500, 'server_error', `Sorry, there is a problem with the service. Reference: ${request.id}`);
  });

  app.setNotFoundHandler(async (request, reply) => {
    const allow = app.allowedMethods(request.url);
    if (allow && !allow.includes(request.method)) {
      reply.header('allow', allow.join(', '));
      return problem(reply, 405, 'method_not_allowed', `The feed is read-only: ${request.method} is not answered here. Use ${allow.join(', ')}.`);
    }
    return problem(reply, 404, 'not_found', `There is nothing at ${pathOf(request.url)}. The feed starts at ${context.baseUrl}/openreferral/`);
  });

  // A browser asks before some cross-origin requests; the answer is always yes, for reading.
  app.options('/*', async (_request, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET, OPTIONS')
      .header('access-control-allow-headers', '*')
      .header('access-control-max-age', '86400')
      .send(),
  );

  app.get('/', async () => feed.apiInformation(context));

  app.get('/openapi.json', async () => feed.openApiDocument(context));

  app.get('/services', async (request, reply) => {
    const query = parseQuery(serviceQuery, request.query);
    if (!query.ok) return badParameter(reply, query);
    return feed.listServices(db, query.value, context);
  });

  app.get<{ Params: IdParams }>('/services/:id', async (request, reply) => {
    const service = await feed.getService(db, request.params.id, context);
    return service ?? notFound(reply, 'service', request.params.id);
  });

  app.get('/service_at_locations', async (request, reply) => {
    const query = parseQuery(serviceAtLocationQuery, request.query);
    if (!query.ok) return badParameter(reply, query);
    return feed.listServiceAtLocations(db, query.value, context);
  });

  app.get<{ Params: IdParams }>('/service_at_locations/:id', async (request, reply) => {
    const found = await feed.getServiceAtLocation(db, request.params.id, context);
    return found ?? notFound(reply, 'service at location', request.params.id);
  });

  app.get('/organizations', async (request, reply) => {
    const query = parseQuery(organizationQuery, request.query);
    if (!query.ok) return badParameter(reply, query);
    return feed.listOrganizations(db, query.value, context);
  });

  app.get<{ Params: IdParams }>('/organizations/:id', async (request, reply) => {
    const query = parseQuery(organizationItemQuery, request.query);
    if (!query.ok) return badParameter(reply, query);
    const found = await feed.getOrganization(db, request.params.id, { fullService: query.value.full_service ?? false }, context);
    return found ?? notFound(reply, 'organization', request.params.id);
  });

  app.get('/taxonomies', async (request, reply) => {
    const query = parseQuery(taxonomyQuery, request.query);
    if (!query.ok) return badParameter(reply, query);
    return feed.listTaxonomies(query.value, context);
  });

  app.get<{ Params: IdParams }>('/taxonomies/:id', async (request, reply) => {
    return feed.getTaxonomy(request.params.id, context) ?? notFound(reply, 'taxonomy', request.params.id);
  });

  app.get('/taxonomy_terms', async (request, reply) => {
    const query = parseQuery(taxonomyTermQuery, request.query);
    if (!query.ok) return badParameter(reply, query);
    return feed.listTaxonomyTerms(query.value, context);
  });

  app.get<{ Params: IdParams }>('/taxonomy_terms/:id', async (request, reply) => {
    return feed.getTaxonomyTerm(request.params.id, context) ?? notFound(reply, 'taxonomy term', request.params.id);
  });
}

function problem(reply: FastifyReply, status: number, error: string, message: string, extra: Record<string, string> = {}) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ status, error, message, ...extra });
}

function notFound(reply: FastifyReply, what: string, id: string) {
  return problem(reply, 404, 'not_found', `No published ${what} has the id ${id.slice(0, 100)}.`);
}

function badParameter(reply: FastifyReply, result: { parameter: string; message: string }) {
  return problem(reply, 400, 'invalid_parameter', result.message, { parameter: result.parameter });
}
