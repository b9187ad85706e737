import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { seedDemoData } from '../../src/demo/seed.ts';
import { createOffer, createOrganisation, createSession, createVenue } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { buildTestApp, createTestDatabase } from '../helper.ts';
import { createDemoLikeArea, offerDetails, organisationDetails, venueDetails } from './fixtures.ts';
import { type Endpoint, endpoints, problems } from './validator.ts';

// Every answer of every endpoint, for an empty area, the demo data and the edge cases, checked
// against the Open Referral UK profile's schemas and API description.
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

type Tap = Parameters<Parameters<typeof t.test>[0]>[0];
type Body = Record<string, unknown> & { contents?: Array<Record<string, unknown>> };

async function fetchValid(t: Tap, app: FastifyInstance, endpoint: Endpoint, url: string): Promise<Body> {
  const response = await app.inject(url);
  t.equal(response.statusCode, 200, `GET ${url}`);
  t.match(response.headers['content-type'], /^application\/json/);
  t.equal(response.headers['access-control-allow-origin'], '*');
  const body = response.json() as Body;
  t.same(problems(endpoint, body), [], `GET ${url} meets the profile's schema for ${endpoint}`);
  return body;
}

/** Follows the whole feed, every page and every item, validating each answer. Returns every body read. */
async function walkFeed(t: Tap, app: FastifyInstance) {
  const bodies: Body[] = [await fetchValid(t, app, '/', '/openreferral/')];
  const seen: Record<string, number> = {};
  const lists: Array<[list: Endpoint, item: Endpoint, path: string]> = [
    ['/services', '/services/{id}', 'services'],
    ['/service_at_locations', '/service_at_locations/{id}', 'service_at_locations'],
    ['/taxonomies', '/taxonomies/{id}', 'taxonomies'],
    ['/taxonomy_terms', '/taxonomy_terms/{id}', 'taxonomy_terms'],
    ['/organizations', '/organizations/{id}', 'organizations'],
  ];
  for (const [list, item, path] of lists) {
    seen[path] = 0;
    for (let pageNumber = 1; ; pageNumber++) {
      const listed = await fetchValid(t, app, list, `/openreferral/${path}?page=${pageNumber}&per_page=3`);
      bodies.push(listed);
      for (const entry of listed.contents ?? []) {
        bodies.push(await fetchValid(t, app, item, `/openreferral/${path}/${entry.id}`));
        if (path === 'organizations') bodies.push(await fetchValid(t, app, item, `/openreferral/${path}/${entry.id}?full_service=true`));
        seen[path]++;
      }
      if (listed.last_page) break;
    }
  }
  return { bodies, seen };
}

t.test('an area with no offers at all', async (t) => {
  const offers = await db
    .selectFrom('offers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  t.equal(Number(offers.n), 0, 'the database starts empty');
  const app = await buildTestApp(t, database);
  const { seen } = await walkFeed(t, app);
  t.same(seen, { services: 0, service_at_locations: 0, taxonomies: 1, taxonomy_terms: 10, organizations: 0 });
  const services = await fetchValid(t, app, '/services', '/openreferral/services');
  t.match(services, { total_items: 0, total_pages: 0, page_number: 1, size: 0, first_page: true, last_page: true, empty: true, contents: [] });
});

t.test('the demo data, with offers like the demo area', async (t) => {
  t.ok(await seedDemoData(db), 'the demo area is seeded');
  const area = await createDemoLikeArea(db);
  const app = await buildTestApp(t, database);
  const { bodies, seen } = await walkFeed(t, app);
  // The demo seed may bring offers of its own; ours must all be there.
  t.ok(seen.services! >= 5, 'every published offer walked');
  t.ok(seen.service_at_locations! >= 4, 'handling, singing and drawing at the gallery, gardening at the glasshouses');
  t.ok(seen.organizations! >= 2, 'the museum and the garden');
  const listedIds = JSON.stringify(bodies.filter((body) => Array.isArray(body.contents)));
  for (const offer of [area.handling, area.singing, area.gardening, area.drawing, area.reading]) t.ok(listedIds.includes(offer.id), `${offer.title} is listed`);

  // Nothing about people: no user's name or email is anywhere in the feed.
  const everything = JSON.stringify(bodies);
  const users = await db.selectFrom('users').select(['name', 'email']).execute();
  t.ok(users.length >= 5);
  for (const user of users) {
    t.notOk(everything.includes(user.name), `${user.name} is not in the feed`);
    t.notOk(everything.includes(user.email), `${user.email} is not in the feed`);
  }

  const museum = await fetchValid(t, app, '/organizations/{id}', `/openreferral/organizations/${area.museum.id}`);
  t.match(museum, {
    id: area.museum.id,
    name: area.museum.name,
    website: 'https://museum.example.org.uk/',
    uri: `http://localhost:3000/openreferral/organizations/${area.museum.id}`,
  });
  t.same(
    (museum.services as Array<{ name: string }>).map((service) => service.name),
    ['Drawing in the galleries', area.handling.title, 'Singing for wellbeing'],
    'its services, in title order',
  );
  const full = await fetchValid(t, app, '/organizations/{id}', `/openreferral/organizations/${area.museum.id}?full_service=true`);
  t.match(full.services, [
    { name: 'Drawing in the galleries', schedules: [{ freq: 'MONTHLY' }] },
    {},
    { name: 'Singing for wellbeing', cost_options: [{ amount: 3.5 }] },
  ]);
  t.notOk('organization' in (full.services as object[])[0]!, 'the organisation is not nested again in its own services');

  const singing = await fetchValid(t, app, '/services/{id}', `/openreferral/services/${area.singing.id}`);
  t.match(singing, {
    name: 'Singing for wellbeing',
    status: 'active',
    minimum_age: 18,
    url: `http://localhost:3000/activities/${area.singing.id}`,
    eligibility_description: 'Adults who feel isolated. Ages 18 and over.',
    schedules: [{ freq: 'WEEKLY', interval: 1, byday: 'TU,TH', opens_at: '14:00:00', closes_at: '15:30:00', attending_type: 'In person' }],
    cost_options: [{ amount: 3.5, currency: 'GBP', amount_description: 'per session, tea included' }],
    attributes: [{ taxonomy_term: { code: 'singing_music', name: 'Singing and music' } }],
    service_at_locations: [{ location_id: area.gallery.id, location: { name: area.gallery.name, addresses: [{ postal_code: 'OX1 3PW', country: 'GB' }] } }],
  });
});

t.test('edge cases: no venue, online only, archived, opted out, unusable contact details', async (t) => {
  const library = await createOrganisation(db, {
    ...organisationDetails(),
    name: 'Edge Library',
    kind: 'library',
    website: 'not a website',
    contactEmail: 'ask at the desk',
    contactPhone: null,
  });
  const optedOut = await createOrganisation(db, { ...organisationDetails(), name: 'Private Gallery', kind: 'gallery', publishesOpenData: false });
  const hall = await createVenue(db, library.id, {
    ...venueDetails(),
    name: 'Reading room',
    latitude: null,
    longitude: null,
    stepFree: false,
    accessibleToilet: false,
    hearingLoop: false,
    seating: false,
    accessNotes: '',
    travelNotes: '',
  });
  const noVenue = await createOffer(db, library.id, {
    ...offerDetails(),
    title: 'Letters to the future',
    usualVenueId: null,
    scheduleFrequency: null,
    scheduleDays: [],
    scheduleStartTime: null,
    scheduleEndTime: null,
    referralEmail: 'not an email',
  });
  const online = await createOffer(db, library.id, {
    ...offerDetails(),
    title: 'Poetry online',
    category: 'reading_writing',
    usualVenueId: null,
    scheduleNote: 'Evenings; dates on the booking page',
  });
  await createSession(db, online.id, { isOnline: true, venueId: null });
  const archived = await createOffer(db, library.id, { ...offerDetails(), title: 'Retired origami club', usualVenueId: hall.id, status: 'archived' });
  const hidden = await createOffer(db, optedOut.id, { ...offerDetails(), title: 'Hidden life drawing' });
  const draftOnly = await createOffer(db, library.id, { ...offerDetails(), title: 'Maps and memories', usualVenueId: null });
  await createSession(db, draftOnly.id, { venueId: hall.id, status: 'draft' });
  await createSession(db, draftOnly.id, { venueId: hall.id, startsAt: at(-7, 14) });

  const app = await buildTestApp(t, database);
  const { bodies } = await walkFeed(t, app);
  const everything = JSON.stringify(bodies);
  for (const title of ['Retired origami club', 'Hidden life drawing', 'Private Gallery']) t.notOk(everything.includes(title), `${title} is not published`);

  const letters = await fetchValid(t, app, '/services/{id}', `/openreferral/services/${noVenue.id}`);
  t.same(letters.service_at_locations, []);
  t.same(letters.schedules, []);
  t.notOk('email' in letters, 'an unusable email is left out');
  t.notOk('website' in (letters.organization as object), 'an unusable website is left out');

  const poetry = await fetchValid(t, app, '/services/{id}', `/openreferral/services/${online.id}`);
  t.same(poetry.service_at_locations, []);
  t.match(poetry.service_areas, [{ name: 'Online' }]);
  t.match(poetry.schedules, [{ attending_type: 'Online', schedule_link: `http://localhost:3000/activities/${online.id}#when` }]);

  const maps = await fetchValid(t, app, '/services/{id}', `/openreferral/services/${draftOnly.id}`);
  t.same(maps.service_at_locations, [], 'draft and past tasters do not make a location');

  for (const id of [archived.id, hidden.id]) {
    const response = await app.inject(`/openreferral/services/${id}`);
    t.equal(response.statusCode, 404);
    t.equal(response.headers['access-control-allow-origin'], '*');
  }
});

t.test('every endpoint of the API description is served and checked', async (t) => {
  t.same(endpoints, [
    '/',
    '/services',
    '/services/{id}',
    '/service_at_locations',
    '/service_at_locations/{id}',
    '/taxonomies',
    '/taxonomies/{id}',
    '/taxonomy_terms',
    '/taxonomy_terms/{id}',
    '/organizations',
    '/organizations/{id}',
  ]);
});
