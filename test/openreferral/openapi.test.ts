import { randomUUID } from 'node:crypto';
import t from 'tap';
import { taxonomyId } from '../../src/openreferral/taxonomy.ts';
import { createTestDatabase } from '../helper.ts';
import { appWithRoutes } from '../security/world.ts';
import { openapi as profile } from './validator.ts';

// The API description the feed serves at /openreferral/openapi.json: the profile's, with what the
// feed adds. It must describe every endpoint the feed has, keep every answer the profile defines,
// and every parameter it lists must be one the feed takes.
const database = await createTestDatabase();
t.teardown(() => database.close());
const { app, routes } = await appWithRoutes(t, database);

type Parameter = { $ref?: string; name?: string };
type Operation = { parameters?: Parameter[]; responses: Record<string, { content?: { 'application/json': { schema: unknown } }; $ref?: string }> };
type Document = {
  openapi: string;
  servers: Array<{ url: string }>;
  paths: Record<string, { get: Operation; parameters?: Parameter[] }>;
  components: { parameters: Record<string, { name: string }>; schemas: Record<string, { required?: string[]; properties: Record<string, unknown> }> };
};

const response = await app.inject('/openreferral/openapi.json');
const served = response.json() as Document;

const nameOf = (document: { components: { parameters: Record<string, { name: string }> } }, parameter: Parameter) =>
  parameter.$ref ? document.components.parameters[parameter.$ref.replace('#/components/parameters/', '')]!.name : parameter.name!;

t.test('served as JSON to anyone, pointing at this deployment', async (t) => {
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-type'], /^application\/json/);
  t.equal(response.headers['access-control-allow-origin'], '*');
  t.notOk(response.headers['set-cookie']);
  t.match(served.openapi, /^3\./);
  t.same(
    served.servers.map((server) => server.url),
    ['http://localhost:3000/openreferral'],
  );
  const root = (await app.inject('/openreferral/')).json() as { openapi_url: string };
  t.equal(root.openapi_url, 'http://localhost:3000/openreferral/openapi.json', 'GET / names it');
});

t.test('it describes every endpoint of the feed, and nothing else', async (t) => {
  const feedPaths = routes
    .filter((route) => route.method === 'GET' && route.url.startsWith('/openreferral') && route.url !== '/openreferral/openapi.json')
    .map((route) => route.url.replace(/^\/openreferral/, '').replace(/:id$/, '{id}') || '/');
  t.same([...new Set(feedPaths)].sort(), Object.keys(served.paths).sort());
});

t.test('it keeps every answer and parameter of the profile’s description', async (t) => {
  for (const [path, item] of Object.entries(profile.paths)) {
    const ours = served.paths[path];
    if (!ours) {
      t.fail(`${path} is missing`);
      continue;
    }
    const theirs = item.get.responses['200'].content['application/json'].schema;
    const mine = ours.get.responses['200']!.content!['application/json'].schema;
    // The one correction, explained in validator.ts: a service_at_location answers a service_at_location.
    if (path === '/service_at_locations/{id}') t.match(JSON.stringify(mine), 'compiled/service_at_location.json', path);
    else t.same(mine, theirs, `${path}: the profile's answer`);
    const names = (operation: Operation, document: typeof served | typeof profile) => (operation.parameters ?? []).map((p) => nameOf(document as Document, p));
    const profileNames = names(item.get as Operation, profile);
    t.same(
      profileNames.filter((name) => !names(ours.get, served).includes(name)),
      [],
      `${path}: every parameter of the profile is listed`,
    );
  }
});

// A value of the right kind for each parameter the description lists.
const samples: Record<string, string> = {
  search: 'singing',
  page: '1',
  per_page: '5',
  taxonomy_term_id: randomUUID(),
  taxonomy_id: taxonomyId,
  organization_id: randomUUID(),
  modified_after: '2026-01-01T00:00:00Z',
  minimum_age: '18',
  maximum_age: '99',
  start_time: '10:00',
  end_time: '12:00',
  day: 'MO',
  postcode: 'OX1 3BG',
  top_only: 'true',
  parent_id: randomUUID(),
  full_service: 'true',
  proximity: '1000',
};

t.test('every parameter it lists is one the feed takes', async (t) => {
  for (const [path, item] of Object.entries(served.paths)) {
    for (const parameter of item.get.parameters ?? []) {
      const name = nameOf(served, parameter);
      const url = `/openreferral${path.replace('{id}', randomUUID())}?${name}=${encodeURIComponent(samples[name] ?? '')}`;
      const answer = await app.inject(url);
      if (name === 'proximity') {
        // Listed by the profile, so kept; the feed cannot locate a postcode and says so.
        t.match(answer.json(), { status: 400, parameter: 'proximity', message: /needs a postcode/ }, url);
        continue;
      }
      t.ok(samples[name], `a sample value for ${name}`);
      t.ok([200, 404].includes(answer.statusCode), `${url} is taken (${answer.statusCode})`);
    }
  }
});

t.test('its error format is the one the feed answers with', async (t) => {
  const schema = served.components.schemas.Error!;
  for (const url of [
    '/openreferral/services?page=0',
    '/openreferral/services/nope',
    '/openreferral/service_at_locations?proximity=5',
    '/openreferral/nothing',
  ]) {
    const body = (await app.inject(url)).json() as Record<string, unknown>;
    for (const field of schema.required ?? []) t.ok(field in body, `${url}: has ${field}`);
    t.same(
      Object.keys(body).filter((key) => !(key in schema.properties)),
      [],
      `${url}: no field the description does not name`,
    );
  }
});
