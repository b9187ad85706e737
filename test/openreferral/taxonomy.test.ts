import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { taxonomyId, taxonomyTermId } from '../../src/openreferral/taxonomy.ts';
import { buildTestApp, createTestDatabase } from '../helper.ts';
import { problems } from './validator.ts';

// The taxonomy endpoints' parameters (HSDS 3.0): search on /taxonomies; taxonomy_id, top_only,
// parent_id and search on /taxonomy_terms. Our one taxonomy is flat: ten terms, none with a parent.
const database = await createTestDatabase();
t.teardown(() => database.close());

type Page = { total_items: number; contents: Array<{ id: string; name: string; code?: string }> };

async function list(t: Tap, app: FastifyInstance, url: string, endpoint: '/taxonomies' | '/taxonomy_terms'): Promise<Page> {
  const response = await app.inject(`/openreferral${url}`);
  t.equal(response.statusCode, 200, `GET ${url}`);
  const body = response.json() as Page;
  t.same(problems(endpoint, body), [], `GET ${url} meets the profile`);
  return body;
}
type Tap = Parameters<Parameters<typeof t.test>[0]>[0];

const terms = (t: Tap, app: FastifyInstance, query: string) => list(t, app, `/taxonomy_terms?${query}`, '/taxonomy_terms');
const codes = (page: Page) => page.contents.map((term) => term.code);

t.test('taxonomy_terms: taxonomy_id picks the terms of that taxonomy, and an unknown one has none', async (t) => {
  const app = await buildTestApp(t, database);
  t.equal((await terms(t, app, '')).total_items, 10);
  t.equal((await terms(t, app, `taxonomy_id=${taxonomyId}`)).total_items, 10);
  t.equal((await terms(t, app, `taxonomy_id=${taxonomyId.toUpperCase()}`)).total_items, 10, 'ids are not case-sensitive');
  t.match(await terms(t, app, `taxonomy_id=${randomUUID()}`), { total_items: 0, empty: true, contents: [] });
  t.match(await terms(t, app, 'taxonomy_id=esd-service-types'), { total_items: 0 }, 'any other text names no taxonomy of ours');
});

t.test('taxonomy_terms: top_only and parent_id', async (t) => {
  const app = await buildTestApp(t, database);
  t.equal((await terms(t, app, 'top_only=true')).total_items, 10, 'every term is at the top');
  t.equal((await terms(t, app, 'top_only=false')).total_items, 10);
  t.equal((await terms(t, app, 'top_only=TRUE')).total_items, 10);
  t.match(await terms(t, app, `parent_id=${taxonomyTermId('singing_music')}`), { total_items: 0 }, 'no term has a parent');
  t.match(await terms(t, app, `parent_id=${randomUUID()}&top_only=true`), { total_items: 0 });
});

t.test('taxonomy_terms: search matches names, descriptions and codes, every word', async (t) => {
  const app = await buildTestApp(t, database);
  t.same(codes(await terms(t, app, 'search=singing')), ['singing_music']);
  t.same(codes(await terms(t, app, 'search=GARDEN')), ['gardening_nature'], 'any case');
  t.same(codes(await terms(t, app, 'search=origami')), ['arts_crafts'], 'the description counts');
  t.same(codes(await terms(t, app, 'search=museum%20tours')), ['heritage_museums'], 'every word must match');
  t.same(codes(await terms(t, app, 'search=museum%20choir')), []);
  t.same(codes(await terms(t, app, `search=drawing&taxonomy_id=${taxonomyId}&top_only=true`)), ['drawing_painting']);
  const paged = await terms(t, app, 'search=and&per_page=2&page=2');
  t.match(paged, { page_number: 2, size: 2, first_page: false });
  t.ok(paged.total_items > 4, 'paging counts the matching terms only');
});

t.test('taxonomies: search', async (t) => {
  const app = await buildTestApp(t, database);
  const taxonomies = (query: string) => list(t, app, `/taxonomies?${query}`, '/taxonomies');
  t.equal((await taxonomies('search=activity')).total_items, 1);
  t.equal((await taxonomies('search=Tasters%20categories')).total_items, 1);
  t.match(await taxonomies('search=housing'), { total_items: 0, empty: true });
  t.equal((await taxonomies('')).total_items, 1);
});

t.test('bad values are refused in the feed’s error format with a clear message', async (t) => {
  const app = await buildTestApp(t, database);
  const cases: Array<[url: string, parameter: string, message: RegExp]> = [
    ['/taxonomy_terms?top_only=yes-please', 'top_only', /^top_only must be true or false$/],
    ['/taxonomy_terms?top_only=1&top_only=0', 'top_only', /once only/],
    ['/taxonomy_terms?taxonomy_id=a%09b', 'taxonomy_id', /one line/],
    [`/taxonomy_terms?parent_id=${'x'.repeat(101)}`, 'parent_id', /100 characters or fewer/],
    [`/taxonomy_terms?search=${'x'.repeat(201)}`, 'search', /200 characters or fewer/],
    ['/taxonomy_terms?per_page=0', 'per_page', /whole number/],
    [`/taxonomies?search=${'x'.repeat(201)}`, 'search', /200 characters or fewer/],
    ['/taxonomies?search=a%0Ab', 'search', /one line/],
  ];
  for (const [url, parameter, message] of cases) {
    const response = await app.inject(`/openreferral${url}`);
    t.equal(response.statusCode, 400, `GET ${url}`);
    t.equal(response.headers['access-control-allow-origin'], '*');
    t.match(response.json(), { status: 400, error: 'invalid_parameter', parameter, message }, `GET ${url} says what is wrong`);
  }
  // A NUL byte is refused at the edge, before any parameter is read.
  const nul = await app.inject('/openreferral/taxonomy_terms?taxonomy_id=%00');
  t.equal(nul.statusCode, 400);
  t.match(nul.json(), { status: 400, error: 'invalid_input', message: String });
});
