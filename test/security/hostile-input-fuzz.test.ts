import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { checkInToken } from '../../src/attendance/check-in.ts';
import { unsubscribeToken } from '../../src/preferences/unsubscribe.ts';
import { databaseDigest } from '../fixtures/database.ts';
import { pathOf as pathOfUrl, pressProviderButton, startTestProvider } from '../fixtures/oidc-provider.ts';
import { createTestDatabase, Visitor } from '../helper.ts';
import { type Entry, matrix } from './matrix.ts';
import { appWithRoutes, buildSecurityWorld, type Route } from './world.ts';

/**
 * Hostile input on every route the app registers, as every role that may use it (the access
 * matrix says who): signed out, a link worker, provider staff, a coordinator, each on their own
 * records so the requests reach the code behind the guards.
 *
 * Each path parameter, each query field and each form field in turn gets a NUL byte, half a
 * surrogate pair (as a client would encode it: %ED%A0%80), an escape code and a 100,000-character
 * string: no answer is a 5xx, and nothing in the database changes. Then each path parameter and
 * each field the pages' forms send gets "../", a number and a word (a number where text is
 * expected, text where a number or an id is): no answer is a 5xx. Those three are ordinary text,
 * so a form may take them; a few common names probed on every route ("q", "name", "id")
 * get only the hostile values, since on a button that takes no fields they would just press it.
 *
 * Fields are found where a person finds them: in the forms of every page the role can open
 * (action, method, the names of inputs, selects, text areas and buttons, formaction included).
 * A route added later is fuzzed without being listed here; the last test fails if any route went
 * without requests.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
// A real OpenID Connect provider, so the provider routes reach their handlers (not "not configured").
const baseUrl = 'http://localhost:3000';
const idp = await startTestProvider({ redirectUri: () => `${baseUrl}/sign-in/with/nhsmail/callback` });
t.teardown(() => idp.stop());
const { app, routes } = await appWithRoutes(t, database, { baseUrl, signInProviders: [idp.settings()], signInProvidersAllowHttp: true });
const world = await buildSecurityWorld(app, db);

type Actor = 'signedOut' | 'linkWorker' | 'providerA' | 'coordinator';
const actors: Actor[] = ['signedOut', 'linkWorker', 'providerA', 'coordinator'];
const roleOf = { linkWorker: 'link_worker', providerA: 'provider', coordinator: 'coordinator' } as const;

function mayUse(entry: Entry, actor: Actor): boolean {
  if (entry.who === 'outside' || entry.who === 'token') return actor === 'signedOut';
  if (entry.who === 'public') return true;
  if (actor === 'signedOut') return false;
  return entry.who === 'signed-in' || entry.who.includes(roleOf[actor]);
}

const key = (route: Route) => `${route.method} ${route.url}`;

/** The parameters of a route's address, in order: ":id" and the wildcard "*". */
function paramsOf(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)|\*/g)].map((m) => m[1] ?? '*');
}

/** The actor's own record for each parameter, so requests get past "not found" to the forms. */
function ownParam(route: Route, name: string): string {
  const url = route.url;
  const own = world.linkWorker;
  if (name === '*') return url.startsWith('/openreferral') ? 'services' : url.startsWith('/static/nhsuk') ? 'nhsuk-frontend.min.js' : 'app.css';
  if (name === 'bookingId') return own.bookings.attended.id;
  if (name === 'provider') return 'nhsmail';
  if (url.startsWith('/account/sign-in-providers/')) return own.identityId;
  if (name === 'index') return '0';
  if (name === 'file') return `${own.calendarToken}.ics`;
  if (name === 'token' && url.startsWith('/release-place')) return `${own.bookings.upcoming.id}.${'x'.repeat(43)}`;
  // A real link, so hostile values in its fields reach the edge in front of a working handler.
  if (name === 'token' && url.startsWith('/unsubscribe')) return unsubscribeToken(app.config.sessionSecret, own.person.id, 'reminders');
  // A real check-in code, for the session the link worker has a place on.
  if (name === 'token' && url.startsWith('/check-in')) return checkInToken(app.config.sessionSecret, world.a.sessions.upcoming.id);
  if (name === 'token') return 'x'.repeat(43);
  if (url.startsWith('/people/')) return world.otherLinkWorker.person.id;
  if (url.startsWith('/organisations/')) return world.a.organisation.id;
  if (url.startsWith('/venues/')) return world.a.venue.id;
  if (url.startsWith('/offers/')) return world.a.offer.id;
  if (url.startsWith('/activities/')) return world.a.offer.id;
  if (url.startsWith('/providers/')) return world.a.organisation.id;
  if (url.startsWith('/sessions/')) return url.includes('/register') ? world.a.sessions.past.id : world.a.sessions.upcoming.id;
  if (url.startsWith('/bookings/'))
    return url.endsWith('/feedback') ? own.bookings.attended.id : url.endsWith('/missed') ? own.bookings.missed.id : own.bookings.upcoming.id;
  if (url.startsWith('/days/')) return name === 'itemId' ? world.day.slotId : name === 'tasterId' ? world.day.tasters[0]!.id : world.day.id;
  if (url.startsWith('/dev/mailbox/') || url.startsWith('/messages/')) return world.message.id;
  return randomUUID();
}

/** The address with each parameter given an already-encoded value. */
function addressOf(route: Route, encoded: Record<string, string>): string {
  return route.url.replace(/:([A-Za-z0-9_]+)|\*/g, (_m, name: string | undefined) => encoded[name ?? '*']!);
}

function matcherFor(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`);
}
const matchers = routes.map((route) => ({ route, matches: matcherFor(route.url), dynamic: paramsOf(route.url).length }));

/** The route a form's action and method reach: a fixed address before one with parameters, as the router does. */
function routeFor(method: string, path: string): Route | undefined {
  return matchers.filter((m) => m.route.method === method && m.matches.test(path)).sort((a, b) => a.dynamic - b.dynamic)[0]?.route;
}

/** The forms on a page: where each sends, how, and the names of its fields. */
function formsOn(html: string, pageUrl: string): Array<{ method: string; path: string; fields: string[] }> {
  const found: Array<{ method: string; path: string; fields: string[] }> = [];
  for (const [, attributes, inner] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attribute = (name: string, text: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(text)?.[1];
    const method = (attribute('method', attributes!) ?? 'get').toUpperCase();
    const fields = [...inner!.matchAll(/<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"/g)].map((m) => m[1]!).filter((name) => name !== '_csrf');
    const actions = [attribute('action', attributes!) ?? pageUrl, ...[...inner!.matchAll(/\bformaction="([^"]+)"/g)].map((m) => m[1]!)];
    for (const action of actions) {
      const path = new URL(action.replace(/&amp;/g, '&'), `http://tasters.test${pageUrl}`).pathname;
      found.push({ method, path, fields: [...new Set(fields)] });
    }
  }
  return found;
}

type Value = { label: string; encoded: string; hostile: boolean };
const enc = encodeURIComponent;
const VALUES: Value[] = [
  { label: 'a NUL byte', encoded: enc('before\u0000after'), hostile: true },
  { label: 'half a surrogate pair', encoded: 'before%ED%A0%80after', hostile: true },
  { label: 'an escape code', encoded: enc('before\u001b[31mafter'), hostile: true },
  { label: '100,000 characters', encoded: 'x'.repeat(100_000), hostile: true },
  { label: '../', encoded: enc('../'), hostile: false },
  { label: 'a number', encoded: '12345', hostile: false },
  { label: 'a word', encoded: enc('twelve'), hostile: false },
];
const PROBES = { query: ['q', 'id'], form: ['name', 'id'] };

const visitors: Record<Actor, Visitor> = { signedOut: new Visitor(app), ...world.visitors };
// Signed out, back from the provider as someone new: the new-account and link-account forms are open to them.
idp.addAccount({ sub: 'fuzzed-newcomer', email: 'fuzzed-newcomer@nhs.net', name: 'Newcomer' });
const back = await pressProviderButton(visitors.signedOut, idp, 'fuzzed-newcomer');
await visitors.signedOut.get(pathOfUrl(back));
await visitors.signedOut.get('/sign-in');
const requestsPerRoute = new Map<string, number>(routes.map((route) => [key(route), 0]));

/** Every field a role's pages send to each route, found by opening every page the role may open. */
async function discoverFields(actor: Actor): Promise<Map<string, Set<string>>> {
  const fields = new Map<string, Set<string>>();
  const visitor = visitors[actor];
  for (const route of routes) {
    const entry = matrix[key(route)];
    if (route.method !== 'GET' || !entry || !mayUse(entry, actor) || route.url.startsWith('/static')) continue;
    const url = addressOf(route, Object.fromEntries(paramsOf(route.url).map((name) => [name, ownParam(route, name)])));
    const page = await visitor.get(url);
    if (!String(page.headers['content-type'] ?? '').startsWith('text/html')) continue;
    for (const form of formsOn(page.body, url)) {
      const target = routeFor(form.method, form.path);
      if (!target) continue;
      const names = fields.get(key(target)) ?? new Set<string>();
      for (const field of form.fields) names.add(field);
      fields.set(key(target), names);
    }
  }
  return fields;
}

type Slot = { where: 'address' | 'query' | 'form'; name: string; discovered: boolean };

/** One request: the route on the actor's own records, with one slot given one value. */
async function send(actor: Actor, route: Route, slot: Slot, value: Value): Promise<LightMyRequestResponse> {
  const visitor = visitors[actor];
  const params = Object.fromEntries(paramsOf(route.url).map((name) => [name, enc(ownParam(route, name))]));
  if (slot.where === 'address') params[slot.name] = value.encoded;
  const query = slot.where === 'query' ? `?${enc(slot.name)}=${value.encoded}` : '';
  const post = route.method !== 'GET' && route.method !== 'OPTIONS';
  const body = post ? [`_csrf=${enc(visitor.csrfToken)}`, ...(slot.where === 'form' ? [`${enc(slot.name)}=${value.encoded}`] : [])].join('&') : undefined;
  requestsPerRoute.set(key(route), (requestsPerRoute.get(key(route)) ?? 0) + 1);
  return app.inject({
    method: route.method as 'GET' | 'POST' | 'OPTIONS',
    url: `${addressOf(route, params)}${query}`,
    cookies: visitor.cookies,
    remoteAddress: visitor.remoteAddress,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body }),
  });
}

function slotsFor(route: Route, discovered: Set<string> | undefined): Slot[] {
  const fieldsIn: 'query' | 'form' = route.method === 'GET' || route.method === 'OPTIONS' ? 'query' : 'form';
  const slots: Slot[] = paramsOf(route.url).map((name) => ({ where: 'address', name, discovered: true }));
  for (const name of discovered ?? []) slots.push({ where: fieldsIn, name, discovered: true });
  for (const name of PROBES[fieldsIn]) if (!discovered?.has(name)) slots.push({ where: fieldsIn, name, discovered: false });
  // A form's address can carry a query string too: one probe there.
  if (fieldsIn === 'form') slots.push({ where: 'query', name: 'q', discovered: false });
  return slots;
}

t.test('every route the app registers has an entry in the access matrix, so the fuzz knows who may use it', async (t) => {
  t.ok(routes.length > 100, `${routes.length} routes`);
  t.same(
    routes.map(key).filter((k) => !(k in matrix)),
    [],
    'routes without an entry: add each to test/security/matrix.ts',
  );
  t.same(routes.filter((route) => !actors.some((actor) => mayUse(matrix[key(route)]!, actor))).map(key), [], 'routes nobody here may use');
});

for (const actor of actors) {
  t.test(`${actor}: hostile values in every parameter and field of every route they may use`, async (t) => {
    const fields = await discoverFields(actor);
    const usable = routes.filter((route) => matrix[key(route)] && mayUse(matrix[key(route)]!, actor));
    t.ok(usable.length > 0, `${usable.length} routes, ${[...fields.values()].reduce((n, s) => n + s.size, 0)} form fields found on the pages`);

    const failures: string[] = [];
    const before = await databaseDigest(db);
    for (const route of usable) {
      for (const slot of slotsFor(route, fields.get(key(route)))) {
        for (const value of VALUES.filter((v) => v.hostile)) {
          const response = await send(actor, route, slot, value);
          if (response.statusCode >= 500) failures.push(`${key(route)}: ${slot.where} ${slot.name} = ${value.label} → ${response.statusCode}`);
        }
      }
    }
    t.same(failures, [], 'no 5xx for a NUL byte, half a surrogate pair, an escape code or 100,000 characters');
    const after = await databaseDigest(db);
    t.same(
      Object.keys(after).filter((table) => after[table] !== before[table]),
      [],
      'nothing stored: no table changed',
    );

    const oddFailures: string[] = [];
    for (const route of usable) {
      for (const slot of slotsFor(route, fields.get(key(route))).filter((s) => s.discovered)) {
        for (const value of VALUES.filter((v) => !v.hostile)) {
          const response = await send(actor, route, slot, value);
          if (response.statusCode >= 500) oddFailures.push(`${key(route)}: ${slot.where} ${slot.name} = ${value.label} → ${response.statusCode}`);
        }
      }
    }
    t.same(oddFailures, [], 'no 5xx for "../", a number where text goes or a word where a number or id goes');
  });
}

t.test('every route was fuzzed: a route added later is covered, or this fails', async (t) => {
  const missed = [...requestsPerRoute].filter(([, count]) => count === 0).map(([route]) => route);
  t.same(missed, [], 'routes that got no hostile requests');
  const total = [...requestsPerRoute.values()].reduce((a, b) => a + b, 0);
  t.ok(total > 2000, `${total} requests in all`);
});
