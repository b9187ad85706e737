import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import t from 'tap';
import { serviceAtLocationId } from '../../src/openreferral/ids.ts';
import { FEED_RATE_LIMIT } from '../../src/openreferral/routes.ts';
import { createOffer, createOrganisation, createSession, createUser, createVenue, PASSWORD } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';
import { offerDetails, organisationDetails, venueDetails } from './fixtures.ts';

// What the feed publishes and what it never does; its headers and errors; the coordinators' page.
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const publisher = await createOrganisation(db, { ...organisationDetails(), name: 'Open Museum' });
const private_ = await createOrganisation(db, { ...organisationDetails(), name: 'Quiet Gallery', publishesOpenData: false });
const hall = await createVenue(db, publisher.id, { ...venueDetails(), name: 'Great Hall' });
const annexe = await createVenue(db, publisher.id, { ...venueDetails(), name: 'Annexe' });
const closedWing = await createVenue(db, publisher.id, { ...venueDetails(), name: 'Closed wing', archivedAt: new Date() });
const studio = await createVenue(db, private_.id, { ...venueDetails(), name: 'Quiet studio' });
const active = await createOffer(db, publisher.id, { ...offerDetails(), title: 'Open handling session', usualVenueId: hall.id });
const archived = await createOffer(db, publisher.id, { ...offerDetails(), title: 'Archived printmaking', usualVenueId: annexe.id, status: 'archived' });
const hidden = await createOffer(db, private_.id, { ...offerDetails(), title: 'Quiet sketching', usualVenueId: studio.id });
await createSession(db, hidden.id, { venueId: studio.id });

type Body = { contents: Array<{ id: string; name?: string; location_id?: string; service_id?: string }>; total_items: number };
const get = (app: FastifyInstance, url: string) => app.inject(`/openreferral${url}`);
const listed = async (app: FastifyInstance, url: string) => (await get(app, url)).json() as Body;

t.test('only active offers of organisations that publish', async (t) => {
  const app = await buildTestApp(t, database);
  t.same(
    (await listed(app, '/services')).contents.map((s) => s.name),
    ['Open handling session'],
  );
  t.same(
    (await listed(app, '/service_at_locations')).contents.map((s) => s.location_id),
    [hall.id],
  );
  t.equal((await get(app, `/services/${active.id}`)).statusCode, 200);
  for (const id of [archived.id, hidden.id]) t.equal((await get(app, `/services/${id}`)).statusCode, 404);
  t.equal((await get(app, `/service_at_locations/${serviceAtLocationId(hidden.id, studio.id)}`)).statusCode, 404, 'an opted-out pair is not found by id');
  t.equal((await get(app, `/service_at_locations/${serviceAtLocationId(archived.id, annexe.id)}`)).statusCode, 404);

  // The organisation setting takes effect at once, both ways.
  await db.updateTable('organisations').set({ publishesOpenData: true }).where('id', '=', private_.id).execute();
  t.same(
    (await listed(app, '/services')).contents.map((s) => s.name),
    ['Open handling session', 'Quiet sketching'],
  );
  await db.updateTable('organisations').set({ publishesOpenData: false }).where('id', '=', private_.id).execute();
  t.same(
    (await listed(app, '/services')).contents.map((s) => s.name),
    ['Open handling session'],
  );

  // Archiving an offer takes it out.
  await db.updateTable('offers').set({ status: 'archived' }).where('id', '=', active.id).execute();
  t.equal((await listed(app, '/services')).total_items, 0);
  t.equal((await get(app, `/services/${active.id}`)).statusCode, 404);
  await db.updateTable('offers').set({ status: 'active' }).where('id', '=', active.id).execute();
});

t.test('an offer is at its usual venue and at the venues of its upcoming published tasters', async (t) => {
  const app = await buildTestApp(t, database);
  const touring = await createOffer(db, publisher.id, { ...offerDetails(), title: 'Touring choir', usualVenueId: hall.id });
  await createSession(db, touring.id, { venueId: annexe.id, startsAt: at(3, 14) });
  await createSession(db, touring.id, { venueId: annexe.id, startsAt: at(10, 14) });
  await createSession(db, touring.id, { venueId: closedWing.id, startsAt: at(3, 14) });
  await createSession(db, touring.id, { venueId: studio.id, startsAt: at(3, 14) });
  const past = await createVenue(db, publisher.id, { ...venueDetails(), name: 'Old chapel' });
  await createSession(db, touring.id, { venueId: past.id, startsAt: at(-2, 14) });
  const cancelled = await createVenue(db, publisher.id, { ...venueDetails(), name: 'Boathouse' });
  await createSession(db, touring.id, { venueId: cancelled.id, status: 'cancelled', cancellationReason: 'Flooded' });

  const service = (await get(app, `/services/${touring.id}`)).json() as { service_at_locations: Array<{ id: string; location: { name: string } }> };
  t.same(
    service.service_at_locations.map((sal) => sal.location.name),
    ['Great Hall', 'Annexe'],
    'usual venue first; no archived venue, no other organisation’s venue, no past or cancelled taster',
  );

  // The database finds a pair by the same id the mapping publishes.
  const annexeId = serviceAtLocationId(touring.id, annexe.id);
  t.equal(service.service_at_locations[1]!.id, annexeId);
  for (const id of [annexeId, annexeId.toUpperCase()]) {
    const found = await get(app, `/service_at_locations/${id}`);
    t.equal(found.statusCode, 200);
    t.match(found.json(), { id: annexeId, service_id: touring.id, location_id: annexe.id, location: { name: 'Annexe' }, service: { name: 'Touring choir' } });
  }
  const pairs = await listed(app, `/service_at_locations?search=touring`);
  t.same(pairs.contents.map((p) => p.id).sort(), [serviceAtLocationId(touring.id, hall.id), annexeId].sort());
});

const problemShape = { status: Number, error: String, message: String };

t.test('every answer carries the CORS header and is JSON, errors included', async (t) => {
  const app = await buildTestApp(t, database);
  const cases: Array<[url: string, status: number, parameter?: string]> = [
    ['/', 200],
    ['/services', 200],
    ['/taxonomy_terms', 200],
    ['/no-such-thing', 404],
    ['/services/00000000-0000-4000-8000-000000000000', 404],
    ['/services/not-a-uuid', 404],
    ['/service_at_locations/not-a-uuid', 404],
    ['/taxonomies/00000000-0000-4000-8000-000000000000', 404],
    ['/taxonomy_terms/whatever', 404],
    ['/services?page=0', 400, 'page'],
    ['/services?per_page=lots', 400, 'per_page'],
    ['/services?page=1&page=2', 400, 'page'],
    ['/services?day=someday', 400, 'day'],
    ['/services?start_time=25:00', 400, 'start_time'],
    ['/services?end_time=2pm', 400, 'end_time'],
    ['/services?organization_id=nope', 400, 'organization_id'],
    ['/services?modified_after=last%20week', 400, 'modified_after'],
    ['/services?minimum_age=old', 400, 'minimum_age'],
    ['/service_at_locations?postcode=nowhere', 400, 'postcode'],
    ['/service_at_locations?postcode=OX1&proximity=1000', 400, 'proximity'],
    ['/taxonomies?page=x', 400, 'page'],
  ];
  for (const [url, status, parameter] of cases) {
    const response = await get(app, url);
    t.equal(response.statusCode, status, `GET ${url}`);
    t.equal(response.headers['access-control-allow-origin'], '*', `GET ${url} allows any origin`);
    t.match(response.headers['content-type'], /^application\/json/, `GET ${url} is JSON`);
    t.notOk(response.headers['set-cookie'], `GET ${url} sets no cookie`);
    if (status !== 200) t.match(response.json(), { ...problemShape, status }, `GET ${url} explains itself`);
    if (parameter) t.match(response.json(), { error: 'invalid_parameter', parameter });
  }
  t.match((await get(app, '/services?day=someday')).json(), { message: 'day must be a day of the week: MO, TU, WE, TH, FR, SA or SU' });

  const post = await app.inject({ method: 'POST', url: '/openreferral/services', payload: {} });
  t.equal(post.statusCode, 405, 'read only: a method it does not take');
  t.equal(post.headers.allow, 'GET, HEAD, OPTIONS', 'and which it does');
  t.equal(post.headers['access-control-allow-origin'], '*');
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/openreferral/services',
    headers: { origin: 'https://directory.example', 'access-control-request-method': 'GET' },
  });
  t.equal(preflight.statusCode, 204);
  t.equal(preflight.headers['access-control-allow-origin'], '*');
  t.match(preflight.headers['access-control-allow-methods'], /GET/);
});

t.test('one address is limited to its share of requests, and told so in JSON', async (t) => {
  const app = await buildTestApp(t, database);
  for (let i = 0; i < FEED_RATE_LIMIT; i++) {
    const response = await get(app, '/');
    if (response.statusCode !== 200) return t.fail(`request ${i + 1} was refused with ${response.statusCode}`);
  }
  const refused = await get(app, '/services');
  t.equal(refused.statusCode, 429);
  t.equal(refused.headers['access-control-allow-origin'], '*');
  t.match(refused.headers['content-type'], /^application\/json/);
  t.ok(Number(refused.headers['retry-after']) > 0, 'says when to come back');
  t.match(refused.json(), { status: 429, error: 'too_many_requests', message: /Try again in \d+ seconds/ });
  const other = await app.inject({ method: 'GET', url: '/openreferral/services', remoteAddress: '192.0.2.7' });
  t.equal(other.statusCode, 200, 'another address is not affected');
  t.equal((await app.inject('/healthz')).statusCode, 200, 'the limit covers the feed only');
});

t.test('coordinators see the feed address, what it publishes and who opted out', async (t) => {
  const app = await buildTestApp(t, database);
  const coordinator = await createUser(db, 'coordinator');
  const visitor = new Visitor(app);
  await visitor.signIn(coordinator.email, PASSWORD);
  const page = await visitor.get('/open-data');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Open data feed');
  t.match(page.body, 'href="http://localhost:3000/openreferral/"');
  t.match(page.body, /id="count-services">2</, 'the handling session and the touring choir');
  t.match(page.body, /id="count-locations">2</, 'Great Hall and Annexe');
  t.match(page.body, /id="count-not-publishing">1</);
  t.match(page.body, /<li><a href="\/organisations\/[^"]+">Quiet Gallery<\/a> \(1 active offer kept out of the feed\)/);
  t.match(page.body, 'href="/open-data"', 'the menu links to it');

  const provider = await createUser(db, 'provider', { organisationId: publisher.id });
  const staff = new Visitor(app);
  await staff.signIn(provider.email, PASSWORD);
  t.equal((await staff.get('/open-data')).statusCode, 403);
  const stranger = await new Visitor(app).get('/open-data');
  t.equal(stranger.statusCode, 302);
  t.match(stranger.headers.location, /^\/sign-in/);
});

t.test('a failure inside the feed is still JSON with the CORS header, and never shows its detail', async (t) => {
  // A database that has lost a table the feed reads: every query about offers fails.
  const broken = await createTestDatabase();
  t.teardown(() => broken.close());
  const app = await buildTestApp(t, broken);
  await sql`drop table offers cascade`.execute(broken.db);
  const response = await get(app, '/services');
  t.equal(response.statusCode, 500);
  t.equal(response.headers['access-control-allow-origin'], '*');
  t.match(response.json(), { status: 500, error: 'server_error', message: /^Sorry, there is a problem with the service\. Reference: \S+$/ });
  t.notMatch(response.body, /stack|at .*\.ts/);
});

t.test('the feed answers with and without a trailing slash', async (t) => {
  const app = await buildTestApp(t, database);
  for (const url of ['/openreferral', '/openreferral/', '/openreferral/services/', `/openreferral/services/${active.id}/`]) {
    t.equal((await app.inject(url)).statusCode, 200, url);
  }
});
