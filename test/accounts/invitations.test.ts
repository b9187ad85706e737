import t from 'tap';
import { linkOnPage, rowCounts, uniqueEmail } from '../fixtures/accounts.ts';
import { createOrganisation, createUser, PASSWORD } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase, fieldError, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const coordinator = await createUser(db, 'coordinator');
const coordinatorVisitor = new Visitor(app);
await coordinatorVisitor.signIn(coordinator.email, PASSWORD);

const NEW_PASSWORD = 'lantern teapot river';

/** The coordinator invites someone through the page, and gets the link shown to pass on. */
async function invite(values: { email: string; role: string; organisationId?: string }) {
  await coordinatorVisitor.get('/people/invite');
  const response = await coordinatorVisitor.post('/people/invite', { organisationId: '', ...values });
  if (response.statusCode !== 200) throw new Error(`invitation failed: ${response.statusCode} ${heading(response.body)}`);
  return linkOnPage(response.body, '/invitations/');
}

const linkWorkerForm = { name: 'Nadia Link', practice: 'Riverside Surgery', pcn: 'Riverside PCN', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD };

const sessionCookie = (visitor: Visitor) => Object.entries(visitor.cookies).find(([name]) => name.endsWith('tasters-session'))?.[1];

async function userByEmail(email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

t.test('a link worker accepts an invitation, sets name and password, and signs in', async (t) => {
  const email = uniqueEmail('invited');
  const link = await invite({ email, role: 'link_worker' });
  const visitor = new Visitor(app);
  const page = await visitor.get(link);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Set up your account');
  t.match(page.body, email, 'shows the address they will sign in with');
  t.match(page.body, /a link worker/);

  const sessionBefore = sessionCookie(visitor);
  const response = await visitor.post(link, linkWorkerForm);
  t.equal(response.statusCode, 303, 'signed in and sent on, not asked to sign in again');
  t.equal(response.headers.location, '/?done=account-ready');
  t.ok(sessionCookie(visitor), 'a session');
  t.not(sessionCookie(visitor), sessionBefore, 'a new session id, not the one from before');
  const home = await visitor.get(response.headers.location as string);
  t.equal(heading(home.body), 'Welcome, Nadia Link');
  t.match(home.body, 'Your account is ready, and you are signed in.');
  const user = await userByEmail(email);
  t.ok(user?.lastSignedInAt, 'the sign-in is recorded');
  t.ok(user, 'the account exists');
  t.equal(user?.role, 'link_worker');
  t.equal(user?.status, 'active');
  t.equal(user?.name, 'Nadia Link');
  t.equal(user?.practice, 'Riverside Surgery');
  t.equal(user?.pcn, 'Riverside PCN');
  t.equal(user?.organisationId, null);
  t.not(user?.passwordHash, NEW_PASSWORD, 'the password is stored hashed');
  t.match(user?.passwordHash ?? '', /^\$argon2id\$/, 'with argon2id');

  await new Visitor(app).signIn(email, NEW_PASSWORD);
  const audit = await db.selectFrom('auditEvents').select('action').where('subjectId', '=', user!.id).execute();
  t.ok(
    audit.some((a) => a.action === 'invitation_accepted'),
    'the acceptance is audited',
  );
});

t.test('an invitation works once: a second use is refused and makes no second account', async (t) => {
  const email = uniqueEmail('twice');
  const link = await invite({ email, role: 'link_worker' });
  t.equal((await new Visitor(app).post(link, linkWorkerForm)).statusCode, 303);
  const before = await rowCounts(db);

  const again = new Visitor(app);
  const page = await again.get(link);
  t.equal(page.statusCode, 410);
  t.equal(heading(page.body), 'This link does not work');
  t.match(page.body, /already been used/);
  const post = await again.post(link, { ...linkWorkerForm, name: 'Someone Else', password: 'another long password', confirmPassword: 'another long password' });
  t.equal(post.statusCode, 410);
  t.same(await rowCounts(db), before, 'nothing stored');
  t.equal((await userByEmail(email))?.name, 'Nadia Link', 'the first account is unchanged');
});

t.test('two people using one link at the same moment: exactly one account', async (t) => {
  const email = uniqueEmail('race');
  const link = await invite({ email, role: 'link_worker' });
  const first = new Visitor(app);
  const second = new Visitor(app);
  await Promise.all([first.get(link), second.get(link)]);
  const responses = await Promise.all([first.post(link, linkWorkerForm), second.post(link, linkWorkerForm)]);
  t.same(responses.map((r) => r.statusCode).sort(), [303, 410], 'one succeeds, the other is told the link was used');
  const count = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  t.equal(Number(count.n), 1);
});

t.test('an expired invitation is refused', async (t) => {
  const email = uniqueEmail('expired');
  const link = await invite({ email, role: 'link_worker' });
  const row = await db.selectFrom('accountLinks').select(['id', 'expiresAt', 'createdAt']).where('email', '=', email).executeTakeFirstOrThrow();
  const days = (row.expiresAt.getTime() - row.createdAt.getTime()) / 86_400_000;
  t.ok(Math.abs(days - 7) < 0.01, `lasts 7 days (${days.toFixed(2)})`);
  await db
    .updateTable('accountLinks')
    .set({ expiresAt: new Date(Date.now() - 60_000) })
    .where('id', '=', row.id)
    .execute();

  const visitor = new Visitor(app);
  const page = await visitor.get(link);
  t.equal(page.statusCode, 410);
  t.match(page.body, /This link has expired/);
  const before = await rowCounts(db);
  const post = await visitor.post(link, linkWorkerForm);
  t.equal(post.statusCode, 410);
  t.same(await rowCounts(db), before);
  t.equal(await userByEmail(email), undefined);
});

t.test('a tampered or made-up link is refused', async (t) => {
  const email = uniqueEmail('tampered');
  const link = await invite({ email, role: 'link_worker' });
  const token = link.split('/').pop()!;
  const changed = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
  const attempts = [
    `/invitations/${changed}`,
    `/invitations/${token.slice(0, -4)}`,
    `/invitations/${token}extra`,
    '/invitations/short',
    `/invitations/${encodeURIComponent("'; drop table users; --")}`,
    `/invitations/${encodeURIComponent('<script>alert(1)</script>')}`,
  ];
  for (const url of attempts) {
    const visitor = new Visitor(app);
    const page = await visitor.get(url);
    t.equal(page.statusCode, 410, `GET ${url.slice(0, 40)}…`);
    t.match(page.body, /This link is not valid/);
    const post = await visitor.post(url, linkWorkerForm);
    t.equal(post.statusCode, 410, `POST ${url.slice(0, 40)}…`);
  }
  t.equal(await userByEmail(email), undefined, 'no account made');
  t.equal((await new Visitor(app).get(link)).statusCode, 200, 'the real link still works');
});

t.test('provider staff are invited to an organisation, and join it', async (t) => {
  const organisation = await createOrganisation(db, { name: 'Riverside Gallery' });
  const email = uniqueEmail('provider', 'riverside-gallery.example.org');
  const link = await invite({ email, role: 'provider', organisationId: organisation.id });
  const visitor = new Visitor(app);
  const page = await visitor.get(link);
  t.match(page.body, /provider staff/);
  t.match(page.body, /Riverside Gallery/);
  t.notMatch(page.body, /name="practice"/, 'provider staff are not asked for a GP practice');
  const response = await visitor.post(link, { name: 'Pat Provider', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
  t.equal(response.statusCode, 303);
  t.equal(heading((await visitor.get('/')).body), 'Welcome, Pat Provider', 'signed in straight away');
  const user = await userByEmail(email);
  t.equal(user?.role, 'provider');
  t.equal(user?.organisationId, organisation.id);
  t.equal(user?.practice, null);
});

t.test('a coordinator invitation makes a coordinator', async (t) => {
  const email = uniqueEmail('coordinator');
  const link = await invite({ email, role: 'coordinator' });
  const response = await new Visitor(app).post(link, { name: 'Cora Ordinator', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
  t.equal(response.statusCode, 303);
  t.equal((await userByEmail(email))?.role, 'coordinator');
});

t.test('extra fields sent with the form cannot choose the role or organisation', async (t) => {
  const organisation = await createOrganisation(db);
  const email = uniqueEmail('sneaky');
  const link = await invite({ email, role: 'link_worker' });
  await new Visitor(app).post(link, { ...linkWorkerForm, role: 'coordinator', organisationId: organisation.id, status: 'active', email: 'other@nhs.net' });
  const user = await userByEmail(email);
  t.equal(user?.role, 'link_worker');
  t.equal(user?.organisationId, null);
  t.equal(await userByEmail('other@nhs.net'), undefined);
});

t.test('the acceptance form explains mistakes beside each field and keeps what was typed', async (t) => {
  const email = uniqueEmail('mistakes');
  const link = await invite({ email, role: 'link_worker' });
  const visitor = new Visitor(app);
  const before = await rowCounts(db);
  const response = await visitor.post(link, { name: '', practice: 'Hill Surgery', pcn: '', password: 'short', confirmPassword: 'short' });
  t.equal(response.statusCode, 400);
  t.equal(fieldError(response.body, 'name'), 'Enter your full name');
  t.equal(fieldError(response.body, 'pcn'), 'Enter your Primary Care Network');
  t.equal(fieldError(response.body, 'password'), 'Password must be 12 characters or more');
  t.match(response.body, /value="Hill Surgery"/, 'the practice typed is kept');
  t.notMatch(response.body, /value="short"/, 'passwords are never sent back');
  const mismatch = await visitor.post(link, { ...linkWorkerForm, confirmPassword: 'something different entirely' });
  t.equal(fieldError(mismatch.body, 'confirmPassword'), 'The passwords do not match. Enter the same password twice');
  t.same(await rowCounts(db), before, 'nothing stored');
  t.equal((await visitor.get(link)).statusCode, 200, 'the link still works after mistakes');
});

t.test('two invitations to one address: after the first is accepted the second explains, without failing', async (t) => {
  const email = uniqueEmail('double');
  const first = await invite({ email, role: 'link_worker' });
  const second = await invite({ email, role: 'coordinator' });
  t.equal((await new Visitor(app).post(first, linkWorkerForm)).statusCode, 303);
  const response = await new Visitor(app).post(second, { name: 'Second Go', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
  t.equal(response.statusCode, 400);
  t.match(response.body, /There is already an account with this email address/);
  t.equal((await userByEmail(email))?.role, 'link_worker', 'the account is not turned into a coordinator');
});

t.test('an invited provider whose role must use two-step sign-in is signed in and taken to set it up first', async (t) => {
  const strict = await buildTestApp(t, database, { twoStepRequiredRoles: ['provider'] });
  const organisation = await createOrganisation(db);
  const email = uniqueEmail('strict-provider', 'gallery.example.org');
  const link = await invite({ email, role: 'provider', organisationId: organisation.id });
  const visitor = new Visitor(strict);
  const response = await visitor.post(link, { name: 'Sol Provider', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
  t.equal(response.statusCode, 303);
  t.match(response.headers.location, /^\/account\/two-step\/set-up/, 'to setting up two-step sign-in');
  t.equal((await visitor.get(response.headers.location as string)).statusCode, 200, 'signed in: the set-up page opens');
  const elsewhere = await visitor.get('/');
  t.equal(elsewhere.statusCode, 303, 'nothing else until it is set up');
  t.match(elsewhere.headers.location, /^\/account\/two-step\/set-up/);
});
