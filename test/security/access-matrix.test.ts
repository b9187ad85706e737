import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { Role } from '../../src/db/tables/accounts.ts';
import { databaseDigest } from '../fixtures/database.ts';
import { createTestDatabase, heading, Visitor } from '../helper.ts';
import { type Entry, matrix } from './matrix.ts';
import { appWithRoutes, buildSecurityWorld, type Route, type SecurityWorld } from './world.ts';

/**
 * The access-control matrix (test/security/matrix.ts) lists every route the app registers, who may
 * use it, and on whose records. A route without an entry fails the first test, so nobody adds a
 * page without deciding. Then each role — signed out, a link worker, provider staff of
 * organisation A and of organisation B, a coordinator — sends every request it may not make (full
 * page and htmx alike), aimed at records that belong to someone else: each answer is 403 or 404
 * (signed out: a redirect to sign in), and nothing in the database changes.
 */
type Actor = 'signedOut' | 'linkWorker' | 'providerA' | 'providerB' | 'coordinator';
const actorRole: Record<Exclude<Actor, 'signedOut'>, Role> = {
  linkWorker: 'link_worker',
  providerA: 'provider',
  providerB: 'provider',
  coordinator: 'coordinator',
};

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
  const booking = path.endsWith('/feedback')
    ? otherPerson.bookings.attended.id
    : path.endsWith('/missed')
      ? otherPerson.bookings.missed.id
      : otherPerson.bookings.upcoming.id;
  return path
    .replace(/^\/people\/:id/, `/people/${otherPerson.person.id}`)
    .replace(/^\/account\/sign-in-providers\/:id/, `/account/sign-in-providers/${otherPerson.identityId}`)
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
  if (entry.scope === 'self') return 'refused';
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
        const response = route.method === 'GET' ? await visitor.get(url, headers) : await visitor.post(url, entry.body ?? {}, { headers });
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
