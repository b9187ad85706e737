import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { taxonomyId, taxonomyTermId } from '../../src/openreferral/taxonomy.ts';
import { createOffer, createOrganisation } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase } from '../helper.ts';
import { offerDetails, organisationDetails } from './fixtures.ts';
import { problems } from './validator.ts';

// /organizations and /organizations/{id} (HSDS 3.0): which organisations are published, and the
// list's parameters. Each answer is checked against the profile's organization schemas.
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const museum = await createOrganisation(db, { ...organisationDetails(), name: 'Ashmore Museum', description: 'Objects from the whole world.' });
const garden = await createOrganisation(db, {
  ...organisationDetails(),
  name: 'Botanic Garden',
  kind: 'garden',
  description: 'Glasshouses and a physic garden.',
});
const choir = await createOrganisation(db, { ...organisationDetails(), name: 'City Choir', kind: 'arts', description: 'Singing for everyone.' });
const optedOut = await createOrganisation(db, { ...organisationDetails(), name: 'Quiet Gallery', kind: 'gallery', publishesOpenData: false });
const noOffers = await createOrganisation(db, { ...organisationDetails(), name: 'Empty Library', kind: 'library' });
const onlyArchived = await createOrganisation(db, { ...organisationDetails(), name: 'Closed Studio', kind: 'arts' });
await createOffer(db, museum.id, { ...offerDetails(), title: 'Object handling', category: 'heritage_museums' });
await createOffer(db, museum.id, { ...offerDetails(), title: 'Drawing the collection', category: 'drawing_painting' });
await createOffer(db, garden.id, { ...offerDetails(), title: 'Gardening together', category: 'gardening_nature' });
await createOffer(db, choir.id, { ...offerDetails(), title: 'Sing together', category: 'singing_music' });
await createOffer(db, optedOut.id, { ...offerDetails(), title: 'Hidden sketching', category: 'drawing_painting' });
await createOffer(db, onlyArchived.id, { ...offerDetails(), title: 'Retired printmaking', category: 'arts_crafts', status: 'archived' });

type Page = { total_items: number; total_pages: number; size: number; contents: Array<{ id: string; name: string }> };
type Tap = Parameters<Parameters<typeof t.test>[0]>[0];

async function list(t: Tap, app: FastifyInstance, query: string): Promise<Page> {
  const response = await app.inject(`/openreferral/organizations?${query}`);
  t.equal(response.statusCode, 200, `GET /organizations?${query}`);
  t.equal(response.headers['access-control-allow-origin'], '*');
  const body = response.json() as Page;
  t.same(problems('/organizations', body), [], `GET /organizations?${query} meets the profile`);
  return body;
}
const names = (page: Page) => page.contents.map((organisation) => organisation.name);

t.test('only organisations that publish open data and have a published offer', async (t) => {
  const app = await buildTestApp(t, database);
  t.same(names(await list(t, app, '')), ['Ashmore Museum', 'Botanic Garden', 'City Choir']);
  for (const hidden of [optedOut, noOffers, onlyArchived]) {
    const response = await app.inject(`/openreferral/organizations/${hidden.id}`);
    t.equal(response.statusCode, 404, `${hidden.name} is not published`);
    t.match(response.json(), { status: 404, error: 'not_found', message: /No published organization has the id/ });
  }
  t.equal((await app.inject('/openreferral/organizations/not-a-uuid')).statusCode, 404);
  t.equal((await app.inject(`/openreferral/organizations/${randomUUID()}`)).statusCode, 404);

  const found = await app.inject(`/openreferral/organizations/${museum.id.toUpperCase()}`);
  t.equal(found.statusCode, 200, 'an id in capitals finds it too');
  t.same(problems('/organizations/{id}', found.json()), []);
  t.same(
    (found.json() as { services: Array<{ name: string }> }).services.map((service) => service.name),
    ['Drawing the collection', 'Object handling'],
  );
});

t.test('search, taxonomy_term_id, taxonomy_id and paging', async (t) => {
  const app = await buildTestApp(t, database);
  t.same(names(await list(t, app, 'search=garden')), ['Botanic Garden']);
  t.same(names(await list(t, app, 'search=WHOLE%20world')), ['Ashmore Museum'], 'the description, any case, every word');
  t.same(names(await list(t, app, 'search=museum%20choir')), []);
  t.same(names(await list(t, app, `taxonomy_term_id=${taxonomyTermId('drawing_painting')}`)), ['Ashmore Museum'], 'the opted-out gallery is not there');
  t.same(names(await list(t, app, `taxonomy_term_id=${taxonomyTermId('singing_music')}`)), ['City Choir']);
  t.same(names(await list(t, app, `taxonomy_term_id=${randomUUID()}`)), []);
  t.equal((await list(t, app, `taxonomy_id=${taxonomyId}`)).total_items, 3);
  t.equal((await list(t, app, `taxonomy_id=${randomUUID()}`)).total_items, 0, 'an unknown taxonomy names no organisations');
  const second = await list(t, app, 'per_page=2&page=2');
  t.same(names(second), ['City Choir']);
  t.match(second, { total_items: 3, total_pages: 2, size: 1, page_number: 2, last_page: true });
});

t.test('full_service nests each service fully', async (t) => {
  const app = await buildTestApp(t, database);
  const full = await app.inject(`/openreferral/organizations/${garden.id}?full_service=true`);
  t.equal(full.statusCode, 200);
  t.same(problems('/organizations/{id}', full.json()), []);
  t.match(full.json(), { services: [{ name: 'Gardening together', cost_options: Array, attributes: [{ taxonomy_term: { code: 'gardening_nature' } }] }] });
  const plain = (await app.inject(`/openreferral/organizations/${garden.id}?full_service=false`)).json() as { services: object[] };
  t.notOk('attributes' in plain.services[0]!, 'without it, the one-to-one fields only');
});

t.test('bad values are refused in the feed’s error format with a clear message', async (t) => {
  const app = await buildTestApp(t, database);
  const cases: Array<[url: string, parameter: string, message: RegExp]> = [
    ['/organizations?page=0', 'page', /^page must be a whole number/],
    ['/organizations?per_page=many', 'per_page', /^per_page must be a whole number/],
    [`/organizations?search=${'x'.repeat(201)}`, 'search', /200 characters or fewer/],
    ['/organizations?search=a&search=b', 'search', /once only/],
    ['/organizations?taxonomy_term_id=a%0Ab', 'taxonomy_term_id', /one line/],
    [`/organizations?taxonomy_id=${'x'.repeat(101)}`, 'taxonomy_id', /100 characters or fewer/],
    [`/organizations/${museum.id}?full_service=maybe`, 'full_service', /^full_service must be true or false$/],
  ];
  for (const [url, parameter, message] of cases) {
    const response = await app.inject(`/openreferral${url}`);
    t.equal(response.statusCode, 400, `GET ${url}`);
    t.equal(response.headers['access-control-allow-origin'], '*');
    t.match(response.json(), { status: 400, error: 'invalid_parameter', parameter, message }, `GET ${url} says what is wrong`);
  }
});
