import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import type { Config } from '../../src/config.ts';
import { DomainError } from '../../src/lib/errors.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

/** What these checks need from a test (a subtest's own type does not check under TypeScript 7). */
type Checks = Pick<typeof t, 'match' | 'notMatch' | 'equal' | 'teardown'>;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** The headers every HTML answer must carry, error pages included. */
function checkSecurityHeaders(t: Checks, response: LightMyRequestResponse, what: string) {
  const csp = String(response.headers['content-security-policy'] ?? '');
  t.match(csp, /default-src 'self'/, `${what}: a content security policy`);
  t.match(csp, /object-src 'none'/, `${what}: object-src 'none'`);
  t.match(csp, /base-uri 'none'/, `${what}: base-uri 'none'`);
  t.match(csp, /frame-ancestors 'none'/, `${what}: frame-ancestors 'none'`);
  t.match(csp, /form-action 'self'/, `${what}: form-action 'self'`);
  t.match(csp, /script-src 'self'(;|$)/, `${what}: scripts only from this site`);
  t.notMatch(csp, /unsafe-inline|unsafe-eval/, `${what}: no inline script or eval`);
  t.equal(response.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  t.equal(response.headers['referrer-policy'], 'same-origin', `${what}: a referrer policy`);
  t.match(String(response.headers['content-type']), /^text\/html/, `${what}: an HTML page`);
}

/** No sign of how the service is built: no stack, no file paths, no error class names. */
function checkLeaksNothing(t: Checks, response: LightMyRequestResponse, what: string) {
  t.notMatch(response.body, /secret internal detail/, `${what}: not the error message`);
  t.notMatch(response.body, /\bat [\w.<>]+ \(|node:internal|\/src\/|\.ts:\d+/, `${what}: no stack trace`);
  t.notMatch(response.body, /FST_|TypeError|ReferenceError|"statusCode"/, `${what}: no framework error`);
}

async function appWithBrokenRoute(t: Checks, overrides: Partial<Config> = {}) {
  const app = await buildTestApp(t, database, overrides);
  app.get('/test-only/broken', async () => {
    throw new Error('secret internal detail');
  });
  // A rule that says no where the route has no field to show it beside.
  app.get('/test-only/refused', async () => {
    throw new DomainError('session_started', 'This session has already started, so the booking can no longer be cancelled');
  });
  await app.ready();
  return app;
}

t.test('an unknown address gets the not-found page', async (t) => {
  const app = await buildTestApp(t, database);
  for (const url of ['/no-such-page', '/.git/HEAD', '/.env', '/static/../package.json', '/static/%2e%2e/package.json', '/wp-login.php']) {
    const response = await app.inject({ method: 'GET', url });
    t.equal(response.statusCode, 404, `${url} is not found`);
    t.equal(heading(response.body), 'Page not found', `${url}: the friendly page`);
    t.notMatch(response.body, /\[core\]|repositoryformatversion|"name": "tasters"/, `${url}: nothing from the file system`);
    checkSecurityHeaders(t, response, url);
  }
});

t.test('an address the router cannot read still gets the friendly page and headers', async (t) => {
  const app = await buildTestApp(t, database);
  for (const url of ['/invitations/%E0%A4%A', `/invitations/${'x'.repeat(500)}`, '/people/%zz', `/reset-password/${'y'.repeat(300)}`]) {
    const response = await app.inject({ method: 'GET', url });
    t.equal(response.statusCode, 404, `${url.slice(0, 30)}… answers not found`);
    t.equal(heading(response.body), 'Page not found');
    checkSecurityHeaders(t, response, url.slice(0, 30));
    checkLeaksNothing(t, response, url.slice(0, 30));
  }
});

t.test('a method a page does not accept is answered with a page, not a failure', async (t) => {
  const app = await buildTestApp(t, database);
  for (const method of ['DELETE', 'PUT', 'PATCH'] as const) {
    const response = await app.inject({ method, url: '/sign-in' });
    t.ok(response.statusCode >= 400 && response.statusCode < 500, `${method} /sign-in: ${response.statusCode}`);
    checkSecurityHeaders(t, response, `${method} /sign-in`);
  }
});

for (const env of ['test', 'production'] as const) {
  t.test(`a failure shows a friendly page with a reference and no stack (${env})`, async (t) => {
    const overrides: Partial<Config> = env === 'production' ? { env, baseUrl: 'https://tasters.example', trustProxy: true } : {};
    const app = await appWithBrokenRoute(t, overrides);
    const response = await app.inject({ method: 'GET', url: '/test-only/broken', headers: { 'x-forwarded-proto': 'https' } });
    t.equal(response.statusCode, 500);
    t.equal(heading(response.body), 'Sorry, there is a problem with the service');
    t.match(response.body, new RegExp(`quote reference <code>${UUID.source}</code>`), 'a request id to quote');
    checkLeaksNothing(t, response, env);
    checkSecurityHeaders(t, response, `500 (${env})`);
    if (env === 'production') t.match(String(response.headers['strict-transport-security']), /max-age=/);
  });
}

t.test('a rule that says no and that no route turned into a field message is a 409 page with its message, not a failure', async (t) => {
  const app = await appWithBrokenRoute(t);
  const response = await app.inject({ method: 'GET', url: '/test-only/refused' });
  t.equal(response.statusCode, 409);
  t.equal(heading(response.body), 'This could not be done');
  t.match(response.body, 'This session has already started, so the booking can no longer be cancelled');
  t.notMatch(response.body, /DomainError|session_started/, 'neither the class nor the code reaches the person');
  checkSecurityHeaders(t, response, '409');
});

t.test('in development the failure shows its stack, for the developer', async (t) => {
  const app = await appWithBrokenRoute(t, { env: 'development' });
  const response = await app.inject({ method: 'GET', url: '/test-only/broken' });
  t.equal(response.statusCode, 500);
  t.match(response.body, /secret internal detail/);
  t.match(response.body, /tasters-stack/);
});

t.test('each request gets its own reference', async (t) => {
  const app = await appWithBrokenRoute(t);
  const references = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const response = await app.inject({ method: 'GET', url: '/test-only/broken' });
    references.add(UUID.exec(response.body)![0]);
  }
  t.equal(references.size, 3);
});

t.test('the refusal, too-large and bad-request pages carry the headers too', async (t) => {
  const app = await buildTestApp(t, database);
  const visitor = new Visitor(app);
  const user = await createUser(db, 'link_worker');
  await visitor.signIn(user.email, PASSWORD);

  const forbidden = await visitor.get('/people');
  t.equal(forbidden.statusCode, 403);
  checkSecurityHeaders(t, forbidden, '403');

  const tooLarge = await visitor.post('/reset-password', { email: 'x'.repeat(1024 * 1024) });
  t.equal(tooLarge.statusCode, 413);
  t.equal(heading(tooLarge.body), 'What you sent is too large');
  checkSecurityHeaders(t, tooLarge, '413');
  checkLeaksNothing(t, tooLarge, '413');

  const wrongType = await app.inject({
    method: 'POST',
    url: '/reset-password',
    cookies: visitor.cookies,
    headers: { 'content-type': 'text/xml' },
    payload: '<email>x</email>',
  });
  t.equal(wrongType.statusCode, 415);
  checkSecurityHeaders(t, wrongType, '415');
  checkLeaksNothing(t, wrongType, '415');

  // Pages take forms only: JSON, even broken JSON, is refused before anything reads it.
  const brokenJson = await app.inject({
    method: 'POST',
    url: '/reset-password',
    cookies: visitor.cookies,
    headers: { 'content-type': 'application/json' },
    payload: '{"email": ',
  });
  t.equal(brokenJson.statusCode, 415);
  checkSecurityHeaders(t, brokenJson, 'broken JSON');
  checkLeaksNothing(t, brokenJson, 'broken JSON');
});

t.test('signed-in pages are never cached; public pages may be', async (t) => {
  const app = await buildTestApp(t, database);
  const visitor = new Visitor(app);
  const help = await visitor.get('/help');
  t.not(help.headers['cache-control'], 'no-store', 'a public page while signed out');
  const user = await createUser(db, 'coordinator');
  await visitor.signIn(user.email, PASSWORD);
  for (const url of ['/', '/account', '/people', '/help']) {
    const response = await visitor.get(url);
    t.equal(response.statusCode, 200, url);
    t.equal(response.headers['cache-control'], 'no-store', `${url} signed in: no-store`);
  }
  const forbidden = await new Visitor(app).get('/account');
  t.equal(forbidden.headers['cache-control'], 'no-store', 'the account page even when it only redirects');
});

t.test('health checks answer without a session', async (t) => {
  const app = await buildTestApp(t, database);
  const live = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(live.statusCode, 200);
  t.same(live.json(), { status: 'ok' });
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 200);
  t.notOk(live.headers['set-cookie'], 'no cookies for a health check');
});
