import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import type { Weekday } from '../../src/db/tables/publishing.ts';
import { taxonomyId, taxonomyTermId } from '../../src/openreferral/taxonomy.ts';
import { createOffer, createOrganisation, createVenue } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase } from '../helper.ts';
import { offerDetails, organisationDetails, venueDetails } from './fixtures.ts';

// Paging, search and the profile's filters, on one organisation's seven offers.
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const museum = await createOrganisation(db, { ...organisationDetails(), name: 'Filters Museum' });
const parks = await createVenue(db, museum.id, { ...venueDetails(), name: 'Parks Road building', postcode: 'OX1 3PW' });
const cowley = await createVenue(db, museum.id, { ...venueDetails(), name: 'Cowley branch', postcode: 'OX4 1AA' });
const weekly = (days: Weekday[], start: string, end: string) => ({
  scheduleFrequency: 'weekly' as const,
  scheduleDays: days,
  scheduleStartTime: start,
  scheduleEndTime: end,
});
const offers = {
  alpha: await createOffer(db, museum.id, {
    ...offerDetails(),
    title: 'Alpha singing',
    category: 'singing_music',
    ...weekly(['TU', 'TH'], '14:00', '15:30'),
    minAge: 18,
    usualVenueId: parks.id,
  }),
  bravo: await createOffer(db, museum.id, {
    ...offerDetails(),
    title: 'Bravo dance',
    category: 'dance_movement',
    description: 'A gentle tea dance.',
    ...weekly(['MO'], '10:00', '11:00'),
    minAge: 60,
    maxAge: 99,
    usualVenueId: parks.id,
  }),
  charlie: await createOffer(db, museum.id, {
    ...offerDetails(),
    title: 'Charlie drawing',
    category: 'drawing_painting',
    scheduleFrequency: 'monthly',
    scheduleDays: ['FR'],
    scheduleWeekOfMonth: -1,
    scheduleStartTime: '11:00',
    scheduleEndTime: '12:30',
    usualVenueId: cowley.id,
  }),
  delta: await createOffer(db, museum.id, {
    ...offerDetails(),
    title: 'Delta gardening',
    category: 'gardening_nature',
    scheduleFrequency: 'fortnightly',
    scheduleDays: ['WE'],
    scheduleStartTime: '09:30',
    scheduleEndTime: '12:00',
    minAge: 16,
    maxAge: 25,
  }),
  echo: await createOffer(db, museum.id, {
    ...offerDetails(),
    title: 'Echo reading',
    category: 'reading_writing',
    scheduleFrequency: null,
    scheduleDays: [],
    scheduleStartTime: null,
    scheduleEndTime: null,
  }),
  foxtrot: await createOffer(db, museum.id, {
    ...offerDetails(),
    title: 'Foxtrot singing',
    category: 'singing_music',
    description: 'An evening choir.',
    ...weekly(['SA'], '18:00', '20:00'),
  }),
  golf: await createOffer(db, museum.id, { ...offerDetails(), title: 'Golf museum tour', category: 'heritage_museums', ...weekly(['TH'], '13:00', '14:00') }),
};

type Page = {
  total_items: number;
  total_pages: number;
  page_number: number;
  size: number;
  first_page: boolean;
  last_page: boolean;
  empty: boolean;
  contents: Array<{ id: string; name?: string; service?: { name: string }; location?: { name: string } }>;
};

async function list(app: FastifyInstance, path: string, query: string): Promise<Page> {
  const response = await app.inject(`/openreferral/${path}?organization_id=${museum.id}&${query}`);
  if (response.statusCode !== 200) throw new Error(`${path}?${query}: ${response.statusCode} ${response.body}`);
  return response.json() as Page;
}

const names = (page: Page) => page.contents.map((item) => item.name ?? `${item.service!.name} at ${item.location!.name}`);

t.test('pages through the services in title order', async (t) => {
  const app = await buildTestApp(t, database);
  const second = await list(app, 'services', 'page=2&per_page=3');
  t.same(names(second), ['Delta gardening', 'Echo reading', 'Foxtrot singing']);
  t.match(second, { total_items: 7, total_pages: 3, page_number: 2, size: 3, first_page: false, last_page: false, empty: false });
  const third = await list(app, 'services', 'page=3&per_page=3');
  t.same(names(third), ['Golf museum tour']);
  t.match(third, { size: 1, last_page: true });
  t.match(await list(app, 'services', 'page=4&per_page=3'), { total_items: 7, size: 0, empty: true, contents: [] });
  const first = await list(app, 'services', '');
  t.match(first, { page_number: 1, first_page: true, last_page: true, size: 7, total_pages: 1 }, 'one page of 50 by default');
});

t.test('never more than 100 to a page', async (t) => {
  const bulk = await createOrganisation(db, { ...organisationDetails(), name: 'Bulk Gallery' });
  for (let i = 0; i < 105; i++) {
    await createOffer(db, bulk.id, { title: `Bulk offer ${String(i).padStart(3, '0')}`, category: 'other', description: 'Many of them.', howToRefer: 'Ask.' });
  }
  const app = await buildTestApp(t, database);
  const response = await app.inject(`/openreferral/services?organization_id=${bulk.id}&per_page=500`);
  t.equal(response.statusCode, 200);
  t.match(response.json(), { total_items: 105, total_pages: 2, size: 100, last_page: false });
  const last = (await app.inject(`/openreferral/services?organization_id=${bulk.id}&per_page=500&page=2`)).json() as Page;
  t.same(names(last), ['Bulk offer 100', 'Bulk offer 101', 'Bulk offer 102', 'Bulk offer 103', 'Bulk offer 104']);
});

t.test('search matches titles, descriptions and every word', async (t) => {
  const app = await buildTestApp(t, database);
  t.same(names(await list(app, 'services', 'search=singing')), ['Alpha singing', 'Foxtrot singing']);
  t.same(names(await list(app, 'services', 'search=CHOIR')), ['Foxtrot singing'], 'description, any case');
  t.same(names(await list(app, 'services', 'search=tea%20dance')), ['Bravo dance'], 'both words must match');
  t.same(names(await list(app, 'services', 'search=Filters%20Museum%20golf')), ['Golf museum tour'], 'the organisation name counts');
  t.same(names(await list(app, 'services', 'search=%25')), [], 'a % is a character, not a wildcard');
});

t.test('taxonomy_term_id and taxonomy_id', async (t) => {
  const app = await buildTestApp(t, database);
  t.same(names(await list(app, 'services', `taxonomy_term_id=${taxonomyTermId('singing_music')}`)), ['Alpha singing', 'Foxtrot singing']);
  t.same(names(await list(app, 'services', `taxonomy_term_id=${taxonomyTermId('gardening_nature')}`)), ['Delta gardening']);
  t.match(await list(app, 'services', `taxonomy_term_id=${randomUUID()}`), { total_items: 0, empty: true });
  t.equal((await list(app, 'services', `taxonomy_id=${taxonomyId}`)).total_items, 7);
  t.equal((await list(app, 'services', `taxonomy_id=${randomUUID()}`)).total_items, 0);
});

t.test('day, start_time and end_time follow the usual schedule', async (t) => {
  const app = await buildTestApp(t, database);
  t.same(names(await list(app, 'services', 'day=TU')), ['Alpha singing']);
  t.same(names(await list(app, 'services', 'day=TH')), ['Alpha singing', 'Golf museum tour']);
  t.same(names(await list(app, 'services', 'day=thursday')), ['Alpha singing', 'Golf museum tour']);
  t.same(names(await list(app, 'services', 'day=FR')), ['Charlie drawing'], 'the last Friday of the month is a Friday');
  t.same(names(await list(app, 'services', 'start_time=14:00')), ['Alpha singing', 'Foxtrot singing'], 'starting at or after 2pm');
  t.same(names(await list(app, 'services', 'end_time=12:00:00')), ['Bravo dance', 'Delta gardening'], 'ending by noon');
  t.same(names(await list(app, 'services', 'start_time=10:00&end_time=12:30')), ['Bravo dance', 'Charlie drawing']);
  t.same(names(await list(app, 'services', 'day=TH&start_time=13:30')), ['Alpha singing']);
});

t.test('minimum_age and maximum_age', async (t) => {
  const app = await buildTestApp(t, database);
  t.same(names(await list(app, 'services', 'minimum_age=18')), ['Alpha singing', 'Bravo dance']);
  // Charlie, Echo, Foxtrot, Golf and Alpha state no maximum age: open to every age, so no upper
  // bound rules them out; Bravo (up to 99) is out at 30 and in at 99.
  const noMaximum = ['Alpha singing', 'Charlie drawing', 'Echo reading', 'Foxtrot singing', 'Golf museum tour'];
  t.same(names(await list(app, 'services', 'maximum_age=30')), [...noMaximum.slice(0, 2), 'Delta gardening', ...noMaximum.slice(2)]);
  t.same(names(await list(app, 'services', 'maximum_age=99')), ['Alpha singing', 'Bravo dance', 'Charlie drawing', 'Delta gardening', ...noMaximum.slice(2)]);
  t.same(names(await list(app, 'services', 'maximum_age=20')), noMaximum, 'a stated maximum above the bound is ruled out');
  t.same(names(await list(app, 'services', 'minimum_age=18&maximum_age=99')), ['Alpha singing', 'Bravo dance']);
});

t.test('proximity needs a postcode, and says so', async (t) => {
  const app = await buildTestApp(t, database);
  const alone = await app.inject('/openreferral/service_at_locations?proximity=1000');
  t.equal(alone.statusCode, 400);
  t.match(alone.json(), { status: 400, error: 'invalid_parameter', parameter: 'proximity', message: /proximity needs a postcode/ });
  const withPostcode = await app.inject('/openreferral/service_at_locations?proximity=1000&postcode=OX1%203PW');
  t.equal(withPostcode.statusCode, 400, 'with a postcode it is still refused: the feed cannot find where a postcode is');
  t.match(withPostcode.json(), { parameter: 'proximity', message: /not supported/ });
  t.notMatch(withPostcode.json().message, /needs a postcode/);
});

t.test('service_at_locations: paging, search and postcode', async (t) => {
  const app = await buildTestApp(t, database);
  const all = await list(app, 'service_at_locations', '');
  t.same(names(all), ['Alpha singing at Parks Road building', 'Bravo dance at Parks Road building', 'Charlie drawing at Cowley branch']);
  const second = await list(app, 'service_at_locations', 'per_page=1&page=2');
  t.same(names(second), ['Bravo dance at Parks Road building']);
  t.match(second, { total_items: 3, total_pages: 3, first_page: false, last_page: false });
  t.same(names(await list(app, 'service_at_locations', 'postcode=ox4%202zz')), ['Charlie drawing at Cowley branch'], 'the same postcode district');
  t.same(names(await list(app, 'service_at_locations', 'postcode=OX1')), ['Alpha singing at Parks Road building', 'Bravo dance at Parks Road building']);
  t.same(names(await list(app, 'service_at_locations', `search=drawing&taxonomy_term_id=${taxonomyTermId('drawing_painting')}`)), [
    'Charlie drawing at Cowley branch',
  ]);
  t.same(names(await list(app, 'service_at_locations', 'day=MO')), ['Bravo dance at Parks Road building']);
});

t.test('modified_after sees an edit', async (t) => {
  const app = await buildTestApp(t, database);
  const longAgo = new Date('2026-01-01T00:00:00Z');
  await db.updateTable('offers').set({ updatedAt: longAgo }).where('organisationId', '=', museum.id).execute();
  await db.updateTable('organisations').set({ updatedAt: longAgo }).where('id', '=', museum.id).execute();
  await db.updateTable('venues').set({ updatedAt: longAgo }).where('organisationId', '=', museum.id).execute();

  t.equal((await list(app, 'services', 'modified_after=2025-12-31T23:59:59Z')).total_items, 7);
  const since = 'modified_after=2026-06-01T09:00:00%2B01:00';
  t.same(names(await list(app, 'services', since)), [], 'nothing changed since June');

  // What the publishing pages do when someone edits an offer.
  await db.updateTable('offers').set({ description: 'Now with large-print books.', updatedAt: new Date() }).where('id', '=', offers.echo.id).execute();
  const changed = await list(app, 'services', since);
  t.same(names(changed), ['Echo reading']);
  t.equal((changed.contents[0] as { description?: string }).description, 'Now with large-print books.');
  t.same(names(await list(app, 'services', 'modified_after=2026-06-01T08:00:00 00:00')), ['Echo reading'], 'an unencoded + in the offset still reads as +');

  // A venue's new address changes the services held there.
  await db.updateTable('venues').set({ town: 'Oxford (Cowley)', updatedAt: new Date() }).where('id', '=', cowley.id).execute();
  t.same(names(await list(app, 'services', since)), ['Charlie drawing', 'Echo reading']);
  t.same(names(await list(app, 'services', `${since}&taxonomy_term_id=${taxonomyTermId('reading_writing')}`)), ['Echo reading']);
});
