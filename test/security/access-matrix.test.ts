import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { Role } from '../../src/db/tables/accounts.ts';
import { createTestDatabase, heading, Visitor } from '../helper.ts';
import { databaseDigest } from '../fixtures/database.ts';
import { appWithRoutes, buildSecurityWorld, type Route, type SecurityWorld } from './world.ts';

/**
 * The access-control matrix: every route the app registers, who may use it, and on whose records.
 * A route without an entry fails the first test, so nobody adds a page without deciding. Then each
 * role — signed out, a link worker, provider staff of organisation A and of organisation B, a
 * coordinator — sends every request it may not make (full page and htmx alike), aimed at records
 * that belong to someone else: each answer is 403 or 404 (signed out: a redirect to sign in), and
 * nothing in the database changes.
 *
 * who:
 * - 'outside': not a page (static files, health checks, the open data API): no session at all.
 * - 'public': anyone; 'token': anyone, but the secret in the address is the credential.
 * - 'signed-in': any role; or a list of roles.
 * scope (who is limited to whose records, among the roles allowed):
 * - 'organisation': provider staff only their own organisation's (coordinators: everyone's).
 * - 'own': a link worker only their own bookings.
 * - 'published': a session someone else has not published is not there for link workers or
 *   other organisations' staff.
 */
type Who = 'outside' | 'public' | 'token' | 'signed-in' | readonly Role[];
type Scope = 'organisation' | 'own' | 'published';
type Entry = { who: Who; scope?: Scope; body?: Record<string, string>; signedOut?: number };

const coordinator = ['coordinator'] as const;
const staff = ['provider', 'coordinator'] as const;
const provider = ['provider'] as const;
const linkWorker = ['link_worker'] as const;

const matrix: Record<string, Entry> = {
  // Infrastructure and the open data API
  'GET /static/*': { who: 'outside' },
  'GET /static/nhsuk-frontend.css': { who: 'outside' },
  'GET /static/nhsuk/*': { who: 'outside' },
  'GET /static/htmx/*': { who: 'outside' },
  'GET /healthz': { who: 'outside' },
  'GET /readyz': { who: 'outside' },
  'OPTIONS /openreferral/*': { who: 'outside' },
  'GET /openreferral': { who: 'outside' },
  'GET /openreferral/services': { who: 'outside' },
  'GET /openreferral/services/:id': { who: 'outside' },
  'GET /openreferral/service_at_locations': { who: 'outside' },
  'GET /openreferral/service_at_locations/:id': { who: 'outside' },
  'GET /openreferral/taxonomies': { who: 'outside' },
  'GET /openreferral/taxonomies/:id': { who: 'outside' },
  'GET /openreferral/taxonomy_terms': { who: 'outside' },
  'GET /openreferral/taxonomy_terms/:id': { who: 'outside' },
  'GET /calendar/:file': { who: 'token' },
  // The page frame
  'GET /': { who: 'public' },
  'GET /help': { who: 'public' },
  'GET /accessibility': { who: 'public' },
  'GET /privacy': { who: 'public' },
  // Accounts
  'GET /sign-in': { who: 'public' },
  'POST /sign-in': { who: 'public' },
  'GET /sign-in/two-step': { who: 'public' },
  'POST /sign-in/two-step': { who: 'public' },
  'GET /sign-in/email-link': { who: 'public' },
  'POST /sign-in/email-link': { who: 'public' },
  'GET /sign-in/link/:token': { who: 'token' },
  'POST /sign-in/link/:token': { who: 'token' },
  'POST /sign-out': { who: 'public' },
  'GET /signed-out': { who: 'public' },
  'GET /register': { who: 'public' },
  'POST /register': { who: 'public' },
  'GET /register/confirm/:token': { who: 'token' },
  'POST /register/confirm/:token': { who: 'token' },
  'GET /invitations/:token': { who: 'token' },
  'POST /invitations/:token': { who: 'token', body: { name: 'Intruder', password: 'a long enough password', confirmPassword: 'a long enough password' } },
  'GET /reset-password': { who: 'public' },
  'POST /reset-password': { who: 'public' },
  'GET /reset-password/:token': { who: 'token' },
  'POST /reset-password/:token': { who: 'token', body: { password: 'a long enough password', confirmPassword: 'a long enough password' } },
  'GET /release-place/:token': { who: 'token' },
  'POST /release-place/:token': { who: 'token' },
  'POST /session/keep-alive': { who: 'public', signedOut: 401 },
  // Your account: only ever your own, so nobody else's to aim at
  'GET /account': { who: 'signed-in' },
  'GET /account/preferences': { who: 'signed-in' },
  'POST /account/preferences': { who: 'signed-in' },
  'GET /account/two-step': { who: 'signed-in' },
  'GET /account/two-step/set-up': { who: 'signed-in' },
  'POST /account/two-step/set-up': { who: 'signed-in' },
  'POST /account/two-step/recovery-codes': { who: 'signed-in' },
  'POST /account/two-step/turn-off': { who: 'signed-in' },
  'GET /account/data': { who: 'signed-in' },
  'GET /account/data.json': { who: 'signed-in' },
  'GET /account/data.csv': { who: 'signed-in' },
  // People, data rights, audit
  'GET /people': { who: coordinator },
  'GET /people/invite': { who: coordinator },
  'POST /people/invite': { who: coordinator, body: { email: 'escalation@nhs.net', role: 'coordinator' } },
  'GET /people/:id': { who: coordinator },
  'POST /people/:id/role': { who: coordinator, body: { role: 'coordinator' } },
  'POST /people/:id/disable': { who: coordinator },
  'POST /people/:id/enable': { who: coordinator },
  'POST /people/:id/password-reset': { who: coordinator },
  'POST /people/:id/two-step/reset': { who: coordinator },
  'GET /people/:id/data': { who: coordinator },
  'GET /people/:id/data.json': { who: coordinator },
  'GET /people/:id/data.csv': { who: coordinator },
  'GET /people/:id/erase': { who: coordinator },
  'POST /people/:id/erase': { who: coordinator, body: { confirm: 'yes' } },
  'GET /audit': { who: coordinator },
  'GET /messages/undelivered': { who: coordinator },
  'POST /messages/undelivered/:id/send-again': { who: coordinator },
  'GET /dev/mailbox': { who: coordinator },
  'GET /dev/mailbox/:id/html': { who: coordinator },
  'GET /dev/mailbox/:id/attachments/:index': { who: coordinator },
  // Organisations
  'GET /organisations': { who: coordinator },
  'GET /organisations/new': { who: coordinator },
  'POST /organisations/new': { who: coordinator, body: { name: 'A new organisation', kind: 'museum', description: 'x' } },
  'GET /organisations/:id': { who: coordinator },
  'GET /organisations/:id/edit': { who: coordinator },
  'POST /organisations/:id/edit': { who: coordinator, body: { name: 'Taken over', kind: 'museum', description: 'x' } },
  'GET /organisation': { who: provider },
  'GET /organisation/edit': { who: provider },
  'POST /organisation/edit': { who: provider, body: { name: 'Renamed by someone else', kind: 'museum', description: 'x' } },
  // Publishing
  'GET /provider': { who: staff },
  'GET /provider/feedback': { who: provider },
  'GET /open-data': { who: coordinator },
  'GET /venues/new': { who: staff },
  'POST /venues/new': { who: staff, body: { name: 'A venue', addressLine1: '1 Road', town: 'Oxford', postcode: 'OX1 1AA' } },
  'GET /venues/:id/edit': { who: staff, scope: 'organisation' },
  'POST /venues/:id/edit': { who: staff, scope: 'organisation', body: { name: 'Taken over', addressLine1: '1 Road', town: 'Oxford', postcode: 'OX1 1AA' } },
  'POST /venues/:id/archive': { who: staff, scope: 'organisation' },
  'POST /venues/:id/restore': { who: staff, scope: 'organisation' },
  'GET /offers/new': { who: staff },
  'POST /offers/new': { who: staff, body: { title: 'An offer', category: 'arts_crafts', description: 'x', howToRefer: 'x', cost: 'free' } },
  'GET /offers/:id': { who: staff, scope: 'organisation' },
  'GET /offers/:id/edit': { who: staff, scope: 'organisation' },
  'POST /offers/:id/edit': { who: staff, scope: 'organisation', body: { title: 'Taken over', category: 'arts_crafts', description: 'x', howToRefer: 'x', cost: 'free' } },
  'POST /offers/:id/archive': { who: staff, scope: 'organisation' },
  'POST /offers/:id/restore': { who: staff, scope: 'organisation' },
  'GET /offers/:id/sessions/new': { who: staff, scope: 'organisation' },
  'POST /offers/:id/sessions/new': { who: staff, scope: 'organisation', body: { date: '2030-01-10', startTime: '14:00', endTime: '15:00', capacity: '10', isOnline: 'yes', joiningInstructions: 'x' } },
  'GET /sessions/:id': { who: 'signed-in', scope: 'published' },
  'GET /sessions/:id/edit': { who: staff, scope: 'organisation' },
  'POST /sessions/:id/edit': { who: staff, scope: 'organisation', body: { capacity: '1' } },
  'POST /sessions/:id/publish': { who: staff, scope: 'organisation' },
  'POST /sessions/:id/publish-series': { who: staff, scope: 'organisation' },
  'GET /sessions/:id/cancel': { who: staff, scope: 'organisation' },
  'POST /sessions/:id/cancel': { who: staff, scope: 'organisation', body: { reason: 'Cancelled by someone else' } },
  'GET /sessions/:id/delete': { who: staff, scope: 'organisation' },
  'POST /sessions/:id/delete': { who: staff, scope: 'organisation' },
  // Finding and booking
  'GET /find': { who: ['link_worker', 'coordinator'] },
  'GET /sessions/:id/book': { who: linkWorker, scope: 'published' },
  'POST /sessions/:id/book': { who: linkWorker, scope: 'published', body: { confidenceBefore: '5' } },
  'GET /sessions/:id/bookings': { who: staff, scope: 'organisation' },
  'GET /bookings/:id': { who: linkWorker, scope: 'own' },
  'POST /bookings/:id/cancel': { who: linkWorker, scope: 'own' },
  'GET /bookings/:id/calendar.ics': { who: linkWorker, scope: 'own' },
  'GET /my-bookings': { who: linkWorker },
  'GET /my-bookings/calendar-feed': { who: linkWorker },
  'POST /my-bookings/calendar-feed': { who: linkWorker },
  // Attendance, feedback, referrals, records, reports
  'GET /sessions/:id/register': { who: staff, scope: 'organisation' },
  'POST /sessions/:id/register/walk-ins': { who: staff, scope: 'organisation', body: { email: 'walk-in@nhs.net' } },
  'POST /sessions/:id/register/complete': { who: staff, scope: 'organisation' },
  'POST /sessions/:id/register/:bookingId': { who: staff, scope: 'organisation', body: { attendance: 'no_show' } },
  'GET /bookings/:id/feedback': { who: linkWorker, scope: 'own' },
  'POST /bookings/:id/feedback': { who: linkWorker, scope: 'own', body: { rating: '1', confidenceAfter: '0', intendsToRefer: 'no', comments: 'written by someone else' } },
  'GET /bookings/:id/missed': { who: linkWorker, scope: 'own' },
  'POST /bookings/:id/missed': { who: linkWorker, scope: 'own', body: { reason: 'forgot', details: 'written by someone else' } },
  'GET /referrals': { who: linkWorker },
  'GET /referrals/new': { who: linkWorker },
  'POST /referrals': { who: linkWorker },
  'GET /my-record': { who: linkWorker },
  'GET /my-record.csv': { who: linkWorker },
  'GET /reports': { who: coordinator },
  'GET /reports/export.csv': { who: coordinator },
};

type Actor = 'signedOut' | 'linkWorker' | 'providerA' | 'providerB' | 'coordinator';
const actorRole: Record<Exclude<Actor, 'signedOut'>, Role> = { linkWorker: 'link_worker', providerA: 'provider', providerB: 'provider', coordinator: 'coordinator' };

/**
 * The address a route is sent to by an actor: every id in it belongs to someone else — the other
 * organisation (for provider staff of A, organisation B's, and the other way round), the other
 * link worker, a session nobody published, a made-up secret.
 */
function urlFor(world: SecurityWorld, route: Route, actor: Actor): string {
  const theirs = actor === 'providerB' ? world.a : world.b;
  const otherPerson = world.otherLinkWorker;
  const path = route.url;
  let session = theirs.sessions.upcoming.id;
  if (matrix[`${route.method} ${path}`]?.scope === 'published') session = theirs.sessions.draft.id;
  let registerBooking = '';
  if (path.includes(':bookingId')) {
    session = theirs.sessions.past.id;
    registerBooking = (actor === 'providerB' ? world.linkWorker.bookings.attended : otherPerson.bookings.attended).id;
  }
  const booking = path.endsWith('/feedback') ? otherPerson.bookings.attended.id : path.endsWith('/missed') ? otherPerson.bookings.missed.id : otherPerson.bookings.upcoming.id;
  return path
    .replace(/^\/people\/:id/, `/people/${otherPerson.person.id}`)
    .replace(/^\/organisations\/:id/, `/organisations/${theirs.organisation.id}`)
    .replace(/^\/venues\/:id/, `/venues/${theirs.venue.id}`)
    .replace(/^\/offers\/:id/, `/offers/${theirs.offer.id}`)
    .replace(/^\/sessions\/:id/, `/sessions/${session}`)
    .replace(':bookingId', registerBooking)
    .replace(/^\/bookings\/:id/, `/bookings/${booking}`)
    .replace(/^\/dev\/mailbox\/:id/, `/dev/mailbox/${world.message.id}`)
    .replace(/^\/messages\/undelivered\/:id/, `/messages/undelivered/${world.message.id}`)
    .replace(':index', '0')
    .replace(/^\/calendar\/:file/, `/calendar/${'x'.repeat(43)}.ics`)
    .replace(/^\/release-place\/:token/, `/release-place/${otherPerson.bookings.upcoming.id}.${'x'.repeat(43)}`)
    .replace(/:token/g, 'x'.repeat(43))
    .replace(/:[A-Za-z]+/g, () => randomUUID());
}

/** What an actor must get from a route: refused, or sent to sign in; null when it may use it. */
function expectation(entry: Entry, actor: Actor): 'refused' | 'sign-in' | number | null {
  if (entry.who === 'outside' || entry.who === 'public') return actor === 'signedOut' && entry.signedOut ? entry.signedOut : null;
  if (entry.who === 'token') return 'refused';
  if (actor === 'signedOut') return 'sign-in';
  const role = actorRole[actor];
  if (entry.who !== 'signed-in' && !entry.who.includes(role)) return 'refused';
  if (entry.scope === 'organisation' && role === 'provider') return 'refused';
  if (entry.scope === 'own' && role === 'link_worker') return 'refused';
  if (entry.scope === 'published' && role !== 'coordinator') return 'refused';
  return null;
}

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const { app, routes } = await appWithRoutes(t, database);
const world = await buildSecurityWorld(app, db);
const key = (route: Route) => `${route.method} ${route.url}`;

t.test('every route the app registers is in the matrix', async (t) => {
  t.ok(routes.length > 100, `${routes.length} routes collected from the app`);
  const missing = routes.map(key).filter((k) => !(k in matrix));
  t.same(missing, [], 'routes without an entry: add each to the matrix in test/security/access-matrix.test.ts');
  const stale = Object.keys(matrix).filter((k) => !routes.some((r) => key(r) === k));
  t.same(stale, [], 'entries for routes that no longer exist');
});

for (const actor of ['signedOut', 'linkWorker', 'providerA', 'providerB', 'coordinator'] as const) {
  t.test(`${actor}: every request outside what they may do is refused and changes nothing`, async (t) => {
    const visitor = actor === 'signedOut' ? new Visitor(app) : world.visitors[actor];
    if (actor === 'signedOut') await visitor.get('/sign-in');
    const before = await databaseDigest(db);
    let checked = 0;
    for (const route of routes) {
      const entry = matrix[key(route)];
      if (!entry) continue;
      const expected = expectation(entry, actor);
      if (expected === null) continue;
      const url = urlFor(world, route, actor);
      for (const htmx of [false, true]) {
        const headers: Record<string, string> = htmx ? { 'hx-request': 'true' } : {};
        const response =
          route.method === 'GET' ? await visitor.get(url, headers) : await visitor.post(url, entry.body ?? {}, { headers });
        const what = `${route.method} ${url}${htmx ? ' (htmx)' : ''}`;
        checked++;
        if (expected === 'sign-in') {
          t.equal(response.statusCode, 302, `${what}: sent to sign in`);
          t.match(String(response.headers.location), /^\/sign-in\?returnTo=/, `${what}: to the sign-in page`);
        } else if (expected === 'refused') {
          const allowed = entry.who === 'token' ? [404, 410] : [403, 404];
          t.ok(allowed.includes(response.statusCode), `${what}: refused (${response.statusCode})`);
          if (response.statusCode === 403) t.equal(heading(response.body), 'You cannot use this page', `${what}: the refusal page`);
        } else {
          t.equal(response.statusCode, expected, `${what}: ${expected}`);
        }
      }
    }
    t.ok(checked > 0, `${checked} requests refused`);
    t.same(await databaseDigest(db), before, 'nothing in the database changed');
    // The people the forms were aimed at are as they were.
    const aimedAt = await db.selectFrom('users').select(['role', 'status', 'name']).where('id', '=', world.otherLinkWorker.person.id).executeTakeFirstOrThrow();
    t.match(aimedAt, { role: 'link_worker', status: 'active', name: /^Link Two/ });
  });
}

t.test('a coordinator reaches every coordinator page with records of any organisation', async (t) => {
  const visitor = world.visitors.coordinator;
  for (const route of routes.filter((r) => r.method === 'GET')) {
    const entry = matrix[key(route)];
    if (!entry || !Array.isArray(entry.who) || !entry.who.includes('coordinator')) continue;
    const response = await visitor.get(urlFor(world, route, 'coordinator'));
    // Not refused by a role or organisation check, and no failure (a 400, 404 or 409 is the page's own answer to these records).
    t.not(response.statusCode, 403, `${route.url}: not refused (${response.statusCode})`);
    t.ok(response.statusCode < 500, `${route.url}: no failure`);
  }
});
