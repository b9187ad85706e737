import t from 'tap';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());

const sessionCookie = 'tasters-session';

// The page without what legitimately differs between two visitors: the CSRF token and the email typed.
function comparable(html: string, email: string): string {
  return html
    .replace(/name="_csrf" value="[^"]*"/g, '')
    .replace(/"x-csrf-token": "[^"]*"/g, '')
    .replaceAll(email, 'EMAIL');
}

t.test('signs in with the right password and lands on the home page', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(database.db, 'coordinator');
  const visitor = new Visitor(app);
  const response = await visitor.signIn(user.email, PASSWORD);
  t.equal(response.headers.location, '/');
  t.ok(visitor.cookies[sessionCookie], 'a session cookie is set');
  const home = await visitor.get('/');
  t.match(heading(home.body), /Welcome/);
  t.match(home.body, /href="\/people"/, 'coordinator sees People in the menu');
  const row = await database.db.selectFrom('users').select('lastSignedInAt').where('id', '=', user.id).executeTakeFirstOrThrow();
  t.ok(row.lastSignedInAt, 'the time of sign-in is kept');
});

t.test('the email address is matched whatever its case and surrounding spaces', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(database.db, 'link_worker');
  const visitor = new Visitor(app);
  const response = await visitor.post('/sign-in', { email: `  ${user.email.toUpperCase()} `, password: PASSWORD });
  t.equal(response.statusCode, 303);
});

t.test('a wrong password and an unknown email get the same message, status and page', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(database.db, 'link_worker');
  const wrong = await new Visitor(app).post('/sign-in', { email: user.email, password: 'not the password at all' });
  const unknown = await new Visitor(app).post('/sign-in', { email: 'nobody@nhs.net', password: 'not the password at all' });
  t.equal(wrong.statusCode, 400);
  t.equal(unknown.statusCode, 400);
  t.same(errorSummary(wrong.body), ['email: Enter a correct email address and password']);
  t.same(errorSummary(unknown.body), errorSummary(wrong.body));
  t.equal(comparable(unknown.body, 'nobody@nhs.net'), comparable(wrong.body, user.email), 'nothing on the page tells them apart');
  t.notOk(
    wrong.cookies.some((c) => c.name === sessionCookie),
    'no session after a wrong password',
  );
  t.match(wrong.body, new RegExp(`value="${user.email}"`), 'the email address is kept');
  t.notMatch(wrong.body, /not the password at all/, 'the password is never sent back');
});

t.test('a disabled account cannot sign in', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(database.db, 'provider', { status: 'disabled' });
  const visitor = new Visitor(app);
  const response = await visitor.post('/sign-in', { email: user.email, password: PASSWORD });
  t.equal(response.statusCode, 400);
  t.match(fieldError(response.body, 'email'), /disabled/);
  t.notOk(visitor.cookies[sessionCookie]);
  t.equal((await visitor.get('/account')).statusCode, 302, 'still signed out');
  // With a wrong password it looks like any other refusal: the account's state is not revealed.
  const wrong = await new Visitor(app).post('/sign-in', { email: user.email, password: 'not the password at all' });
  t.same(errorSummary(wrong.body), ['email: Enter a correct email address and password']);
});

t.test('an account whose email is not confirmed cannot sign in', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(database.db, 'link_worker', { status: 'unconfirmed' });
  const visitor = new Visitor(app);
  const response = await visitor.post('/sign-in', { email: user.email, password: PASSWORD });
  t.equal(response.statusCode, 400);
  t.match(fieldError(response.body, 'email'), /Confirm your email address first/);
  t.notOk(visitor.cookies[sessionCookie]);
});

t.test('missing fields are named beside each field', async (t) => {
  const app = await buildTestApp(t, database);
  const response = await new Visitor(app).post('/sign-in', { email: '', password: '' });
  t.equal(response.statusCode, 400);
  t.match(heading(response.body), 'Sign in');
  t.equal(fieldError(response.body, 'email'), 'Enter your email address');
  t.equal(fieldError(response.body, 'password'), 'Enter your password');
  t.match(response.body, /<title>Error: Sign in/);
});

t.test('a signed-out person is sent to sign in and brought back to the page they wanted', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(database.db, 'coordinator');
  const visitor = new Visitor(app);
  const wanted = await visitor.get('/people?sort=name');
  t.equal(wanted.statusCode, 302);
  t.equal(wanted.headers.location, `/sign-in?returnTo=${encodeURIComponent('/people?sort=name')}`);
  const form = await visitor.get(wanted.headers.location as string);
  t.match(form.body, /name="returnTo" value="\/people\?sort=name"/, 'the form carries where to go back to');
  const response = await visitor.post('/sign-in', { email: user.email, password: PASSWORD, returnTo: '/people?sort=name' });
  t.equal(response.statusCode, 303);
  t.equal(response.headers.location, '/people?sort=name');
  t.equal((await visitor.get('/people')).statusCode, 200);
});

t.test('the place to return to is kept after a failed attempt', async (t) => {
  const app = await buildTestApp(t, database);
  const response = await new Visitor(app).post('/sign-in', { email: 'nobody@nhs.net', password: 'wrong password here', returnTo: '/account' });
  t.match(response.body, /name="returnTo" value="\/account"/);
});

t.test('return addresses that could leave the site, once resolved or decoded, go to the home page', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(database.db, 'link_worker');
  const tricky = [
    '/..//evil.example',
    '/../..//evil.example',
    '/./evil.example/..//evil.example',
    '/%2F%2Fevil.example',
    '/%2f/evil.example',
    '/..%2F/evil.example',
    '/..%2F..%2F/evil.example',
    '/%2E%2E//evil.example',
    '/%252F%252Fevil.example',
    '/\\evil.example',
    '/%5Cevil.example',
    '/%5C%5Cevil.example',
    '/%09/evil.example',
    '/\t/evil.example',
    '/%0D%0A/evil.example',
    '/%00/evil.example',
    '/%E0%A4%A',
  ];
  for (const returnTo of tricky) {
    const visitor = new Visitor(app);
    const response = await visitor.post('/sign-in', { email: user.email, password: PASSWORD, returnTo });
    t.equal(response.statusCode, 303, `signed in with returnTo ${JSON.stringify(returnTo)}`);
    t.equal(response.headers.location, '/', `${JSON.stringify(returnTo)}: to the home page`);
  }
  for (const returnTo of ['/find?q=singing%20group', '/sessions/abc/book', '/account#two-step']) {
    const response = await new Visitor(app).post('/sign-in', { email: user.email, password: PASSWORD, returnTo });
    t.equal(response.headers.location, returnTo, `${returnTo}: an ordinary page is kept`);
  }
});

t.test('sign-in never sends anyone to another site', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(database.db, 'link_worker');
  const hostile = [
    '//evil.example',
    'https://evil.example',
    'https://evil.example/people',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\nSet-Cookie: x=y',
    'javascript:alert(1)',
    ' //evil.example',
    '/%0a/evil',
    '/caf\u00e9/\u20ac',
  ];
  for (const returnTo of hostile) {
    const visitor = new Visitor(app);
    const page = await visitor.get(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
    t.equal(page.statusCode, 200, `sign-in page for ${JSON.stringify(returnTo)}`);
    t.notMatch(page.body, /evil\.example/, `the page does not carry ${JSON.stringify(returnTo)}`);
    const response = await visitor.post('/sign-in', { email: user.email, password: PASSWORD, returnTo });
    t.equal(response.statusCode, 303, `signed in with returnTo ${JSON.stringify(returnTo)}`);
    const location = String(response.headers.location);
    const resolved = new URL(location.replace(/[\t\n\r]/g, ''), 'https://tasters.example');
    t.equal(resolved.origin, 'https://tasters.example', `${JSON.stringify(returnTo)} stays on this site (went to ${JSON.stringify(location)})`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for exactly these characters
    t.notMatch(location, /[\u0000-\u001f\\]/, 'no control characters or backslashes in the redirect');
  }
});
