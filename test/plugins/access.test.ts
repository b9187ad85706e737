import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { type Role, roles } from '../../src/db/tables/accounts.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { databaseDigest } from '../fixtures/database.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';

/**
 * Who may use each route the app registers. Every route must have an entry: a new route without
 * one fails this test, so nobody adds a page without deciding who may see it. The test then checks
 * each role outside the list gets the 403 page (full page and htmx request alike) and changes
 * nothing, and a signed-out visitor is sent to sign in.
 *
 * - 'public': anyone, signed in or not (the route itself checks any token it takes).
 * - 'signed-in': any role.
 * - a list of roles: only those.
 * - 'outside': not a page (static files, health checks, the open data API): no session, no CSRF.
 */
type Access = 'public' | 'signed-in' | 'outside' | readonly Role[];

const coordinator = ['coordinator'] as const;
const staff = ['provider', 'coordinator'] as const;
const linkWorker = ['link_worker'] as const;

const access: Record<string, Access> = {
  // Infrastructure
  'GET /*': 'outside',
  'GET /static/nhsuk-frontend.css': 'outside',
  'GET /healthz': 'outside',
  'GET /readyz': 'outside',
  // The page frame
  'GET /': 'public',
  'GET /help': 'public',
  'GET /accessibility': 'public',
  'GET /privacy': 'public',
  'GET /dev/mailbox': coordinator,
  'GET /messages/undelivered': coordinator,
  'POST /messages/undelivered/:id/send-again': coordinator,
  'GET /dev/mailbox/:id/html': coordinator,
  'GET /dev/mailbox/:id/attachments/:index': coordinator,
  // Messages, preferences and the audit trail (the release link is its own credential)
  'GET /release-place/:token': 'public',
  'POST /release-place/:token': 'public',
  'GET /release-day-place/:token': 'public',
  'POST /release-day-place/:token': 'public',
  'GET /unsubscribe/:token': 'public',
  'POST /unsubscribe/:token': 'public',
  'GET /account/preferences': 'signed-in',
  'POST /account/preferences': 'signed-in',
  'GET /audit': coordinator,
  // Accounts
  'GET /sign-in': 'public',
  'POST /sign-in': 'public',
  'POST /sign-out': 'public',
  'GET /signed-out': 'public',
  'GET /register': 'public',
  'POST /register': 'public',
  'GET /register/confirm/:token': 'public',
  'POST /register/confirm/:token': 'public',
  // Development without email only: the email a registration caused, by the request's own id.
  'GET /register/sent/:id': 'public',
  'GET /invitations/:token': 'public',
  'POST /invitations/:token': 'public',
  'GET /reset-password': 'public',
  'POST /reset-password': 'public',
  'GET /reset-password/:token': 'public',
  'POST /reset-password/:token': 'public',
  'GET /sign-in/email-link': 'public',
  'POST /sign-in/email-link': 'public',
  'GET /sign-in/link/:token': 'public',
  'POST /sign-in/link/:token': 'public',
  'GET /account': 'signed-in',
  // Two-step sign-in (the second step belongs to a sign-in under way, not to a signed-in person)
  'GET /sign-in/two-step': 'public',
  'POST /sign-in/two-step': 'public',
  'GET /account/two-step': 'signed-in',
  'GET /account/two-step/set-up': 'signed-in',
  'POST /account/two-step/set-up': 'signed-in',
  'POST /account/two-step/recovery-codes': 'signed-in',
  'POST /account/two-step/turn-off': 'signed-in',
  'POST /people/:id/two-step/reset': coordinator,
  // Sessions: answers 401 itself when nobody is signed in
  'POST /session/keep-alive': 'public',
  // Personal data
  'GET /account/data': 'signed-in',
  'GET /account/data.json': 'signed-in',
  'GET /account/data.csv': 'signed-in',
  'GET /people/:id/data': coordinator,
  'GET /people/:id/data.json': coordinator,
  'GET /people/:id/data.csv': coordinator,
  'GET /people/:id/erase': coordinator,
  'POST /people/:id/erase': coordinator,
  // People
  'GET /people': coordinator,
  'GET /people/invite': coordinator,
  'POST /people/invite': coordinator,
  'GET /people/:id': coordinator,
  'POST /people/:id/role': coordinator,
  'POST /people/:id/disable': coordinator,
  'POST /people/:id/enable': coordinator,
  'POST /people/:id/password-reset': coordinator,
  // Organisations
  'GET /organisations': coordinator,
  'GET /organisations/new': coordinator,
  'POST /organisations/new': coordinator,
  'GET /organisations/:id': coordinator,
  'GET /organisations/:id/edit': coordinator,
  'POST /organisations/:id/edit': coordinator,
  'GET /organisation': ['provider'],
  'GET /organisation/edit': ['provider'],
  'POST /organisation/edit': ['provider'],
  // Publishing: offers, venues, sessions
  'GET /provider': staff,
  'GET /offers/new': staff,
  'POST /offers/new': staff,
  'GET /offers/:id': staff,
  'GET /offers/:id/edit': staff,
  'POST /offers/:id/edit': staff,
  'POST /offers/:id/archive': staff,
  'POST /offers/:id/restore': staff,
  'GET /offers/:id/sessions/new': staff,
  'POST /offers/:id/sessions/new': staff,
  'GET /venues/new': staff,
  'POST /venues/new': staff,
  'GET /venues/:id/edit': staff,
  'POST /venues/:id/edit': staff,
  'POST /venues/:id/archive': staff,
  'POST /venues/:id/restore': staff,
  'GET /sessions/:id': 'signed-in',
  'GET /sessions/:id/edit': staff,
  'POST /sessions/:id/edit': staff,
  'POST /sessions/:id/publish': staff,
  'POST /sessions/:id/publish-series': staff,
  'GET /sessions/:id/cancel': staff,
  'POST /sessions/:id/cancel': staff,
  // Places kept for PCNs (src/reservations): the form checks the session is theirs
  'GET /reservations/new': staff,
  'POST /reservations': staff,
  'POST /reservations/:id/give-back': staff,
  // A minimum to run (src/minimum)
  'POST /sessions/:id/minimum': staff,
  'POST /sessions/:id/run-anyway': staff,
  'GET /sessions/:id/delete': staff,
  'POST /sessions/:id/delete': staff,
  'GET /sessions/:id/series': staff,
  'POST /sessions/:id/series': staff,
  'GET /sessions/:id/series/cancel': staff,
  'POST /sessions/:id/series/cancel': staff,
  'GET /sessions/:id/message': staff,
  'POST /sessions/:id/message': staff,
  // Finding and booking
  'GET /find': ['link_worker', 'coordinator'],
  'GET /sessions/:id/book': linkWorker,
  'POST /sessions/:id/book': linkWorker,
  'GET /sessions/:id/book-for-colleague': linkWorker,
  'POST /sessions/:id/book-for-colleague': linkWorker,
  'GET /sessions/:id/bookings': staff,
  'GET /sessions/:id/attendees': staff,
  'GET /sessions/:id/bookings.csv': staff,
  'GET /bookings/:id': linkWorker,
  'GET /bookings/:id/cancel': linkWorker,
  'POST /bookings/:id/cancel': linkWorker,
  'GET /my-bookings': linkWorker,
  'GET /bookings/:id/calendar.ics': linkWorker,
  'GET /my-bookings/calendar-feed': linkWorker,
  'POST /my-bookings/calendar-feed': linkWorker,
  'GET /calendar/:file': 'public',
  // Attendance, feedback, referrals, records
  'GET /sessions/:id/register': staff,
  'POST /sessions/:id/register/walk-ins': staff,
  'POST /sessions/:id/register/complete': staff,
  'POST /sessions/:id/register/:bookingId': staff,
  // Self check-in: staff show the code and the register polls its live part; the code's page is a link worker's
  'GET /sessions/:id/check-in-code': staff,
  'GET /sessions/:id/register/live': staff,
  'GET /check-in/:token': linkWorker,
  'POST /check-in/:token': linkWorker,
  'GET /bookings/:id/feedback': linkWorker,
  'POST /bookings/:id/feedback': linkWorker,
  'GET /bookings/:id/missed': linkWorker,
  'POST /bookings/:id/missed': linkWorker,
  'GET /referrals': linkWorker,
  'GET /referrals/new': linkWorker,
  'POST /referrals': linkWorker,
  'GET /my-record': linkWorker,
  'GET /my-record.csv': linkWorker,
  // Reports
  'GET /reports': coordinator,
  'GET /reports/export.csv': coordinator,
  'GET /provider/feedback': ['provider'],
  // Open data
  'GET /open-data': coordinator,
  'GET /openreferral': 'outside',
  'GET /openreferral/services': 'outside',
  'GET /openreferral/services/:id': 'outside',
  'GET /openreferral/service_at_locations': 'outside',
  'GET /openreferral/service_at_locations/:id': 'outside',
  'GET /openreferral/taxonomies': 'outside',
  'GET /openreferral/taxonomies/:id': 'outside',
  'GET /openreferral/taxonomy_terms': 'outside',
  'GET /openreferral/taxonomy_terms/:id': 'outside',
  'GET /openreferral/organizations': 'outside',
  'GET /openreferral/openapi.json': 'outside',
  // An offer's public page: outside the sessions, the same for everyone
  'GET /activities/:id': 'public',
  'GET /openreferral/organizations/:id': 'outside',
  'OPTIONS /openreferral*': 'outside',
  // The public pages: outside the sessions, the same for everyone
  'GET /activities': 'public',
  'GET /providers/:id': 'public',
  'GET /providers/:id/embed': 'public',
  'GET /sitemap.xml': 'public',
  'GET /robots.txt': 'public',
  // Signing in with an NHS account: the provider's answer and the session's pending sign-in are the credentials
  'POST /sign-in/with/:provider': 'public',
  'GET /sign-in/with/:provider/callback': 'public',
  'GET /sign-in/with/:provider/new-account': 'public',
  'POST /sign-in/with/:provider/new-account': 'public',
  'GET /sign-in/with/:provider/link-account': 'public',
  'POST /sign-in/with/:provider/link-account': 'public',
  'POST /account/sign-in-providers/:id/remove': 'signed-in',
  // Taster days: coordinators build them; link workers and cultural-sector staff (provider staff) register
  'GET /days': 'signed-in',
  'GET /days/new': coordinator,
  'POST /days/new': coordinator,
  'GET /days/:id': 'signed-in',
  'POST /days/:id/publish': coordinator,
  'GET /days/:id/items/new': coordinator,
  'POST /days/:id/items/new': coordinator,
  'GET /days/:id/items/:itemId/tasters/new': coordinator,
  'POST /days/:id/items/:itemId/tasters/new': coordinator,
  'GET /days/:id/registrations': coordinator,
  'GET /days/:id/register': ['link_worker', 'provider'],
  'POST /days/:id/register': ['link_worker', 'provider'],
  'POST /days/:id/choices': ['link_worker', 'provider'],
  'POST /days/:id/cancel': ['link_worker', 'provider'],
  'POST /days/:id/participant-list': ['link_worker', 'provider'],
  'GET /days/:id/participants': 'signed-in',
  // On the day and after it (door registers, badges, the discussion, sharing emails): coordinators organise;
  // a taster's register is also its organisation's staff's (checked by the route); participants discuss and share
  'GET /days/:id/badges': coordinator,
  'GET /days/:id/door': coordinator,
  'POST /days/:id/door/:registrationId': coordinator,
  'GET /days/:id/tasters/:tasterId/door': staff,
  'POST /days/:id/tasters/:tasterId/door/:choiceId': staff,
  'GET /days/:id/discussion': 'signed-in',
  'POST /days/:id/discussion': 'signed-in',
  'GET /days/:id/discussion.csv': coordinator,
  'POST /days/:id/share-email': ['link_worker', 'provider'],
  'GET /days/:id/contacts': ['link_worker', 'provider'],
  'GET /days/:id/edit': coordinator,
  'POST /days/:id/edit': coordinator,
  'GET /days/:id/items/:itemId/edit': coordinator,
  'POST /days/:id/items/:itemId/edit': coordinator,
  'GET /days/:id/items/:itemId/remove': coordinator,
  'POST /days/:id/items/:itemId/remove': coordinator,
  'GET /days/:id/tasters/:tasterId/edit': coordinator,
  'POST /days/:id/tasters/:tasterId/edit': coordinator,
  'GET /days/:id/tasters/:tasterId/remove': coordinator,
  'POST /days/:id/tasters/:tasterId/remove': coordinator,
  'GET /days/:id/cancel-day': coordinator,
  'POST /days/:id/cancel-day': coordinator,
  // After a day: feedback from link workers who attended (their own only)
  'GET /days/:id/feedback': linkWorker,
  'POST /days/:id/feedback': linkWorker,
  'GET /days/:id/feedback/tasters/:choiceId': linkWorker,
  'POST /days/:id/feedback/tasters/:choiceId': linkWorker,
  'GET /days/:id/report': coordinator,
  // Days proposed by provider staff for their organisation, approved or returned by a coordinator
  'GET /days/proposals': staff,
  'GET /days/proposals/new': ['provider'],
  'POST /days/proposals/new': ['provider'],
  'GET /days/proposals/:id': ['provider'],
  'POST /days/proposals/:id': ['provider'],
  'GET /days/:id/proposal': coordinator,
  'POST /days/:id/return': coordinator,
};

/**
 * The routes an app has, read from Fastify's route tree: each line is one node, indented four
 * characters per level, and a node's path is its ancestors' text followed by its own.
 */
export function registeredRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  const routes: Array<{ method: string; url: string }> = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│├└─\s]*?)([├└]── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1]!.length + match[2]!.length) / 4;
    stack.length = depth - 1;
    stack.push(match[3]!);
    const url = stack.join('');
    for (const method of (match[4] ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean)) {
      if (method !== 'HEAD') routes.push({ method, url });
    }
  }
  return routes;
}

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);
await app.ready();
const routes = registeredRoutes(app);

const people = {
  coordinator: await createUser(db, 'coordinator'),
  provider: await createUser(db, 'provider'),
  link_worker: await createUser(db, 'link_worker'),
};
const target = await createUser(db, 'link_worker');

const visitors = {} as Record<Role, Visitor>;
for (const role of roles) {
  visitors[role] = new Visitor(app);
  await visitors[role].signIn(people[role].email, PASSWORD);
}

/** A concrete URL for a route: a real person for people pages, otherwise ids that exist nowhere. */
function concrete(url: string): string {
  return url
    .replace('/people/:id', `/people/${target.id}`)
    .replace(/:token/g, 'x'.repeat(43))
    .replace(/:file/g, `${'x'.repeat(43)}.ics`)
    .replace(/:[A-Za-z]+/g, () => randomUUID());
}

// A plausible form for each foundation action, so a missing guard would really change something.
const bodies: Record<string, Record<string, string>> = {
  'POST /people/invite': { email: 'escalation@nhs.net', role: 'coordinator' },
  'POST /people/:id/role': { role: 'coordinator' },
};

const key = (route: { method: string; url: string }) => `${route.method} ${route.url}`;
const guarded = routes.filter((route) => Array.isArray(access[key(route)]) || access[key(route)] === 'signed-in');

t.test('the route table can be read from the app', async (t) => {
  const keys = routes.map(key);
  for (const expected of ['GET /people', 'POST /people/:id/role', 'GET /invitations/:token', 'GET /healthz', 'POST /sign-out']) {
    t.ok(keys.includes(expected), `found ${expected}`);
  }
});

t.test('every route the app registers has a decision about who may use it', async (t) => {
  const missing = routes.map(key).filter((k) => !(k in access));
  t.same(missing, [], 'routes without an entry: add each to the access table in test/plugins/access.test.ts');
});

t.test('signed-out visitors are sent to sign in, and come back to the page afterwards', async (t) => {
  const before = await databaseDigest(db);
  const visitor = new Visitor(app);
  await visitor.get('/sign-in');
  for (const route of guarded) {
    const url = concrete(route.url);
    const response = route.method === 'GET' ? await visitor.get(url) : await visitor.post(url, bodies[key(route)] ?? {});
    t.equal(response.statusCode, 302, `${route.method} ${route.url} redirects`);
    const back = route.method === 'GET' ? url : '/';
    t.equal(response.headers.location, `/sign-in?returnTo=${encodeURIComponent(back)}`, `${route.method} ${route.url} goes to sign in`);
  }
  t.same(await databaseDigest(db), before, 'nothing changed');
});

for (const role of roles) {
  t.test(`${role}: every route outside the role is refused with a 403 page, and changes nothing`, async (t) => {
    const visitor = visitors[role];
    const refused = guarded.filter((route) => access[key(route)] !== 'signed-in' && !(access[key(route)] as readonly Role[]).includes(role));
    t.ok(refused.length > 0 || role === 'coordinator', 'there are routes this role may not use');
    const before = await databaseDigest(db);
    for (const route of refused) {
      const url = concrete(route.url);
      for (const htmx of [false, true]) {
        const headers: Record<string, string> = htmx ? { 'hx-request': 'true' } : {};
        const response = route.method === 'GET' ? await visitor.get(url, headers) : await visitor.post(url, bodies[key(route)] ?? {}, { headers });
        const what = `${route.method} ${route.url}${htmx ? ' (htmx)' : ''}`;
        t.equal(response.statusCode, 403, `${what} is refused`);
        t.equal(heading(response.body), 'You cannot use this page', `${what} shows the 403 page, not the page itself`);
      }
    }
    t.same(await databaseDigest(db), before, 'nothing changed');
    const after = await db.selectFrom('users').select(['role', 'status']).where('id', '=', target.id).executeTakeFirstOrThrow();
    t.same(after, { role: 'link_worker', status: 'active' }, 'the person the forms were aimed at is untouched');
  });

  t.test(`${role}: the routes of the role are not refused by the role check`, async (t) => {
    const visitor = visitors[role];
    const allowed = guarded.filter(
      (route) => route.method === 'GET' && (access[key(route)] === 'signed-in' || (access[key(route)] as readonly Role[]).includes(role)),
    );
    for (const route of allowed) {
      const response = await visitor.get(concrete(route.url));
      const refusedByRole = response.statusCode === 403 && /does not have permission to see this page/.test(response.body);
      t.notOk(refusedByRole, `${route.method} ${route.url} lets a ${role} in (${response.statusCode})`);
      t.not(response.statusCode, 500, `${route.method} ${route.url} does not fail`);
      t.notOk(String(response.headers.location ?? '').startsWith('/sign-in'), `${route.method} ${route.url} keeps the ${role} signed in`);
    }
  });
}

t.test('public pages are open to signed-out visitors', async (t) => {
  const visitor = new Visitor(app);
  for (const route of routes.filter((r) => r.method === 'GET' && access[key(r)] === 'public')) {
    const response = await visitor.get(concrete(route.url));
    t.notOk(String(response.headers.location ?? '').startsWith('/sign-in?returnTo='), `${route.url} is not behind the sign-in guard`);
    t.ok(response.statusCode < 500, `${route.url} answers (${response.statusCode})`);
  }
});
