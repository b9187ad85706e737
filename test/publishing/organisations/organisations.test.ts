import t from 'tap';
import { createOrganisation, createUser, PASSWORD } from '../../fixtures/builders.ts';
import { buildTestApp, createTestDatabase, decodeHtml, errorSummary, fieldError, heading, Visitor } from '../../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const validOrganisation = {
  name: 'Riverside Gallery',
  kind: 'gallery',
  description: 'A gallery by the river.',
  website: 'riverside-gallery.example.org',
  contactEmail: 'Hello@Riverside-Gallery.example.org',
  contactPhone: '01865 123456',
  publishesOpenData: 'yes',
};

async function auditCount(action: string, subjectId?: string) {
  let query = db
    .selectFrom('auditEvents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '=', action);
  if (subjectId) query = query.where('subjectId', '=', subjectId);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

t.test('a coordinator adds an organisation, edits it and is sent to invite its staff', async (t) => {
  const app = await buildTestApp(t, database);
  const coordinator = await createUser(db, 'coordinator');
  const visitor = new Visitor(app);
  await visitor.signIn(coordinator.email, PASSWORD);

  const list = await visitor.get('/organisations');
  t.equal(list.statusCode, 200);
  t.equal(heading(list.body), 'Organisations');

  const form = await visitor.get('/organisations/new');
  t.match(form.body, /name="publishesOpenData" type="checkbox" value="yes" checked/, 'open data is on by default');

  const created = await visitor.post('/organisations/new', { ...validOrganisation, name: `Riverside Gallery ${Date.now()}` });
  t.equal(created.statusCode, 303);
  const id = /\/organisations\/([0-9a-f-]+)\?done=created/.exec(created.headers.location as string)![1]!;
  const row = await db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.equal(row.kind, 'gallery');
  t.equal(row.website, 'https://riverside-gallery.example.org', 'a website without a scheme gets https://');
  t.equal(row.contactEmail, 'hello@riverside-gallery.example.org');
  t.equal(row.publishesOpenData, true);
  t.equal(await auditCount('organisation_created', id), 1);

  const page = await visitor.get(created.headers.location as string);
  t.match(page.body, /Organisation added/);
  t.match(page.body, new RegExp(`href="/people/invite\\?organisationId=${id}"`), 'links to invite staff of this organisation');
  const invite = await visitor.get(`/people/invite?organisationId=${id}`);
  t.match(invite.body, new RegExp(`<option value="${id}" selected>`), 'the invitation form has the organisation chosen');
  t.match(invite.body, /value="provider" checked/, 'and the provider role chosen');

  const edited = await visitor.post(`/organisations/${id}/edit`, { ...validOrganisation, name: row.name, kind: 'museum', publishesOpenData: '' } as Record<
    string,
    string
  >);
  t.equal(edited.statusCode, 303);
  const after = await db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.equal(after.kind, 'museum');
  t.equal(after.publishesOpenData, false, 'unticking the box turns the feed off');
  t.equal(await auditCount('organisation_updated', id), 1);
});

t.test('organisation form errors: every field explains itself, keeps values and changes nothing', async (t) => {
  const app = await buildTestApp(t, database);
  const coordinator = await createUser(db, 'coordinator');
  const existing = await createOrganisation(db, { name: `Existing ${Date.now()}` });
  const visitor = new Visitor(app);
  await visitor.signIn(coordinator.email, PASSWORD);
  const before = await db
    .selectFrom('organisations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();

  const empty = await visitor.post('/organisations/new', {});
  t.equal(empty.statusCode, 400);
  t.match(empty.body, /<title>Error: /);
  t.same(errorSummary(empty.body), ['name: Enter the organisation&#39;s name', 'kind: Select the kind of organisation']);

  const bad = await visitor.post('/organisations/new', {
    ...validOrganisation,
    name: existing.name.toUpperCase(),
    website: 'not a website',
    contactEmail: 'nope',
    contactPhone: '123',
    description: 'x'.repeat(3001),
  });
  t.equal(bad.statusCode, 400);
  t.equal(fieldError(bad.body, 'website'), 'Enter a website address in the correct format, like https://www.example.org');
  t.equal(fieldError(bad.body, 'contactEmail'), 'Enter an email address in the correct format, like learning@example.org');
  t.equal(fieldError(bad.body, 'contactPhone'), 'Enter a UK phone number, like 01865 123456');
  t.equal(fieldError(bad.body, 'description'), 'Description must be 3,000 characters or fewer');
  t.match(bad.body, /value="not a website"/, 'values are kept');

  const duplicate = await visitor.post('/organisations/new', { ...validOrganisation, name: existing.name.toUpperCase() });
  t.equal(duplicate.statusCode, 400);
  t.equal(fieldError(duplicate.body, 'name'), 'There is already an organisation with this name. Enter a different name');

  const after = await db
    .selectFrom('organisations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  t.equal(Number(after.n), Number(before.n), 'nothing was added');
});

t.test('provider staff edit only their own organisation, at /organisation', async (t) => {
  const app = await buildTestApp(t, database);
  const mine = await createOrganisation(db, { name: `Mine ${Date.now()}` });
  const theirs = await createOrganisation(db, { name: `Theirs ${Date.now()}` });
  const provider = await createUser(db, 'provider', { organisationId: mine.id });
  const visitor = new Visitor(app);
  await visitor.signIn(provider.email, PASSWORD);

  const own = await visitor.get('/organisation');
  t.equal(own.statusCode, 200);
  t.equal(decodeHtml(heading(own.body)), mine.name);
  t.match(own.body, new RegExp(provider.name), 'lists its staff');

  const saved = await visitor.post('/organisation/edit', { ...validOrganisation, name: mine.name, description: 'Updated by our staff' });
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, '/organisation?done=saved');
  t.equal((await db.selectFrom('organisations').select('description').where('id', '=', mine.id).executeTakeFirstOrThrow()).description, 'Updated by our staff');

  // Coordinator pages refuse provider staff, whichever organisation they name.
  for (const url of [
    '/organisations',
    '/organisations/new',
    `/organisations/${theirs.id}`,
    `/organisations/${theirs.id}/edit`,
    `/organisations/${mine.id}/edit`,
  ]) {
    t.equal((await visitor.get(url)).statusCode, 403, `GET ${url}`);
  }
  const attempt = await visitor.post(`/organisations/${theirs.id}/edit`, { ...validOrganisation, name: 'Taken over' });
  t.equal(attempt.statusCode, 403);
  const theirsAfter = await db.selectFrom('organisations').select('name').where('id', '=', theirs.id).executeTakeFirstOrThrow();
  t.equal(theirsAfter.name, theirs.name, 'the other organisation is unchanged');
  t.equal((await visitor.post('/organisations/new', validOrganisation)).statusCode, 403, 'cannot add organisations');
});

t.test('link workers cannot reach organisation pages', async (t) => {
  const app = await buildTestApp(t, database);
  const linkWorker = await createUser(db, 'link_worker');
  const organisation = await createOrganisation(db);
  const visitor = new Visitor(app);
  await visitor.signIn(linkWorker.email, PASSWORD);
  for (const url of ['/organisations', `/organisations/${organisation.id}`, '/organisation', '/organisation/edit', '/provider']) {
    t.equal((await visitor.get(url)).statusCode, 403, `GET ${url}`);
  }
});
