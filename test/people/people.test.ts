import { randomUUID } from 'node:crypto';
import t from 'tap';
import { createOrganisation, createUser, PASSWORD } from '../fixtures/builders.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const coordinator = await createUser(db, 'coordinator', { name: 'Helen Coordinator' });
const visitor = new Visitor(app);
await visitor.signIn(coordinator.email, PASSWORD);

async function userRow(id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function isSignedIn(v: Visitor) {
  return (await v.get('/account')).statusCode === 200;
}

t.test('the people page lists everyone with role and status', async (t) => {
  const organisation = await createOrganisation(db, { name: 'Botanic Garden' });
  const provider = await createUser(db, 'provider', { name: 'Tom Gardener', organisationId: organisation.id });
  const disabled = await createUser(db, 'link_worker', { name: 'Dora Disabled', status: 'disabled' });
  const page = await visitor.get('/people');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'People');
  t.match(page.body, new RegExp(`href="/people/${provider.id}">Tom Gardener`));
  t.match(page.body, /Botanic Garden/);
  t.match(page.body, /Disabled/);
  t.match(page.body, new RegExp(`href="/people/${disabled.id}"`));
});

t.test("a person's page, and a missing person is not found", async (t) => {
  const person = await createUser(db, 'link_worker', { name: 'Lin Worker', practice: 'Hill Surgery', pcn: 'North PCN' });
  const page = await visitor.get(`/people/${person.id}`);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Lin Worker');
  t.match(page.body, /Hill Surgery, North PCN/);
  t.equal((await visitor.get(`/people/${randomUUID()}`)).statusCode, 404);
  t.equal((await visitor.get('/people/not-an-id')).statusCode, 404);
  t.equal((await visitor.post(`/people/${randomUUID()}/disable`, {})).statusCode, 404);
  t.equal((await visitor.post(`/people/${randomUUID()}/role`, { role: 'coordinator' })).statusCode, 404);
});

t.test('a coordinator changes a role; the person must sign in again', async (t) => {
  const person = await createUser(db, 'link_worker');
  const { visitor: session } = await signedIn(app, db, person, { withPassword: true });
  await visitor.get(`/people/${person.id}`);
  const response = await visitor.post(`/people/${person.id}/role`, { role: 'coordinator', organisationId: '' });
  t.equal(response.statusCode, 303);
  t.equal(response.headers.location, `/people/${person.id}?done=role`);
  const after = await userRow(person.id);
  t.equal(after.role, 'coordinator');
  t.equal(after.practice, 'Test Surgery', 'their practice is kept for the record');
  t.notOk(await isSignedIn(session), 'their session ended: their pages were built for the old role');
  const page = await visitor.get(response.headers.location as string);
  t.match(page.body, /Role changed/);
  const audit = await db
    .selectFrom('auditEvents')
    .select(['actorId', 'details'])
    .where('action', '=', 'role_changed')
    .where('subjectId', '=', person.id)
    .executeTakeFirstOrThrow();
  t.equal(audit.actorId, coordinator.id);
  t.match(audit.details, { from: 'link_worker', to: 'coordinator' });
});

t.test('provider staff need an organisation, and a real one', async (t) => {
  const person = await createUser(db, 'link_worker');
  await visitor.get(`/people/${person.id}`);
  const missing = await visitor.post(`/people/${person.id}/role`, { role: 'provider', organisationId: '' });
  t.equal(missing.statusCode, 400);
  t.equal(fieldError(missing.body, 'organisationId'), 'Select the organisation this person works for');
  t.match(missing.body, /value="provider" checked/, 'the choice made is kept');
  const unknown = await visitor.post(`/people/${person.id}/role`, { role: 'provider', organisationId: randomUUID() });
  t.equal(unknown.statusCode, 400);
  t.equal(fieldError(unknown.body, 'organisationId'), 'Select the organisation this person works for');
  t.equal((await userRow(person.id)).role, 'link_worker', 'unchanged');

  const organisation = await createOrganisation(db);
  const ok = await visitor.post(`/people/${person.id}/role`, { role: 'provider', organisationId: organisation.id });
  t.equal(ok.statusCode, 303);
  const after = await userRow(person.id);
  t.equal(after.role, 'provider');
  t.equal(after.organisationId, organisation.id);

  const back = await visitor.post(`/people/${person.id}/role`, { role: 'link_worker', organisationId: organisation.id });
  t.equal(back.statusCode, 303);
  t.equal((await userRow(person.id)).organisationId, null, 'leaving provider staff leaves the organisation');
});

t.test('a coordinator cannot change their own role or disable themselves', async (t) => {
  const page = await visitor.get(`/people/${coordinator.id}`);
  t.match(page.body, /This is your own account/);
  t.notMatch(page.body, new RegExp(`action="/people/${coordinator.id}/role"`), 'no form to do it');
  const role = await visitor.post(`/people/${coordinator.id}/role`, { role: 'link_worker' });
  t.equal(role.statusCode, 400);
  t.same(errorSummary(role.body), ['role: You cannot change your own role. Ask another coordinator']);
  const disable = await visitor.post(`/people/${coordinator.id}/disable`, {});
  t.equal(disable.statusCode, 400);
  t.match(disable.body, /You cannot disable your own account/);
  const me = await userRow(coordinator.id);
  t.equal(me.role, 'coordinator');
  t.equal(me.status, 'active');
  t.ok(await isSignedIn(visitor), 'still signed in');
});

t.test('disabling an account ends both of its live sessions at once; enabling lets them back in', async (t) => {
  const person = await createUser(db, 'provider');
  const { visitor: laptop } = await signedIn(app, db, person, { withPassword: true });
  const { visitor: phone } = await signedIn(app, db, person, { withPassword: true });
  t.ok(await isSignedIn(laptop));
  t.ok(await isSignedIn(phone));
  const sessions = () =>
    db
      .selectFrom('loginSessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('userId', '=', person.id)
      .executeTakeFirstOrThrow();
  t.equal(Number((await sessions()).n), 2);

  await visitor.get(`/people/${person.id}`);
  const response = await visitor.post(`/people/${person.id}/disable`, {});
  t.equal(response.statusCode, 303);
  t.equal((await userRow(person.id)).status, 'disabled');
  t.equal(Number((await sessions()).n), 0, 'no session rows remain');
  t.notOk(await isSignedIn(laptop), 'the laptop is signed out');
  t.notOk(await isSignedIn(phone), 'the phone is signed out');
  const attempt = await new Visitor(app).post('/sign-in', { email: person.email, password: PASSWORD });
  t.equal(attempt.statusCode, 400, 'and cannot sign in again');
  const page = await visitor.get(`/people/${person.id}?done=disable`);
  t.match(page.body, /Account disabled/);
  t.match(page.body, /Enable account/);

  const enabled = await visitor.post(`/people/${person.id}/enable`, {});
  t.equal(enabled.statusCode, 303);
  t.equal((await userRow(person.id)).status, 'active');
  t.ok(await isSignedIn((await signedIn(app, db, person, { withPassword: true })).visitor), 'signs in again');
  const actions = await db.selectFrom('auditEvents').select('action').where('subjectId', '=', person.id).orderBy('id').execute();
  t.same(
    actions.map((a) => a.action).filter((a) => a.startsWith('account_')),
    ['account_disabled', 'account_enabled'],
  );
});

t.test('a session is refused as soon as its account is disabled, even if the session row survived', async (t) => {
  const person = await createUser(db, 'link_worker');
  const { visitor: session } = await signedIn(app, db, person, { withPassword: true });
  // Disabled directly in the database (another instance, an operator): the next request still refuses it.
  await db.updateTable('users').set({ status: 'disabled' }).where('id', '=', person.id).execute();
  t.notOk(await isSignedIn(session));
});

t.test('an unconfirmed account cannot be enabled before it is confirmed', async (t) => {
  const person = await createUser(db, 'link_worker', { status: 'unconfirmed' });
  await visitor.get(`/people/${person.id}`);
  const response = await visitor.post(`/people/${person.id}/enable`, {});
  t.equal(response.statusCode, 400);
  t.match(response.body, /has not confirmed their email address yet/);
  t.equal((await userRow(person.id)).status, 'unconfirmed');
});

t.test('disabling twice, or enabling an active account, changes nothing and does not fail', async (t) => {
  const person = await createUser(db, 'link_worker');
  await visitor.get(`/people/${person.id}`);
  t.equal((await visitor.post(`/people/${person.id}/enable`, {})).statusCode, 303);
  t.equal((await visitor.post(`/people/${person.id}/disable`, {})).statusCode, 303);
  t.equal((await visitor.post(`/people/${person.id}/disable`, {})).statusCode, 303);
  const audits = await db.selectFrom('auditEvents').select('action').where('subjectId', '=', person.id).execute();
  t.equal(audits.filter((a) => a.action === 'account_disabled').length, 1, 'one audit entry for one change');
});
