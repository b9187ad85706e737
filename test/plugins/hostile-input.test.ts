import { sql } from 'kysely';
import t from 'tap';
import { rowCounts, uniqueEmail } from '../fixtures/accounts.ts';
import { createOffer, createOrganisation, createSession, createUser, createVenue } from '../fixtures/builders.ts';
import { databaseDigest } from '../fixtures/database.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';

/**
 * The edge (plugins/hostile-input.ts) and the error handler's safety net: hostile bytes in an
 * address, in a field no schema reads, or in text that is not UTF-8 get a 400 page and change
 * nothing; a database refusal or a failure on hostile input is a 400, never a 500.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const HIDDEN_TITLE = 'What you sent has characters the service cannot accept';

const app = await buildTestApp(t, database);
app.get('/test-only/echo', { config: { checksFields: true } }, async (request) => {
  // A route that forgot its schema: the value goes straight to the database.
  const { text } = request.query as { text: string };
  return (await sql<{ text: string }>`select ${text}::text as text`.execute(db)).rows[0];
});
app.post('/test-only/fails', { config: { checksFields: true } }, async () => {
  throw new Error('a route that falls over on what it was sent');
});
await app.ready();

const organisation = await createOrganisation(db);
const provider = await createUser(db, 'provider', { organisationId: organisation.id });
const coordinator = await createUser(db, 'coordinator');
const linkWorker = await createUser(db, 'link_worker');
const offer = await createOffer(db, organisation.id);
const draft = await createSession(db, offer.id, { venueId: (await createVenue(db, organisation.id)).id, status: 'draft' });

t.test('hostile bytes in an address are a 400 page, signed in or not', async (t) => {
  const { visitor: staff } = await signedIn(app, db, provider);
  for (const url of ['/people/%00', `/sessions/${draft.id}%00/edit`, '/sessions/%1B%5B31m/edit', '/invitations/%C2%85abc', '/offers/abc%09def']) {
    for (const visitor of [staff, new Visitor(app)]) {
      const response = await visitor.get(url);
      t.equal(response.statusCode, 400, `${url.slice(0, 40)}: 400`);
      t.equal(heading(response.body), 'This page address is not right', `${url.slice(0, 40)}: a page that says so`);
    }
  }
});

t.test('hostile bytes in a field no schema reads are refused at the edge', async (t) => {
  const { visitor } = await signedIn(app, db, linkWorker);
  for (const url of ['/account?done=%00', '/my-bookings?x=%07', '/account?%00=1', '/find?q%00=singing', '/help?x=%C2%9B']) {
    const response = await visitor.get(url);
    t.equal(response.statusCode, 400, `${url}: 400`);
    t.equal(heading(response.body), HIDDEN_TITLE, `${url}: says what is wrong`);
    t.match(response.body, /type the text again rather than pasting it/, `${url}: and what to do`);
  }
  const long = await visitor.get(`/account?x=${'y'.repeat(20_000)}`);
  t.equal(long.statusCode, 400, 'a value longer than any field takes');
  t.equal(heading(long.body), 'What you sent is too long');
});

t.test('a button that takes no fields refuses a hostile one and does nothing', async (t) => {
  const { visitor } = await signedIn(app, db, provider);
  await visitor.get(`/sessions/${draft.id}`);
  const before = await databaseDigest(db);
  for (const extra of ['\u0000', '\u001b[2J', 'rm\u007f']) {
    const response = await visitor.post(`/sessions/${draft.id}/publish`, { note: extra });
    t.equal(response.statusCode, 400, `${JSON.stringify(extra)}: 400`);
    t.equal(heading(response.body), HIDDEN_TITLE, `${JSON.stringify(extra)}: says what is wrong`);
  }
  t.same(await databaseDigest(db), before, 'nothing changed: the session is still a draft');
  const published = await visitor.post(`/sessions/${draft.id}/publish`, {});
  t.equal(published.statusCode, 303, 'the same button without the hostile field works');
});

t.test('a form field the schema does not know, with hidden characters, stops the whole form', async (t) => {
  const visitor = new Visitor(app);
  await visitor.get('/register');
  const counts = await rowCounts(db);
  const before = await databaseDigest(db);
  const email = uniqueEmail('extra');
  const form = {
    name: 'Extra Field',
    email,
    practice: 'Test Surgery',
    pcn: 'Test PCN',
    password: 'a long enough password',
    confirmPassword: 'a long enough password',
  };
  const extras: Array<Record<string, string>> = [
    { sneaky: 'a\u0000b' },
    { confirmPassword: 'a long enough password\u0000' },
    { returnTo: `/${'x'.repeat(20_000)}` },
  ];
  for (const extra of extras) {
    const response = await visitor.post('/register', { ...form, ...extra });
    t.equal(response.statusCode, 400, `${Object.keys(extra)[0]}: 400`);
  }
  t.same(await rowCounts(db), counts, 'no account, link or email');
  t.same(await databaseDigest(db), before, 'nothing stored');
});

t.test('text that is not UTF-8 is refused, in the address and in a form', async (t) => {
  const { visitor } = await signedIn(app, db, coordinator);
  for (const url of ['/find?q=%ED%A0%80', '/find?q=%FF', '/audit?person=%E0%A4%A']) {
    const response = await visitor.get(url);
    t.equal(response.statusCode, 400, `${url}: 400`);
    t.equal(heading(response.body), 'What you sent could not be read', `${url}: says so`);
  }
  const signedOut = new Visitor(app);
  await signedOut.get('/register');
  const before = await databaseDigest(db);
  const response = await app.inject({
    method: 'POST',
    url: '/register',
    cookies: signedOut.cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `_csrf=${encodeURIComponent(signedOut.csrfToken)}&name=%ED%A0%80&email=${encodeURIComponent(uniqueEmail('utf'))}&practice=x&pcn=y&password=a+long+enough+password&confirmPassword=a+long+enough+password`,
  });
  t.equal(response.statusCode, 400);
  t.equal(heading(response.body), 'What you sent could not be read');
  t.same(await databaseDigest(db), before, 'nothing stored');
});

t.test('the safety net: what still reaches the database, or breaks a route, is a 400 page', async (t) => {
  const refused = await app.inject({ method: 'GET', url: '/test-only/echo?text=a%00b' });
  t.equal(refused.statusCode, 400, 'PostgreSQL refused the NUL byte: a 400, not a 500');
  t.equal(heading(refused.body), 'The request could not be understood');
  t.notMatch(refused.body, /invalid byte sequence|22021/, 'nothing of the database error on the page');
  const fine = await app.inject({ method: 'GET', url: '/test-only/echo?text=plain' });
  t.same(fine.json(), { text: 'plain' }, 'plain text goes through');

  const hostile = await app.inject({
    method: 'POST',
    url: '/test-only/fails',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'x=%00',
  });
  t.equal(hostile.statusCode, 400, 'a failure on a request carrying a NUL byte is answered as bad input');
  const clean = await app.inject({ method: 'POST', url: '/test-only/fails', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'x=1' });
  t.equal(clean.statusCode, 500, 'a failure on clean input is still a failure');
});
