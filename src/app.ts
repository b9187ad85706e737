import { randomUUID } from 'node:crypto';
import { parse as parseQueryString } from 'node:querystring';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import { keepAliveRoutes } from './accounts/keep-alive-routes.ts';
import { providerRoutes } from './accounts/providers/routes.ts';
import { findSignedInUser } from './accounts/queries.ts';
import { accountRoutes } from './accounts/routes.ts';
import { PostgresSessionStore } from './accounts/session-store.ts';
import { signInLinkRoutes } from './accounts/sign-in-link-routes.ts';
import { enforceTwoStepSetUp } from './accounts/two-step/gate.ts';
import { twoStepRoutes } from './accounts/two-step/routes.ts';
import { checkInRoutes } from './attendance/check-in-routes.ts';
import { attendanceRoutes } from './attendance/routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { calendarFeedRoutes } from './bookings/calendar/feed-routes.ts';
import { calendarRoutes } from './bookings/calendar/routes.ts';
import { releaseRoutes } from './bookings/release-routes.ts';
import { bookingRoutes } from './bookings/routes.ts';
import type { Config } from './config.ts';
import { tasterDayRoutes } from './days/routes.ts';
import type { Db } from './db/database.ts';
import { deliveryRoutes } from './delivery/routes.ts';
import { feedbackRoutes } from './feedback/routes.ts';
import { findRoutes } from './find/routes.ts';
import { HostileInputError } from './lib/errors.ts';
import { isReadableEncoding } from './lib/input-safety.ts';
import { RequestLog } from './lib/request-log.ts';
import { minimumRoutes } from './minimum/routes.ts';
import { openDataPageRoutes } from './openreferral/page-routes.ts';
import { openReferralRoutes } from './openreferral/routes.ts';
import { pageRoutes } from './pages/routes.ts';
import { peopleRoutes } from './people/routes.ts';
import { auth } from './plugins/auth.ts';
import { noStoreDownloads } from './plugins/downloads.ts';
import { answerUnreadableUrl, errors } from './plugins/errors.ts';
import { health } from './plugins/health.ts';
import { hostileInput } from './plugins/hostile-input.ts';
import { methodTable } from './plugins/methods.ts';
import { security } from './plugins/security.ts';
import { staticFiles } from './plugins/static-files.ts';
import { views } from './plugins/views.ts';
import { preferenceRoutes } from './preferences/routes.ts';
import { unsubscribeRoutes } from './preferences/unsubscribe-routes.ts';
import { privacyRoutes } from './privacy/routes.ts';
import { publicRoutes } from './public/routes.ts';
import { publishingRoutes } from './publishing/routes.ts';
import { recordRoutes } from './records/routes.ts';
import { referralRoutes } from './referrals/routes.ts';
import { providerFeedbackRoutes } from './reports/provider-routes.ts';
import { reportRoutes } from './reports/routes.ts';
import { reservationRoutes } from './reservations/routes.ts';
import { drainGate } from './shutdown.ts';

export type AppOptions = {
  config: Config;
  db: Db;
  logger?: FastifyServerOptions['logger'];
  /** Where the standard logger writes instead of stdout (the log tests read it back). */
  logStream?: { write: (line: string) => void };
  /** Told of every route as it is registered (the access-control matrix test walks them all). */
  onRoute?: (route: RouteOptions) => void;
};

export const FORM_BODY_LIMIT = 64 * 1024;

/** A form body that is not valid UTF-8 is refused, not read as text nobody typed (lib/input-safety.ts). */
function parseFormBody(body: string): ReturnType<typeof parseQueryString> {
  if (!isReadableEncoding(body)) throw new HostileInputError('unreadable');
  return parseQueryString(body);
}

// Secrets travel in some paths (invitation, reset, calendar and unsubscribe links): they never reach the log.
const secretPath = /\/(invitations|reset-password|register\/confirm|register\/sent|calendar|release-place|release-day-place|unsubscribe)\/[^/?#]+/g;
// A provider's answer carries its one-time authorisation code and our state in the query.
const secretQuery = /([?&](?:code|state|session_state)=)[^&#]*/g;
export function redactUrl(url: string): string {
  return url.replace(secretPath, '/$1/[redacted]').replace(secretQuery, '$1[redacted]');
}

/** Builds the whole app from a config and a database. The server and the tests both start here. */
export async function buildApp({ config, db, logger, logStream, onRoute }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? {
      level: config.logLevel,
      ...(logStream ? { stream: logStream } : {}),
      serializers: {
        req: (req) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip, requestId: req.id }),
      },
    },
    logController: new RequestLog(),
    genReqId: () => randomUUID(),
    requestTimeout: 30_000,
    bodyLimit: FORM_BODY_LIMIT,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: (_error, _request, reply) => answerUnreadableUrl(reply),
    // While closing, requests on kept-alive connections reach drainGate, which answers them 503
    // with Retry-After and a page, rather than Fastify's bare JSON.
    return503OnClosing: false,
  });
  if (onRoute) app.addHook('onRoute', onRoute);
  app.decorate('config', config);
  app.decorate('db', db);

  // Infrastructure first, then the pages. The method table sees every route registered after it.
  await app.register(methodTable);
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT, parser: parseFormBody });
  await app.register(hostileInput);
  await app.register(views);
  await app.register(security);
  await app.register(drainGate);
  await app.register(noStoreDownloads);
  await app.register(errors);
  await app.register(staticFiles);
  await app.register(health);
  // Private calendar feeds: the secret address is the credential; no session, no cookies.
  await app.register(calendarFeedRoutes);
  // The "stop these emails" link: mail clients post to it with no cookie or CSRF token (RFC 8058).
  await app.register(unsubscribeRoutes);
  // The open-data feed: public JSON, no cookies, so outside the pages' sessions and CSRF.
  await app.register(openReferralRoutes, { prefix: '/openreferral' });
  // The public pages (offers, organisations, the index, the sitemap): no session, no cookie, cacheable.
  await app.register(publicRoutes);

  // Everything people use sits behind sessions and CSRF; static files and health checks do not.
  await app.register(async (pages) => {
    // Pages take forms (and htmx, which sends the same encoding), nothing else: a JSON or text
    // body is answered 415 before any route sees it. No page takes file uploads (multipart).
    pages.removeContentTypeParser(['application/json', 'text/plain']);
    await pages.register(auth, {
      sessionStore: new PostgresSessionStore(app.db, app.config.sessionIdleMinutes, app.config.sessionAbsoluteHours),
      findSignedInUser,
      gate: enforceTwoStepSetUp,
    });
    await pages.register(pageRoutes);
    await pages.register(accountRoutes);
    await pages.register(signInLinkRoutes);
    await pages.register(providerRoutes);
    await pages.register(peopleRoutes);
    await pages.register(findRoutes);
    await pages.register(bookingRoutes);
    await pages.register(tasterDayRoutes);
    await pages.register(calendarRoutes);
    await pages.register(publishingRoutes);
    await pages.register(reservationRoutes);
    await pages.register(minimumRoutes);
    await pages.register(openDataPageRoutes);
    await pages.register(attendanceRoutes);
    await pages.register(checkInRoutes);
    await pages.register(feedbackRoutes);
    await pages.register(referralRoutes);
    await pages.register(recordRoutes);
    await pages.register(reportRoutes);
    await pages.register(providerFeedbackRoutes);
    await pages.register(releaseRoutes);
    await pages.register(deliveryRoutes);
    await pages.register(preferenceRoutes);
    await pages.register(auditRoutes);
    await pages.register(twoStepRoutes);
    await pages.register(privacyRoutes);
    await pages.register(keepAliveRoutes);
  });

  return app;
}
