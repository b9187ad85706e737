import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet from 'helmet';

/**
 * Headers for every response, errors included. The pages carry no inline script or style at
 * all, so the policy needs no nonces: only our own files run.
 *
 * Helmet writes the headers, once, at start: they are the same for every response, and building
 * them again for each request (as @fastify/helmet does) was a measurable share of a page's cost
 * (issue 12). A page that needs another policy (the embeddable organisation page) changes its own.
 */
export const security = fp(async (app: FastifyInstance) => {
  const production = app.config.env === 'production';
  const headers = headersWrittenBy(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: contentSecurityDirectives(production, providerOrigins(app)) },
      strictTransportSecurity: production ? { maxAge: HSTS_MAX_AGE, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'same-origin' },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });

  // Signed-in pages hold personal data: never keep them in a shared or back-button cache.
  app.addHook('onSend', async (request, reply) => {
    if (request.user || request.url.startsWith('/account')) reply.header('cache-control', 'no-store');
  });
});

type Middleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

/** The headers a helmet middleware sets, read from a response that only records them. */
function headersWrittenBy(middleware: Middleware): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error) => {
    if (error) throw error;
  });
  return headers;
}

const HSTS_MAX_AGE = 31_536_000;

/**
 * Starting a sign-in with a provider, and signing out after one, are form posts answered with a
 * redirect to the provider; browsers hold such redirects to form-action too, so the configured
 * providers' own addresses are listed there (and nothing else is).
 */
function providerOrigins(app: FastifyInstance): string[] {
  return [...new Set(app.config.signInProviders.map((p) => new URL(p.issuer).origin))];
}

function contentSecurityDirectives(production: boolean, formTargets: string[] = []): Record<string, string[]> {
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'", ...formTargets],
    ...(production ? { upgradeInsecureRequests: [] } : {}),
  };
}

/**
 * The main headers as plain values, for the few answers sent before any hook runs (a URL the
 * router cannot read). Built from the same directives as the policy above, so the two never differ.
 */
export function securityHeaders(production: boolean): Record<string, string> {
  const policy = Object.entries(contentSecurityDirectives(production))
    .map(([name, values]) => [name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), ...values].join(' '))
    .join(';');
  return {
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
    'referrer-policy': 'same-origin',
    ...(production ? { 'strict-transport-security': `max-age=${HSTS_MAX_AGE}; includeSubDomains` } : {}),
  };
}
