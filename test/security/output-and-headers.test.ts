import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { FORM_BODY_LIMIT } from '../../src/app.ts';
import type { Role } from '../../src/db/tables/accounts.ts';
import { HOSTILE, HOSTILE_MARKUP } from '../fixtures/hostile.ts';
import { createTestDatabase, Visitor } from '../helper.ts';
import { appWithRoutes, buildSecurityWorld, type Route, type SecurityWorld } from './world.ts';

/**
 * Every page each role may open, on its own records, with hostile markup in every text field the
 * records have (names, practices, organisations, venues, offers, sessions, feedback, messages):
 * the markup is shown as text everywhere, and every signed-in answer and every download is
 * marked no-store.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const { app, routes } = await appWithRoutes(t, database);
const world = await buildSecurityWorld(app, db);

type Actor = 'linkWorker' | 'providerA' | 'coordinator';
const roleOf: Record<Actor, Role> = { linkWorker: 'link_worker', providerA: 'provider', coordinator: 'coordinator' };

/** The routes that only ever take the signed-in person's own records, or none, or any record. */
function ownUrl(world: SecurityWorld, route: Route): string {
  const own = world.linkWorker;
  const session = /register/.test(route.url) ? world.a.sessions.past.id : world.a.sessions.upcoming.id;
  const booking = route.url.endsWith('/feedback')
    ? own.bookings.attended.id
    : route.url.endsWith('/missed')
      ? own.bookings.missed.id
      : own.bookings.upcoming.id;
  return route.url
    .replace(/^\/people\/:id/, `/people/${own.person.id}`)
    .replace(/^\/organisations\/:id/, `/organisations/${world.a.organisation.id}`)
    .replace(/^\/venues\/:id/, `/venues/${world.a.venue.id}`)
    .replace(/^\/offers\/:id/, `/offers/${world.a.offer.id}`)
    .replace(/^\/sessions\/:id/, `/sessions/${session}`)
    .replace(/^\/bookings\/:id/, `/bookings/${booking}`)
    .replace(/^\/dev\/mailbox\/:id/, `/dev/mailbox/${world.message.id}`)
    .replace(':index', '0');
}

// Pages whose access the matrix test decides; here, a simple reading of the guards is enough to
// choose which to open as whom: try every GET route and keep what answers.
const pageRoutes = routes.filter(
  (r) =>
    r.method === 'GET' &&
    !/^\/(static|openreferral|activities|providers|sitemap\.xml|robots\.txt|healthz|readyz|calendar|release-place|release-day-place|register\/confirm|invitations|reset-password\/)/.test(
      r.url,
    ),
);

const period = { from: '2026-01-01', to: '2027-12-31' };
const extraUrls: Record<Actor, string[]> = {
  coordinator: [
    ...['bookings', 'attendance', 'feedback', 'referrals'].map((kind) => `/reports/export.csv?kind=${kind}&from=${period.from}&to=${period.to}`),
    `/reports?from=${period.from}&to=${period.to}&pcn=${encodeURIComponent(HOSTILE.slice(0, 150))}`,
    `/offers/new?organisationId=${world.a.organisation.id}`,
    `/venues/new?organisationId=${world.a.organisation.id}`,
    `/find?q=${encodeURIComponent(HOSTILE.slice(0, 100))}`,
  ],
  linkWorker: [
    `/find?q=${encodeURIComponent(HOSTILE.slice(0, 100))}`,
    `/sessions/${world.b.sessions.upcoming.id}`,
    `/sessions/${world.a.sessions.upcoming.id}/book`,
  ],
  providerA: [`/sessions/${world.a.sessions.past.id}/register`, `/sessions/${world.a.sessions.draft.id}`],
};

function isDownload(response: LightMyRequestResponse): boolean {
  const type = String(response.headers['content-type'] ?? '');
  return /^(text\/csv|text\/calendar|application\/json)/.test(type) || String(response.headers['content-disposition'] ?? '').startsWith('attachment');
}

for (const actor of ['coordinator', 'providerA', 'linkWorker'] as const) {
  t.test(`${actor}: hostile text is shown as text on every page, and nothing signed in is cached`, async (t) => {
    const visitor = world.visitors[actor];
    let pages = 0;
    let downloads = 0;
    let escapedSeen = 0;
    const urls = [...pageRoutes.map((r) => ownUrl(world, r)), ...extraUrls[actor]];
    for (const url of urls) {
      for (const htmx of [false, true]) {
        const response = await visitor.get(url, htmx ? { 'hx-request': 'true' } : {});
        if (response.statusCode === 403 || response.statusCode >= 500) {
          t.not(response.statusCode, 500, `${url}: no failure`);
          continue;
        }
        const what = `${url}${htmx ? ' (htmx)' : ''} as ${roleOf[actor]}`;
        t.equal(response.headers['cache-control'], 'no-store', `${what}: no-store`);
        if (isDownload(response)) {
          downloads++;
          t.match(String(response.headers['x-content-type-options']), 'nosniff', `${what}: never read as a page`);
          continue;
        }
        if (!/^text\/html/.test(String(response.headers['content-type'] ?? ''))) continue;
        pages++;
        for (const markup of HOSTILE_MARKUP) t.notOk(response.body.includes(markup), `${what}: no raw ${markup.slice(0, 12)}…`);
        t.notOk(response.body.includes('"><img src=x'), `${what}: no way out of an attribute`);
        if (response.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;')) escapedSeen++;
      }
    }
    t.ok(pages > 20, `${pages} pages checked`);
    t.ok(escapedSeen > 10, `the hostile text was really shown, escaped, on ${escapedSeen} pages`);
    if (actor !== 'providerA') t.ok(downloads > 0, `${downloads} downloads checked`);
  });
}

// An offer's public page is outside the sessions (the same for everyone, so cacheable): checked
// here for hostile text, as anyone signed in or not would see it.
t.test('an offer’s public page shows hostile text as text, and the same to everyone', async (t) => {
  const signedOut = await app.inject(`/activities/${world.a.offer.id}`);
  t.equal(signedOut.statusCode, 200);
  for (const markup of HOSTILE_MARKUP) t.notOk(signedOut.body.includes(markup), `no raw ${markup.slice(0, 12)}…`);
  t.notOk(signedOut.body.includes('"><img src=x'), 'no way out of an attribute');
  t.ok(signedOut.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the hostile text is shown, escaped');
  t.equal(signedOut.headers['cache-control'], 'public, max-age=300');
  for (const actor of ['coordinator', 'providerA', 'linkWorker'] as const) {
    const page = await world.visitors[actor].get(`/activities/${world.a.offer.id}`);
    t.equal(page.body, signedOut.body, `a ${roleOf[actor]} sees exactly what anyone sees`);
    t.notOk(page.headers['set-cookie'], `no cookie for a ${roleOf[actor]}`);
  }
});

t.test('the private calendar feed and every download is no-store', async (t) => {
  const feed = await app.inject({ method: 'GET', url: `/calendar/${world.linkWorker.calendarToken}.ics` });
  t.equal(feed.statusCode, 200);
  t.match(String(feed.headers['content-type']), /^text\/calendar/);
  t.equal(feed.headers['cache-control'], 'no-store');
  t.notOk(feed.headers['set-cookie'], 'no cookie');
  for (const url of ['/account/data.json', '/account/data.csv', '/my-record.csv', `/bookings/${world.linkWorker.bookings.upcoming.id}/calendar.ics`]) {
    const response = await world.visitors.linkWorker.get(url);
    t.equal(response.statusCode, 200, url);
    t.equal(response.headers['cache-control'], 'no-store', `${url}: no-store`);
  }
});

t.test('requests are limited in time and size', async (t) => {
  // Fastify hands its requestTimeout to Node's server: a slow client cannot hold a connection for ever.
  t.ok(app.server.requestTimeout > 0 && app.server.requestTimeout <= 60_000, `request timeout ${app.server.requestTimeout} ms`);
  t.equal(app.initialConfig.bodyLimit, 64 * 1024, 'a 64 KB body limit');
  t.equal(FORM_BODY_LIMIT, 64 * 1024);
  const visitor = new Visitor(app);
  await visitor.get('/sign-in');
  const response = await visitor.post('/sign-in', { email: 'someone@nhs.net', password: 'x'.repeat(70 * 1024) });
  t.equal(response.statusCode, 413, 'a form over the limit is refused');
});

t.test('in production: HSTS, the content security policy and no-store on signed-in pages and downloads', async (t) => {
  const { app: production } = await appWithRoutes(t, database, { env: 'production', baseUrl: 'https://tasters.example', trustProxy: true });
  const headers = { 'x-forwarded-proto': 'https', host: 'tasters.example' };
  const visitor = new Visitor(production);
  const form = await production.inject({ method: 'GET', url: '/sign-in', headers });
  t.match(String(form.headers['strict-transport-security']), /max-age=31536000; includeSubDomains/);
  const csp = String(form.headers['content-security-policy']);
  for (const directive of [
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    'upgrade-insecure-requests',
  ]) {
    t.ok(csp.includes(directive), directive);
  }
  t.notMatch(csp, /unsafe-inline|unsafe-eval/);
  t.match(String(form.headers['set-cookie']), /__Host-tasters-csrf=.*Secure/);
  t.equal(visitor.cookies['__Host-tasters-session'], undefined);
});
