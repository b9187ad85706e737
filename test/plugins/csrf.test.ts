import t from 'tap';
import { rowCounts, uniqueEmail } from '../fixtures/accounts.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const app = await buildTestApp(t, database);
const coordinator = await createUser(db, 'coordinator');
const coordinatorVisitor = new Visitor(app);
await coordinatorVisitor.signIn(coordinator.email, PASSWORD);
await coordinatorVisitor.get('/people/invite');

/** Posts the invitation form with the given token and headers; the coordinator's cookies always go along. */
async function invite(token: string | undefined, headers: Record<string, string> = {}) {
  const form: Record<string, string> = { email: uniqueEmail('csrf'), role: 'link_worker' };
  if (token !== undefined) form._csrf = token;
  return coordinatorVisitor.post('/people/invite', form, { csrf: false, headers });
}

t.test('a form posted without a token, or with a wrong one, is refused and changes nothing', async (t) => {
  const before = await rowCounts(db);
  for (const [name, token] of [
    ['no token', undefined],
    ['an empty token', ''],
    ['a wrong token', 'abc123-not-a-token'],
    ['a token with its last character changed', coordinatorVisitor.csrfToken.slice(0, -1) + (coordinatorVisitor.csrfToken.endsWith('A') ? 'B' : 'A')],
  ] as const) {
    const response = await invite(token);
    t.equal(response.statusCode, 403, name);
    t.equal(heading(response.body), 'This form could not be sent', `${name}: a page that says what happened`);
    t.match(response.headers['content-security-policy'], /default-src 'self'/, `${name}: the refusal page has the security headers`);
    t.match(response.body, /name="_csrf" value="[A-Za-z0-9_-]{20,}"/, `${name}: the sign-out button on the refusal page has a token`);
  }
  t.same(await rowCounts(db), before, 'no invitation, message or audit entry');
});

t.test("another visitor's token does not work with this visitor's cookies", async (t) => {
  const other = new Visitor(app);
  await other.get('/sign-in');
  t.ok(other.csrfToken);
  t.not(other.csrfToken, coordinatorVisitor.csrfToken);
  const before = await rowCounts(db);
  const response = await invite(other.csrfToken);
  t.equal(response.statusCode, 403);
  t.same(await rowCounts(db), before);
});

t.test('a form sent from another website is refused, even with a valid token', async (t) => {
  const before = await rowCounts(db);
  for (const origin of ['https://evil.example', 'null', 'http://localhost.evil.example']) {
    const response = await invite(coordinatorVisitor.csrfToken, { origin });
    t.equal(response.statusCode, 403, `Origin: ${origin}`);
    t.match(response.body, /came from another website/);
  }
  t.same(await rowCounts(db), before);
});

t.test('the same site, with the token in the form or in the htmx header, is accepted', async (t) => {
  const inForm = await invite(coordinatorVisitor.csrfToken, { origin: 'http://localhost:3000' });
  t.equal(inForm.statusCode, 200, 'the token in the form body, from our own origin');
  t.equal(heading(inForm.body), 'Invitation created');

  await coordinatorVisitor.get('/people/invite');
  const before = await rowCounts(db);
  const email = uniqueEmail('htmx');
  const response = await app.inject({
    method: 'POST',
    url: '/people/invite',
    cookies: coordinatorVisitor.cookies,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'hx-request': 'true',
      'x-csrf-token': coordinatorVisitor.csrfToken,
    },
    payload: new URLSearchParams({ email, role: 'link_worker' }).toString(),
  });
  t.equal(response.statusCode, 200, 'the x-csrf-token header that htmx sends is accepted');
  t.equal((await rowCounts(db)).accountLinks, before.accountLinks + 1, 'the invitation is made');
  const wrongHeader = await app.inject({
    method: 'POST',
    url: '/people/invite',
    cookies: coordinatorVisitor.cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true', 'x-csrf-token': 'wrong' },
    payload: new URLSearchParams({ email: uniqueEmail('htmx'), role: 'link_worker' }).toString(),
  });
  t.equal(wrongHeader.statusCode, 403, 'a wrong header token is refused');
});

t.test('the page carries the token for htmx in the body attribute', async (t) => {
  const page = await coordinatorVisitor.get('/people');
  const match = /<body data-hx-headers:inherited='\{"x-csrf-token": "([^"]+)"\}'/.exec(page.body);
  t.ok(match, 'the token is on <body>');
  t.equal(match?.[1], coordinatorVisitor.csrfToken, 'the same token as in the forms');
});

t.test('signing in also needs the token: a login form on another site cannot sign someone in', async (t) => {
  const user = await createUser(db, 'link_worker');
  const response = await new Visitor(app).post('/sign-in', { email: user.email, password: PASSWORD }, { csrf: false });
  t.equal(response.statusCode, 403);
  t.notOk(response.cookies.some((c) => c.name === 'tasters-session'));
});
