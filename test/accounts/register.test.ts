import t from 'tap';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading, Visitor } from '../helper.ts';
import { createUser, linkOnPage, PASSWORD, rowCounts, uniqueEmail } from '../fixtures/accounts.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const NEW_PASSWORD = 'marmalade kettle harbour';
const form = (email: string) => ({
  name: 'Rosa Link',
  email,
  practice: 'Hill Surgery',
  pcn: 'North PCN',
  password: NEW_PASSWORD,
  confirmPassword: NEW_PASSWORD,
});

async function userByEmail(email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

async function register(email: string) {
  const visitor = new Visitor(app);
  await visitor.get('/register');
  return visitor.post('/register', form(email));
}

t.test('a link worker with an nhs.net address registers, confirms the address once, then signs in', async (t) => {
  const page = await new Visitor(app).get('/register');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Create a link worker account');
  t.match(page.body, /ending in nhs\.net/, 'says which addresses can register');

  const email = uniqueEmail('rosa');
  const response = await register(email);
  t.equal(response.statusCode, 200);
  t.equal(heading(response.body), 'Confirm your email address');
  const link = linkOnPage(response.body, '/register/confirm/');
  const user = await userByEmail(email);
  t.equal(user?.status, 'unconfirmed');
  t.equal(user?.role, 'link_worker', 'always a link worker');
  t.equal(user?.practice, 'Hill Surgery');

  const early = await new Visitor(app).post('/sign-in', { email, password: NEW_PASSWORD });
  t.equal(early.statusCode, 400, 'cannot sign in before confirming');
  t.match(fieldError(early.body, 'email'), /Confirm your email address first/);

  const visitor = new Visitor(app);
  const confirmPage = await visitor.get(link);
  t.equal(confirmPage.statusCode, 200);
  t.match(confirmPage.body, /Confirm my email address/, 'a button: opening the link alone (a mail scanner) confirms nothing');
  t.equal((await userByEmail(email))?.status, 'unconfirmed');
  const confirmed = await visitor.post(link, {});
  t.equal(confirmed.statusCode, 200);
  t.equal(heading(confirmed.body), 'Your email address is confirmed');
  t.equal((await userByEmail(email))?.status, 'active');

  const again = await new Visitor(app).post(link, {});
  t.equal(again.statusCode, 410, 'the link works once');
  t.match(again.body, /already been used/);
  t.equal((await new Visitor(app).get(link)).statusCode, 410);

  await new Visitor(app).signIn(email, NEW_PASSWORD);
});

t.test('a subdomain of an allowed domain is accepted', async (t) => {
  const email = uniqueEmail('sub', 'oxford.nhs.net');
  const response = await register(email);
  t.equal(response.statusCode, 200);
  t.ok(linkOnPage(response.body, '/register/confirm/'));
  t.equal((await userByEmail(email))?.status, 'unconfirmed');
});

t.test('other domains are refused with a message beside the email field, and nothing is stored', async (t) => {
  for (const email of ['rosa@gmail.com', 'rosa@nhs.net.evil.example', 'rosa@evilnhs.net', 'rosa@nhs.uk', 'rosa@nhs.net.', 'rosa@xnhs.net']) {
    const before = await rowCounts(db);
    const response = await register(email);
    t.equal(response.statusCode, 400, email);
    const message = fieldError(response.body, 'email');
    t.ok(message, `${email}: a message beside the field`);
    t.same(errorSummary(response.body), [`email: ${message}`], `${email}: and in the summary`);
    t.match(response.body, /value="Rosa Link"/, `${email}: the name is kept`);
    t.match(response.body, /value="Hill Surgery"/, `${email}: the practice is kept`);
    t.notMatch(response.body, new RegExp(NEW_PASSWORD), `${email}: the password is not sent back`);
    t.same(await rowCounts(db), before, `${email}: nothing stored`);
    t.equal(await userByEmail(email), undefined);
  }
  const response = await register('rosa@gmail.com');
  t.equal(fieldError(response.body, 'email'), 'Use your work email address ending in nhs.net, or ask your coordinator for an invitation');
});

t.test('hidden characters in a field get a message beside it, and nothing is stored', async (t) => {
  const hidden = 'Full name must not contain hidden characters, such as control codes copied from another program. Type it again rather than pasting it';
  const cases: Array<[field: 'name' | 'practice' | 'pcn' | 'email', value: string, message: string]> = [
    ['name', 'Rosa\u0000Link', hidden],
    ['name', '\u0000', hidden],
    ['name', 'Rosa\u001b[31mLink', hidden],
    ['name', 'Rosa\u0085Link', hidden],
    ['practice', 'Hill\tSurgery', 'GP practice must be on one line, without tabs or line breaks'],
    ['pcn', 'North\nPCN', 'Primary Care Network must be on one line, without tabs or line breaks'],
    ['email', 'rosa\u0000@nhs.net', 'Email address must not contain hidden characters, such as control codes copied from another program. Type it again rather than pasting it'],
  ];
  for (const [field, value, message] of cases) {
    const email = uniqueEmail('hidden');
    const before = await rowCounts(db);
    const visitor = new Visitor(app);
    await visitor.get('/register');
    const response = await visitor.post('/register', { ...form(email), [field]: value });
    const what = `${field} = ${JSON.stringify(value)}`;
    t.equal(response.statusCode, 400, `${what}: 400`);
    t.equal(fieldError(response.body, field), message, `${what}: the message beside the field`);
    t.same(errorSummary(response.body), [`${field}: ${message}`], `${what}: and in the summary`);
    t.notOk(/[\u0000\u001b\u0085]/.test(response.body), `${what}: the hidden character is not sent back`);
    t.same(await rowCounts(db), before, `${what}: nothing stored`);
    t.equal(await userByEmail(email), undefined, `${what}: no account`);
  }
  const visitor = new Visitor(app);
  await visitor.get('/register');
  const response = await visitor.post('/register', { ...form(uniqueEmail('kept')), name: 'Rosa\u0000Link' });
  t.match(response.body, /value="Rosa\uFFFDLink"/, 'what was typed is kept, with the hidden character shown as �');
});

t.test('the allowed domains come from the configuration', async (t) => {
  const other = await buildTestApp(t, database, { selfRegistrationDomains: ['nhs.net', 'nhs.uk'] });
  const visitor = new Visitor(other);
  const page = await visitor.get('/register');
  t.match(page.body, /nhs\.net or nhs\.uk/);
  const email = uniqueEmail('uk', 'nhs.uk');
  const response = await visitor.post('/register', form(email));
  t.equal(response.statusCode, 200);
  t.equal((await userByEmail(email))?.status, 'unconfirmed');
});

t.test('registering an address that already has an account shows the same page, without a link, and changes nothing', async (t) => {
  const existing = await createUser(db, 'link_worker');
  const before = await userByEmail(existing.email);
  const fresh = await register(uniqueEmail('fresh'));
  const response = await register(existing.email);
  t.equal(response.statusCode, fresh.statusCode, 'the same status');
  t.equal(heading(response.body), heading(fresh.body), 'the same page');
  t.notMatch(response.body, /\/register\/confirm\//, 'no link to take over the account');
  const after = await userByEmail(existing.email);
  t.equal(after?.passwordHash, before?.passwordHash, 'the password is unchanged');
  t.equal(after?.name, before?.name, 'the name is unchanged');
  t.equal(after?.status, 'active');
  const links = await db.selectFrom('accountLinks').select('id').where('email', '=', existing.email).execute();
  t.equal(links.length, 0, 'no confirmation link was made');
  await new Visitor(app).signIn(existing.email, PASSWORD);

  const disabled = await createUser(db, 'link_worker', { status: 'disabled' });
  const onDisabled = await register(disabled.email);
  t.equal(heading(onDisabled.body), heading(fresh.body));
  t.notMatch(onDisabled.body, /\/register\/confirm\//);
  t.equal((await userByEmail(disabled.email))?.status, 'disabled', 'a disabled account stays disabled');
});

t.test('registering again before confirming sends a new link that works', async (t) => {
  const email = uniqueEmail('again');
  await register(email);
  const second = await register(email);
  const link = linkOnPage(second.body, '/register/confirm/');
  t.equal((await new Visitor(app).post(link, {})).statusCode, 200);
  t.equal((await userByEmail(email))?.status, 'active');
  const count = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('email', '=', email).executeTakeFirstOrThrow();
  t.equal(Number(count.n), 1, 'still one account');
});

t.test('a confirmation link expires after 48 hours', async (t) => {
  const email = uniqueEmail('late');
  const response = await register(email);
  const link = linkOnPage(response.body, '/register/confirm/');
  const row = await db.selectFrom('accountLinks').select(['id', 'createdAt', 'expiresAt']).where('email', '=', email).executeTakeFirstOrThrow();
  t.equal(Math.round((row.expiresAt.getTime() - row.createdAt.getTime()) / 3_600_000), 48);
  await db.updateTable('accountLinks').set({ expiresAt: new Date(Date.now() - 1000) }).where('id', '=', row.id).execute();
  const page = await new Visitor(app).get(link);
  t.equal(page.statusCode, 410);
  t.match(page.body, /expired/);
  t.equal((await new Visitor(app).post(link, {})).statusCode, 410);
  t.equal((await userByEmail(email))?.status, 'unconfirmed');
});

t.test('a made-up confirmation link is refused', async (t) => {
  for (const url of [`/register/confirm/${'a'.repeat(43)}`, '/register/confirm/short', `/register/confirm/${encodeURIComponent('<script>')}`]) {
    const visitor = new Visitor(app);
    t.equal((await visitor.get(url)).statusCode, 410, url);
    t.equal((await visitor.post(url, {})).statusCode, 410, url);
  }
});
