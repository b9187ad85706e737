import { randomUUID } from 'node:crypto';
import t from 'tap';
import { linkOnPage, rowCounts, uniqueEmail } from '../fixtures/accounts.ts';
import { createOrganisation, createUser, PASSWORD } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const coordinator = await createUser(db, 'coordinator');
const visitor = new Visitor(app);
await visitor.signIn(coordinator.email, PASSWORD);

async function invite(values: Record<string, string>) {
  await visitor.get('/people/invite');
  return visitor.post('/people/invite', values);
}

t.test('the invitation form offers each role and the organisations', async (t) => {
  const organisation = await createOrganisation(db, { name: 'Central Library' });
  const page = await visitor.get('/people/invite');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Invite someone');
  for (const role of ['provider', 'link_worker', 'coordinator']) t.match(page.body, new RegExp(`value="${role}"`));
  t.match(page.body, new RegExp(`<option value="${organisation.id}"[^>]*>Central Library</option>`));
  t.match(page.body, /value="link_worker" checked/, 'link worker is chosen to start with');
});

t.test('an invitation is made, shown to pass on, queued as a message, listed and audited', async (t) => {
  const email = uniqueEmail('new');
  const response = await invite({ email: email.toUpperCase(), role: 'link_worker', organisationId: '' });
  t.equal(response.statusCode, 200);
  t.equal(heading(response.body), 'Invitation created');
  const link = linkOnPage(response.body, '/invitations/');
  t.match(response.body, /id="invitation-link"/);
  const row = await db.selectFrom('accountLinks').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  t.equal(row.role, 'link_worker');
  t.equal(row.createdBy, coordinator.id);
  t.equal(row.email, email, 'the address is kept in lower case');
  t.notOk(JSON.stringify(row).includes(link.split('/').pop()!), 'only a hash of the token is stored');
  const message = await db.selectFrom('outboxMessages').select(['textBody', 'kind']).where('recipientEmail', '=', email).executeTakeFirstOrThrow();
  t.equal(message.kind, 'invitation');
  t.match(message.textBody, link, 'the message carries the same link');
  const list = await visitor.get('/people');
  t.match(list.body, email, 'listed as not yet accepted');
  const audit = await db
    .selectFrom('auditEvents')
    .select('actorId')
    .where('action', '=', 'invitation_created')
    .where('subjectId', '=', row.id)
    .executeTakeFirstOrThrow();
  t.equal(audit.actorId, coordinator.id);
});

t.test('provider staff must be invited to an organisation that exists', async (t) => {
  const email = uniqueEmail('provider');
  const before = await rowCounts(db);
  const missing = await invite({ email, role: 'provider', organisationId: '' });
  t.equal(missing.statusCode, 400);
  t.equal(fieldError(missing.body, 'organisationId'), 'Select the organisation this person works for');
  t.same(errorSummary(missing.body), ['organisationId: Select the organisation this person works for']);
  t.match(missing.body, new RegExp(`value="${email}"`), 'the email address is kept');
  t.match(missing.body, /value="provider" checked/, 'the role is kept');
  const unknown = await invite({ email, role: 'provider', organisationId: randomUUID() });
  t.equal(unknown.statusCode, 400);
  t.equal(fieldError(unknown.body, 'organisationId'), 'Select the organisation this person works for');
  const malformed = await invite({ email, role: 'provider', organisationId: "1' or '1'='1" });
  t.equal(malformed.statusCode, 400);
  t.same(await rowCounts(db), before, 'nothing stored');

  const organisation = await createOrganisation(db);
  const ok = await invite({ email, role: 'provider', organisationId: organisation.id });
  t.equal(ok.statusCode, 200);
  const row = await db.selectFrom('accountLinks').select(['organisationId', 'role']).where('email', '=', email).executeTakeFirstOrThrow();
  t.same(row, { organisationId: organisation.id, role: 'provider' });
});

t.test('an organisation chosen for a link worker or coordinator is not kept', async (t) => {
  const organisation = await createOrganisation(db);
  const email = uniqueEmail('lw');
  t.equal((await invite({ email, role: 'link_worker', organisationId: organisation.id })).statusCode, 200);
  const row = await db.selectFrom('accountLinks').select('organisationId').where('email', '=', email).executeTakeFirstOrThrow();
  t.equal(row.organisationId, null);
});

t.test('inviting an address that already has an account is refused beside the email field', async (t) => {
  for (const status of ['active', 'disabled', 'unconfirmed'] as const) {
    const existing = await createUser(db, 'link_worker', { status });
    const before = await rowCounts(db);
    const response = await invite({ email: existing.email, role: 'coordinator', organisationId: '' });
    t.equal(response.statusCode, 400, status);
    t.equal(fieldError(response.body, 'email'), 'There is already an account with this email address', status);
    t.match(response.body, /value="coordinator" checked/, `${status}: the role chosen is kept`);
    t.same(await rowCounts(db), before, `${status}: nothing stored`);
  }
});

t.test('a role must be chosen from the list', async (t) => {
  const before = await rowCounts(db);
  for (const role of ['', 'admin', 'COORDINATOR', '<script>alert(1)</script>']) {
    const response = await invite({ email: uniqueEmail('role'), role, organisationId: '' });
    t.equal(response.statusCode, 400, JSON.stringify(role));
    t.equal(fieldError(response.body, 'role'), 'Select a role');
    t.notMatch(response.body, /<script>alert\(1\)<\/script>/);
  }
  t.same(await rowCounts(db), before);
});
