import t from 'tap';
import { redactUrl } from '../../src/app.ts';
import { releaseToken } from '../../src/bookings/release.ts';
import { testConfig } from '../../src/config.ts';
import { createTaster, createUser } from '../fixtures/builders.ts';
import { databaseDigest } from '../fixtures/database.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());
const SECRET = testConfig().sessionSecret;

/** Two people book one place through the app: the first has it, the second waits. */
async function fullSession(app: Awaited<ReturnType<typeof buildTestApp>>) {
  const taster = await createTaster(db, { capacity: 1, title: 'Watercolour taster' });
  const people = [];
  for (const name of ['First', 'Second', 'Third']) {
    const user = await createUser(db, 'link_worker', { name });
    const { visitor } = await signedIn(app, db, user);
    const response = await visitor.post(`/sessions/${taster.sessionId}/book`, {});
    people.push({ user, bookingId: String(response.headers.location).split('/').pop()! });
  }
  return { taster, people };
}

const status = async (bookingId: string) => (await db.selectFrom('bookings').select('status').where('id', '=', bookingId).executeTakeFirstOrThrow()).status;

t.test('the link in a reminder releases the place once, without signing in, and the next person gets it', async (t) => {
  const app = await buildTestApp(t, database);
  const { people } = await fullSession(app);
  const [first, second, third] = people;
  const visitor = new Visitor(app);
  const path = `/release-place/${releaseToken(SECRET, first!.bookingId)}`;

  const page = await visitor.get(path);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Release your place');
  t.match(page.body, /Watercolour taster/);
  t.match(page.body, /<button[^>]*>Release my place<\/button>/);
  t.equal(await status(first!.bookingId), 'confirmed', 'looking at the page changes nothing');

  const refusedWithoutToken = await visitor.post(path, {}, { csrf: false });
  t.equal(refusedWithoutToken.statusCode, 403, 'the form needs its CSRF token like any other');
  t.equal(await status(first!.bookingId), 'confirmed');

  const done = await visitor.post(path, {});
  t.equal(done.statusCode, 200);
  t.equal(heading(done.body), 'Your place has been released');
  t.equal(await status(first!.bookingId), 'cancelled');
  t.equal(await status(second!.bookingId), 'confirmed', 'the longest-waiting person has the place');
  t.equal(await status(third!.bookingId), 'waitlisted');

  const audit = await db
    .selectFrom('auditEvents')
    .select(['action', 'actorId', 'subjectId'])
    .where('subjectId', 'in', [first!.bookingId, second!.bookingId])
    .orderBy('id')
    .execute();
  t.same(
    audit.filter((e) => e.action !== 'booking_confirmed' && e.action !== 'booking_waitlisted'),
    [
      { action: 'booking_cancelled', actorId: first!.user.id, subjectId: first!.bookingId },
      { action: 'booking_promoted', actorId: first!.user.id, subjectId: second!.bookingId },
    ],
    'the booking feature’s own cancel path: one cancellation and one promotion in the audit trail',
  );
  const messages = await db
    .selectFrom('outboxMessages')
    .select(['dedupeKey'])
    .where('dedupeKey', 'in', [`booking_cancelled:${first!.bookingId}`, `booking_promoted:${second!.bookingId}`])
    .execute();
  t.equal(messages.length, 2, 'the person who left and the person promoted are both told');

  const before = await databaseDigest(db);
  const again = await visitor.post(path, {});
  t.equal(again.statusCode, 410, 'the link works once');
  t.equal(heading(again.body), 'This place has already been released');
  t.equal((await visitor.get(path)).statusCode, 410);
  t.same(await databaseDigest(db), before, 'nothing changed the second time');
});

t.test('a release link opens only its own booking: altered or made-up links do nothing', async (t) => {
  const app = await buildTestApp(t, database);
  const { people } = await fullSession(app);
  const [first, second] = people;
  const own = releaseToken(SECRET, first!.bookingId);
  const signature = own.split('.')[1]!;
  const visitor = new Visitor(app);
  const before = await databaseDigest(db);
  const attempts = [
    `${second!.bookingId}.${signature}`, // someone else's booking with this link's signature
    `${first!.bookingId}.${'A'.repeat(43)}`, // a made-up signature
    releaseToken('another-secret-entirely-long-enough', first!.bookingId), // signed with the wrong secret
    first!.bookingId, // no signature
    'x'.repeat(90),
  ];
  for (const token of attempts) {
    const get = await visitor.get(`/release-place/${encodeURIComponent(token)}`);
    t.equal(get.statusCode, 404, `GET ${token.slice(0, 50)}…`);
    t.equal(heading(get.body), 'This link does not work');
    await visitor.get(`/release-place/${own}`); // a real page, for a CSRF token
    const post = await visitor.post(`/release-place/${encodeURIComponent(token)}`, {});
    t.equal(post.statusCode, 404, `POST ${token.slice(0, 50)}…`);
  }
  t.equal((await visitor.get(`/release-place/${'x'.repeat(300)}`)).statusCode, 404, 'an over-long link is not found either');
  t.same(await databaseDigest(db), before, 'nothing changed');
  t.equal(await status(first!.bookingId), 'confirmed');
  t.equal(await status(second!.bookingId), 'waitlisted');
});

t.test('once the session has started, the link says it is too late', async (t) => {
  const app = await buildTestApp(t, database);
  const { taster, people } = await fullSession(app);
  await db
    .updateTable('tasterSessions')
    .set({ startsAt: new Date(Date.now() - 60_000), bookingClosesAt: new Date(Date.now() - 120_000) })
    .where('id', '=', taster.sessionId)
    .execute();
  const visitor = new Visitor(app);
  const path = `/release-place/${releaseToken(SECRET, people[0]!.bookingId)}`;
  const page = await visitor.get(path);
  t.equal(page.statusCode, 409);
  t.equal(heading(page.body), 'This session has already started');
  await visitor.get('/sign-in');
  const post = await visitor.post(path, {});
  t.equal(post.statusCode, 409);
  t.equal(await status(people[0]!.bookingId), 'confirmed');
});

t.test('the link is a credential, so it never reaches the log', async (t) => {
  const token = releaseToken(SECRET, '4f1c1e7a-1d2b-4c3d-9e8f-0a1b2c3d4e5f');
  t.equal(redactUrl(`/release-place/${token}`), '/release-place/[redacted]');
  t.equal(redactUrl(`/release-place/${token}?x=1`), '/release-place/[redacted]?x=1');
});
