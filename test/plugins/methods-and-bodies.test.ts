import t from 'tap';
import { rowCounts, uniqueEmail } from '../fixtures/accounts.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { databaseDigest } from '../fixtures/database.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const UUID = '7a1f3c5e-2b4d-4e6f-8a9b-0c1d2e3f4a5b';

t.test('a known address with a method it does not take answers 405 with Allow, on a page', async (t) => {
  const app = await buildTestApp(t, database);
  const cases: Array<[method: 'PUT' | 'DELETE' | 'PATCH' | 'POST', url: string, allow: string]> = [
    ['PUT', '/sign-in', 'GET, HEAD, POST'],
    ['DELETE', '/sign-in/', 'GET, HEAD, POST'],
    ['PATCH', '/register?x=1', 'GET, HEAD, POST'],
    ['DELETE', `/sessions/${UUID}`, 'GET, HEAD'],
    ['POST', `/sessions/${UUID}/bookings`, 'GET, HEAD'],
    ['PUT', `/sessions/${UUID}/register/${UUID}`, 'POST'],
    ['DELETE', '/people/invite', 'GET, HEAD, POST'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['PUT', '/static/app.css', 'GET, HEAD'],
    ['POST', '/', 'GET, HEAD'],
  ];
  for (const [method, url, allow] of cases) {
    const response = await app.inject({ method, url });
    t.equal(response.statusCode, 405, `${method} ${url}: 405`);
    t.equal(response.headers.allow, allow, `${method} ${url}: Allow: ${allow}`);
    t.equal(heading(response.body), 'This page does not accept that kind of request', `${method} ${url}: a page that says so`);
    t.match(String(response.headers['content-security-policy']), /default-src 'self'/, `${method} ${url}: with the security headers`);
  }
  for (const [method, url] of [
    ['PUT', '/no-such-page'],
    ['DELETE', '/sessions/x/y/z/w'],
    ['POST', '/.git/HEAD'],
  ] as const) {
    const response = await app.inject({ method, url });
    t.equal(response.statusCode, 404, `${method} ${url}: an unknown address is still not found`);
    t.notOk(response.headers.allow, `${method} ${url}: no Allow`);
  }
});

t.test('the open data feed answers 405 in its own JSON, and OPTIONS alone does not make an address exist', async (t) => {
  const app = await buildTestApp(t, database);
  const refused = await app.inject({ method: 'POST', url: '/openreferral/services' });
  t.equal(refused.statusCode, 405);
  t.equal(refused.headers.allow, 'GET, HEAD, OPTIONS');
  t.match(refused.json(), { status: 405, error: 'method_not_allowed' });
  t.equal(refused.headers['access-control-allow-origin'], '*', 'still readable from another origin');
  const missing = await app.inject({ method: 'DELETE', url: '/openreferral/nothing-here' });
  t.equal(missing.statusCode, 404, 'an address only the CORS answer covers is not found');
});

t.test('a route added later is covered without being listed anywhere', async (t) => {
  const app = await buildTestApp(t, database);
  app.get('/test-only/added-later/:thing', async () => 'ok');
  await app.ready();
  const response = await app.inject({ method: 'POST', url: '/test-only/added-later/one' });
  t.equal(response.statusCode, 405);
  t.equal(response.headers.allow, 'GET, HEAD');
});

t.test('pages take form bodies only: JSON or text is a 415 page and changes nothing', async (t) => {
  const app = await buildTestApp(t, database);
  const visitor = new Visitor(app);
  await visitor.get('/register');
  const before = await databaseDigest(db);
  const counts = await rowCounts(db);
  const email = uniqueEmail('json');
  const form = {
    name: 'Jay Son',
    email,
    practice: 'Test Surgery',
    pcn: 'Test PCN',
    password: 'a long enough password',
    confirmPassword: 'a long enough password',
  };
  for (const [type, payload] of [
    ['application/json', JSON.stringify({ ...form, _csrf: visitor.csrfToken })],
    ['application/json; charset=utf-8', JSON.stringify(form)],
    ['text/plain', new URLSearchParams({ ...form, _csrf: visitor.csrfToken }).toString()],
    ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nJay\r\n--x--\r\n`],
  ] as const) {
    const response = await app.inject({
      method: 'POST',
      url: '/register',
      cookies: visitor.cookies,
      headers: { 'content-type': type, 'x-csrf-token': visitor.csrfToken },
      payload,
    });
    t.equal(response.statusCode, 415, `${type}: 415`);
    t.equal(heading(response.body), 'The form was sent in a way the service does not understand', `${type}: a page that says so`);
  }
  t.same(await rowCounts(db), counts, 'no account, link or email');
  t.same(await databaseDigest(db), before, 'nothing stored');
  t.notOk(await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst(), 'no account for the JSON registration');
});

t.test('forms still work, htmx included: it sends the same encoding', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(db, 'link_worker');
  const visitor = new Visitor(app);
  await visitor.get('/sign-in');
  const signIn = await visitor.post(
    '/sign-in',
    { email: user.email, password: PASSWORD },
    { headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } },
  );
  t.equal(signIn.statusCode, 303, 'a form with a charset in its content type');
  const keepAlive = await visitor.post('/session/keep-alive', {}, { headers: { 'hx-request': 'true', 'x-csrf-token': visitor.csrfToken } });
  t.ok(keepAlive.statusCode < 300, `an htmx post: ${keepAlive.statusCode}`);
  const preferences = await visitor.post('/account/preferences', { reminders: 'yes' }, { headers: { 'hx-request': 'true' } });
  t.ok([200, 303].includes(preferences.statusCode), `an htmx form: ${preferences.statusCode}`);
  const noBody = await app.inject({ method: 'POST', url: '/session/keep-alive', cookies: visitor.cookies, headers: { 'x-csrf-token': visitor.csrfToken } });
  t.not(noBody.statusCode, 415, 'a post with no body at all is not a wrong kind of body');
});

t.test('the open data feed is unaffected: GET only, JSON out', async (t) => {
  const app = await buildTestApp(t, database);
  const response = await app.inject({ method: 'GET', url: '/openreferral/services' });
  t.equal(response.statusCode, 200);
  t.match(String(response.headers['content-type']), /^application\/json/);
});
