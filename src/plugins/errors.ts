import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { BUSY_CODES } from '../db/transaction.ts';
import { DomainError, HostileInputError } from '../lib/errors.ts';
import { inputProblem } from './hostile-input.ts';
import { securityHeaders } from './security.ts';

/**
 * One error handler and one not-found handler. Nobody sees a stack trace: a person gets a page
 * with the request id to quote; the log gets the detail.
 */
export const errors = fp(async (app: FastifyInstance) => {
  const showDetail = app.config.env === 'development';

  app.setNotFoundHandler(async (request, reply) => {
    const allow = app.allowedMethods(request.url);
    if (allow && !allow.includes(request.method)) {
      const title = messageFor(405);
      return reply
        .code(405)
        .header('allow', allow.join(', '))
        .viewAsync('errors/bad-request.eta', { title, user: request.user ?? null, csrfToken: '' });
    }
    return reply.code(404).viewAsync('errors/not-found.eta', { title: 'Page not found', user: request.user ?? null });
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = statusFor(error, request);
    reply.code(status);
    if (status === 500) {
      request.log.error({ err: error }, 'request failed');
    } else if (status === 400 && !error.statusCode) {
      // The database refused a value, or a route failed on input nothing had checked: a 400 for
      // the person, but a gap in a schema for us to close.
      request.log.warn({ err: error }, 'input refused by the database or a failing route');
    } else {
      request.log.info({ code: error.code, status }, error.message);
    }
    const context = { user: request.user ?? null, requestId: request.id, csrfToken: csrfTokenFor(reply) };
    try {
      if (status === 503) {
        reply.header('retry-after', '5');
        return await reply.viewAsync('errors/busy.eta', { ...context, title: 'Sorry, the service is busy' });
      }
      if (status === 403) {
        // The wrong role or organisation, a form from another site, or a missing or stale CSRF token.
        const refused = error instanceof DomainError && error.code === 'forbidden';
        return await reply.viewAsync('errors/forbidden.eta', {
          ...context,
          title: refused ? 'You cannot use this page' : 'This form could not be sent',
          message: refused || error.code === 'cross_site' ? error.message : 'The page you sent it from had expired. Go back, refresh the page and try again.',
        });
      }
      if (status === 404) return await reply.viewAsync('errors/not-found.eta', { ...context, title: 'Page not found' });
      if (status === 409 && error instanceof DomainError) {
        return await reply.viewAsync('errors/bad-request.eta', { ...context, title: 'This could not be done', message: error.message });
      }
      if (error instanceof HostileInputError) {
        return await reply.viewAsync('errors/bad-request.eta', { ...context, title: error.title, message: error.message });
      }
      if (status < 500) {
        return await reply.viewAsync('errors/bad-request.eta', { ...context, title: messageFor(status) });
      }
      return await reply.viewAsync('errors/server-error.eta', {
        ...context,
        title: 'Sorry, there is a problem with the service',
        detail: showDetail ? String(error.stack) : null,
      });
    } catch (renderError) {
      request.log.error({ err: renderError }, 'error page failed to render');
      return reply.type('text/plain').send(`Sorry, there is a problem with the service. Reference: ${request.id}`);
    }
  });
});

// PostgreSQL refusing a value it was given: a NUL byte or a character it cannot store (22021,
// 22P05), text too long for a column or an index (22001, 54000), a malformed id, number or date
// (22P02, 22003, 22007, 22008), a bad pattern (22025, 2201B). Input a schema should have caught:
// the person gets "check what you sent", not "the service is broken".
const refusedInputCodes = new Set(['22021', '22P05', '54000', '22001', '22P02', '22003', '22007', '22008', '22025', '2201B']);

function statusFor(error: FastifyError & { code?: string }, request: FastifyRequest): number {
  if (error instanceof DomainError && error.code === 'not_found') return 404;
  if (error instanceof DomainError && error.code === 'forbidden') return 403;
  // Any other rule that said no, where the route had no field to show it beside: not a fault of
  // the service, and the message is written for the person.
  if (error instanceof DomainError) return 409;
  if (error.code && BUSY_CODES.has(error.code)) return 503;
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 600) return error.statusCode;
  if (isRefusedInput(error, request)) return 400;
  return 500;
}

/**
 * The last safety net, for both error handlers (pages and the open data feed): a value the
 * database refused, or any failure on a request that carries hostile input, is bad input (400).
 */
export function isRefusedInput(error: { code?: string; statusCode?: number }, request: FastifyRequest): boolean {
  if (error.statusCode) return false;
  return (error.code !== undefined && refusedInputCodes.has(error.code)) || inputProblem(request) !== null;
}

function messageFor(status: number): string {
  if (status === 413) return 'What you sent is too large';
  if (status === 415) return 'The form was sent in a way the service does not understand';
  if (status === 429) return 'Too many requests';
  if (status === 405) return 'This page does not accept that kind of request';
  return 'The request could not be understood';
}

// A request refused before its page token was made (a stale form) still gets a page whose
// sign-out button works. Outside the pages (static files, health checks) there is no token.
function csrfTokenFor(reply: FastifyReply): string {
  if (typeof reply.locals?.csrfToken === 'string') return reply.locals.csrfToken;
  try {
    return typeof reply.generateCsrf === 'function' ? reply.generateCsrf() : '';
  } catch {
    return '';
  }
}

/**
 * The router refuses a URL it cannot read (bad percent-encoding, an over-long part) before any
 * hook runs, so neither the error handler nor the security headers apply. Answer it as an unknown
 * page, with the same headers. Given to Fastify as its `frameworkErrors` option.
 */
export function answerUnreadableUrl(reply: FastifyReply): void {
  const app = reply.server;
  void reply.code(404).headers(securityHeaders(app.config.env === 'production'));
  app.view('errors/not-found.eta', { title: 'Page not found', user: null, csrfToken: '' }).then(
    (html: string) => reply.type('text/html; charset=utf-8').send(html),
    () => reply.type('text/plain; charset=utf-8').send('Page not found'),
  );
}
