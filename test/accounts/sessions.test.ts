import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { hashToken } from '../../src/lib/tokens.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase, Visitor, validateEveryHtmlResponse } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const SESSION = 'tasters-session';

function setCookieHeaders(response: LightMyRequestResponse): string[] {
  const header = response.headers['set-cookie'];
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}

function setCookie(response: LightMyRequestResponse, name: string): string | undefined {
  return setCookieHeaders(response).find((c) => c.startsWith(`${name}=`));
}

/** The session row behind a visitor's cookie (the cookie is "id.signature"; the table keeps a hash of the id). */
async function sessionRow(visitor: Visitor) {
  const cookie = visitor.cookies[SESSION];
  if (!cookie) return undefined;
  const id = decodeURIComponent(cookie).replace(/\.[^.]+$/, '');
  return db.selectFrom('loginSessions').selectAll().where('idHash', '=', hashToken(id)).executeTakeFirst();
}

async function signedIn(visitor: Visitor): Promise<boolean> {
  const response = await visitor.get('/account');
  if (response.statusCode === 200) return true;
  if (response.statusCode === 302 && String(response.headers.location).startsWith('/sign-in')) return false;
  throw new Error(`unexpected ${response.statusCode} from /account`);
}

t.test('a signed-in session lasts while it is used, and its idle expiry moves on with each request', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(db, 'link_worker');
  const visitor = new Visitor(app);
  await visitor.signIn(user.email, PASSWORD);
  const row = await sessionRow(visitor);
  t.ok(row, 'the session is stored in the database');
  t.equal(row!.userId, user.id);
  t.notOk(JSON.stringify(row).includes(decodeURIComponent(visitor.cookies[SESSION]!).split('.')[0]!), 'the session id itself is not stored');
  const idleMinutes = (row!.idleExpiresAt.getTime() - Date.now()) / 60_000;
  t.ok(idleMinutes > 29 && idleMinutes <= 30, `idle expiry about 30 minutes away (${idleMinutes.toFixed(1)})`);
  const absoluteHours = (row!.absoluteExpiresAt.getTime() - Date.now()) / 3_600_000;
  t.ok(absoluteHours > 11.9 && absoluteHours <= 12, `absolute expiry about 12 hours away (${absoluteHours.toFixed(2)})`);

  // Pretend 25 quiet minutes have passed: a request now pushes the idle expiry on, not the absolute one.
  await db
    .updateTable('loginSessions')
    .set({ idleExpiresAt: new Date(Date.now() + 5 * 60_000) })
    .where('userId', '=', user.id)
    .execute();
  t.ok(await signedIn(visitor));
  const after = await sessionRow(visitor);
  t.ok(after!.idleExpiresAt.getTime() > Date.now() + 29 * 60_000, 'activity moved the idle expiry on');
  t.equal(after!.absoluteExpiresAt.getTime(), row!.absoluteExpiresAt.getTime(), 'activity never moves the absolute expiry');
});

t.test('pages within a minute of the last push read the session without writing it', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(db, 'link_worker');
  const visitor = new Visitor(app);
  await visitor.signIn(user.email, PASSWORD);
  // Stored as if pushed 30 s ago: within touchSlackMs (a minute for 30) of where a request now would put it.
  const recent = new Date(Date.now() + 30 * 60_000 - 30_000);
  await db.updateTable('loginSessions').set({ idleExpiresAt: recent }).where('userId', '=', user.id).execute();
  for (let i = 0; i < 3; i++) t.ok(await signedIn(visitor), `page ${i + 1} is served signed in`);
  const row = await sessionRow(visitor);
  t.equal(row!.idleExpiresAt.getTime(), recent.getTime(), 'the idle expiry was not rewritten: no write per page');

  // A minute and more behind: the next page pushes it on.
  const older = new Date(Date.now() + 30 * 60_000 - 61_000);
  await db.updateTable('loginSessions').set({ idleExpiresAt: older }).where('userId', '=', user.id).execute();
  t.ok(await signedIn(visitor));
  const pushed = await sessionRow(visitor);
  t.ok(pushed!.idleExpiresAt.getTime() > older.getTime() + 60_000, 'pushed on once it was a minute behind');
});

t.test('an idle session expires: the person must sign in again', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(db, 'coordinator');
  const visitor = new Visitor(app);
  await visitor.signIn(user.email, PASSWORD);
  t.ok(await signedIn(visitor));
  await db
    .updateTable('loginSessions')
    .set({ idleExpiresAt: new Date(Date.now() - 1000) })
    .where('userId', '=', user.id)
    .execute();
  const response = await visitor.get('/people');
  t.equal(response.statusCode, 302);
  t.equal(response.headers.location, '/sign-in?returnTo=%2Fpeople', 'sent to sign in, to come back afterwards');
  t.notOk(await signedIn(visitor), 'the session stays ended');
});

t.test('a session ends at its absolute expiry however active it is', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(db, 'provider');
  const visitor = new Visitor(app);
  await visitor.signIn(user.email, PASSWORD);
  await db
    .updateTable('loginSessions')
    .set({ absoluteExpiresAt: new Date(Date.now() - 1000), idleExpiresAt: new Date(Date.now() + 20 * 60_000) })
    .where('userId', '=', user.id)
    .execute();
  t.notOk(await signedIn(visitor));
  // Signing in again starts a new session with a new absolute limit.
  await visitor.signIn(user.email, PASSWORD);
  t.ok(await signedIn(visitor));
});

t.test('signing out ends the session: the old cookie replayed afterwards is refused', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(db, 'link_worker');
  const visitor = new Visitor(app);
  await visitor.signIn(user.email, PASSWORD);
  const cookies = { ...visitor.cookies };
  t.ok(await signedIn(visitor));
  const response = await visitor.post('/sign-out', {});
  t.equal(response.statusCode, 303);
  t.equal(response.headers.location, '/signed-out');
  t.equal(await sessionRow(Object.assign(new Visitor(app), { cookies })), undefined, 'the session row is gone');

  const replay = new Visitor(app);
  replay.cookies = cookies;
  t.notOk(await signedIn(replay), 'the old cookie no longer signs anyone in');
  const people = await app.inject({ method: 'GET', url: '/account', cookies });
  t.equal(people.statusCode, 302);
});

t.test('signing out needs the CSRF token, so another site cannot sign people out', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(db, 'link_worker');
  const visitor = new Visitor(app);
  await visitor.signIn(user.email, PASSWORD);
  const response = await visitor.post('/sign-out', { _csrf: 'not-the-token' });
  t.equal(response.statusCode, 403);
  t.ok(await signedIn(visitor));
});

t.test('there is no session before sign-in, and a planted session id is worth nothing after it', async (t) => {
  const app = await buildTestApp(t, database);
  const attacker = await createUser(db, 'link_worker');
  const victim = await createUser(db, 'coordinator');

  const visitor = new Visitor(app);
  const page = await visitor.get('/sign-in');
  t.equal(setCookie(page, SESSION), undefined, 'looking at the sign-in page makes no session');

  // Someone plants their own signed-in session cookie in the victim's browser.
  const planter = new Visitor(app);
  await planter.signIn(attacker.email, PASSWORD);
  const planted = planter.cookies[SESSION]!;
  visitor.cookies[SESSION] = planted;
  const response = await visitor.post('/sign-in', { email: victim.email, password: PASSWORD });
  t.equal(response.statusCode, 303);
  const after = visitor.cookies[SESSION];
  t.ok(after, 'a session cookie after sign-in');
  t.not(after, planted, 'the session id changed at sign-in');
  t.equal((await sessionRow(visitor))?.userId, victim.id);

  const stale = new Visitor(app);
  stale.cookies = { [SESSION]: planted };
  t.notOk(await signedIn(stale), 'the session that was there before sign-in has ended');
});

t.test('a forged or unsigned session cookie is ignored', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(db, 'coordinator');
  const visitor = new Visitor(app);
  await visitor.signIn(user.email, PASSWORD);
  const id = decodeURIComponent(visitor.cookies[SESSION]!).replace(/\.[^.]+$/, '');
  for (const forged of [id, `${id}.bad-signature`, 'x'.repeat(5000)]) {
    const other = new Visitor(app);
    other.cookies = { [SESSION]: forged };
    t.notOk(await signedIn(other), `cookie ${forged.slice(0, 20)}… is not a session`);
  }
});

t.test('the session cookie is HttpOnly, SameSite=Lax, for the whole site and this host only', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(db, 'link_worker');
  const visitor = new Visitor(app);
  const form = await visitor.get('/sign-in');
  const response = await visitor.post('/sign-in', { email: user.email, password: PASSWORD });
  const header = setCookie(response, SESSION);
  t.ok(header, 'sets the session cookie');
  t.match(header!, /; HttpOnly/i);
  t.match(header!, /; SameSite=Lax/i);
  t.match(header!, /; Path=\/(;|$)/);
  t.notMatch(header!, /; Domain=/i, 'no Domain: only this host gets it');
  t.notMatch(header!, /; Secure/i, 'not Secure outside production (plain http on a laptop)');
  const csrf = setCookie(form, 'tasters-csrf');
  t.ok(csrf, 'the CSRF secret has its own cookie');
  t.match(csrf!, /; HttpOnly/i);
  t.match(csrf!, /; SameSite=Lax/i);
});

t.test('the session cookie is set once, at sign-in, to last until the absolute expiry; pages do not send it again', async (t) => {
  const app = await buildTestApp(t, database);
  const user = await createUser(db, 'link_worker');
  const visitor = new Visitor(app);
  await visitor.get('/sign-in');
  const response = await visitor.post('/sign-in', { email: user.email, password: PASSWORD });
  const header = setCookie(response, SESSION);
  t.ok(header, 'signing in sets the session cookie');
  const expires = new Date(/; Expires=([^;]+)/i.exec(header!)?.[1] ?? 'none').getTime();
  const hours = (expires - Date.now()) / 3_600_000;
  t.ok(hours > 11.9 && hours <= 12, `it lasts as long as the absolute expiry, 12 hours (${hours.toFixed(2)}); the idle end is kept in the database`);
  for (const path of ['/account', '/find', '/my-bookings']) {
    const page = await visitor.get(path);
    t.equal(page.statusCode, 200, `${path} is shown`);
    t.notOk(setCookie(page, SESSION), `${path} does not send the session cookie again (nor sign it afresh)`);
  }
  // The database still ends an idle session, whatever the cookie says.
  await db
    .updateTable('loginSessions')
    .set({ idleExpiresAt: new Date(Date.now() - 1000) })
    .where('userId', '=', user.id)
    .execute();
  t.notOk(await signedIn(visitor), 'an idle session is refused although the cookie is still kept');
});

t.test('in production the cookies are Secure with the __Host- prefix, behind the HTTPS load balancer', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tasters-production-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  // The configuration a real deployment would have: only what the README asks for is set.
  const config = loadConfig({
    NODE_ENV: 'production',
    BASE_URL: 'https://tasters.example',
    SESSION_SECRET: 'a-production-secret-of-at-least-32-characters',
    DATA_DIR: dataDir,
    SMTP_URL: 'smtp://mail.tasters.example:587',
    LOG_LEVEL: 'silent',
  });
  const app = await buildApp({ config, db });
  validateEveryHtmlResponse(t, app);
  t.teardown(() => app.close());
  const user = await createUser(db, 'link_worker');
  // TLS ends at the load balancer, which tells the app so.
  const headers = { host: 'tasters.example', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' };
  const form = await app.inject({ method: 'GET', url: '/sign-in', headers });
  t.equal(form.statusCode, 200);
  const csrfHeader = setCookie(form, '__Host-tasters-csrf');
  t.ok(csrfHeader, 'the CSRF cookie has the __Host- prefix');
  t.match(csrfHeader!, /; Secure/i);
  t.match(csrfHeader!, /; Path=\/(;|$)/);
  t.notMatch(csrfHeader!, /; Domain=/i);
  const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
  const csrfCookie = form.cookies.find((c: { name: string }) => c.name === '__Host-tasters-csrf') as { value: string };

  const response = await app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://tasters.example' },
    cookies: { '__Host-tasters-csrf': csrfCookie.value },
    payload: new URLSearchParams({ email: user.email, password: PASSWORD, _csrf: token }).toString(),
  });
  t.equal(response.statusCode, 303, 'signs in');
  const session = setCookie(response, '__Host-tasters-session');
  t.ok(session, 'the session cookie has the __Host- prefix');
  t.match(session!, /; Secure/i);
  t.match(session!, /; HttpOnly/i);
  t.match(session!, /; SameSite=Lax/i);
  t.match(session!, /; Path=\/(;|$)/);
  t.notMatch(session!, /; Domain=/i);
  t.equal(setCookie(response, SESSION), undefined, 'no unprefixed cookie');
  t.match(String(response.headers['strict-transport-security']), /max-age=\d+/, 'HSTS in production');

  const sessionValue = (response.cookies.find((c: { name: string }) => c.name === '__Host-tasters-session') as { value: string }).value;
  const account = await app.inject({ method: 'GET', url: '/account', headers, cookies: { '__Host-tasters-session': sessionValue } });
  t.equal(account.statusCode, 200, 'the session works on the next request');
  const attempt = await db.selectFrom('signInAttempts').select('address').where('email', '=', user.email).executeTakeFirstOrThrow();
  t.equal(attempt.address, '203.0.113.7', "the attempt is counted against the visitor's address, not the load balancer's");
});
