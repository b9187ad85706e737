import t from 'tap';
import { tellShortSessions } from '../../src/minimum/service.ts';
import { createBooking, createTaster, createUser } from '../fixtures/builders.ts';
import { databaseDigest } from '../fixtures/database.ts';
import { HOSTILE_VALUES } from '../fixtures/hostile.ts';
import { HOUR } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError } from '../helper.ts';

/**
 * A minimum to run (issue 16): a session can need some bookings to go ahead; at the check time
 * (MINIMUM_CHECK_HOURS before, 72 in the tests' configuration) its staff are told once if it is
 * short, the dashboard marks it at risk, and they run it anyway or cancel it.
 */
const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());

const CHECK_HOURS = 72;
const inHours = (hours: number) => {
  const startsAt = new Date(Date.now() + hours * HOUR);
  return { startsAt, endsAt: new Date(startsAt.getTime() + 2 * HOUR), bookingClosesAt: new Date(startsAt.getTime() - HOUR) };
};

async function bookings(sessionId: string, howMany: number) {
  for (let i = 0; i < howMany; i++) await createBooking(db, sessionId, (await createUser(db, 'link_worker')).id);
}

const minimumOf = async (sessionId: string) =>
  await db.selectFrom('tasterSessions').select(['minimumBookings', 'runAnywayAt']).where('id', '=', sessionId).executeTakeFirstOrThrow();

t.test('staff set a minimum on the session page; bad values get a message and change nothing', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 8, ...inHours(24 * 10) });
  const staff = await signedIn(app, db, 'provider', { organisationId: taster.organisationId });
  const page = await staff.visitor.get(`/sessions/${taster.sessionId}`);
  t.match(page.body, /No minimum: it runs however many book/);

  const saved = await staff.visitor.post(`/sessions/${taster.sessionId}/minimum`, { minimumBookings: '4' });
  t.equal(saved.statusCode, 303);
  t.equal((await minimumOf(taster.sessionId)).minimumBookings, 4);

  const before = await databaseDigest(db);
  for (const [value, message] of [
    ['four', 'Enter the bookings needed as a whole number, like 4, or leave it empty'],
    ['2.5', 'Enter the bookings needed as a whole number, like 4, or leave it empty'],
    ['0', 'Enter 1 or more, or leave it empty for no minimum'],
    ['-1', 'Enter 1 or more, or leave it empty for no minimum'],
    ['9', 'The session has 8 places: enter 8 or fewer'],
    ['1'.repeat(300), 'Enter the bookings needed as a whole number, like 4, or leave it empty'],
    ...HOSTILE_VALUES.map((hostile) => [hostile, 'Enter the bookings needed as a whole number, like 4, or leave it empty']),
  ] as const) {
    const refused = await staff.visitor.post(`/sessions/${taster.sessionId}/minimum`, { minimumBookings: value });
    t.equal(refused.statusCode, 400, JSON.stringify(value).slice(0, 40));
    t.equal(fieldError(refused.body, 'minimumBookings'), message);
    t.same(errorSummary(refused.body), [`minimumBookings: ${message}`]);
    t.notMatch(refused.body, /<img src=x|<div hx-get="\/x"/, 'shown as text');
  }
  const nul = await staff.visitor.post(`/sessions/${taster.sessionId}/minimum`, { minimumBookings: '4\u0000' });
  t.equal(nul.statusCode, 400, 'a NUL byte: refused');
  t.same(await databaseDigest(db), before, 'nothing changed');

  const cleared = await staff.visitor.post(`/sessions/${taster.sessionId}/minimum`, { minimumBookings: '' });
  t.equal(cleared.statusCode, 303, 'left empty: no minimum');
  t.equal((await minimumOf(taster.sessionId)).minimumBookings, null);

  const outsider = await signedIn(app, db, 'provider');
  t.equal((await outsider.visitor.post(`/sessions/${taster.sessionId}/minimum`, { minimumBookings: '2' })).statusCode, 404);
  const linkWorker = await signedIn(app, db, 'link_worker');
  t.equal((await linkWorker.visitor.post(`/sessions/${taster.sessionId}/minimum`, { minimumBookings: '2' })).statusCode, 403);
  t.equal((await minimumOf(taster.sessionId)).minimumBookings, null, 'nobody else changed it');
});

t.test('at the check time a short session’s staff are told once; the dashboard marks it at risk', async (t) => {
  const app = await buildTestApp(t, database);
  const short = await createTaster(db, { capacity: 10, minimumBookings: 4, ...inHours(CHECK_HOURS - 2) });
  const enough = await createTaster(db, { capacity: 10, minimumBookings: 2, ...inHours(CHECK_HOURS - 2) });
  const later = await createTaster(db, { capacity: 10, minimumBookings: 4, ...inHours(CHECK_HOURS + 24) });
  await bookings(short.sessionId, 1);
  await bookings(enough.sessionId, 2);
  const amira = await createUser(db, 'provider', { organisationId: short.organisationId });
  const tom = await createUser(db, 'provider', { organisationId: short.organisationId });

  const now = new Date();
  const queued = await tellShortSessions(db, { now, hours: CHECK_HOURS, baseUrl: 'http://localhost:3000' });
  const told = await db.selectFrom('outboxMessages').select(['recipientEmail', 'subject', 'textBody']).where('kind', '=', 'session_below_minimum').execute();
  const aboutShort = told.filter((m) => m.textBody?.includes(`/sessions/${short.sessionId}`));
  t.same(aboutShort.map((m) => m.recipientEmail).sort(), [amira.email, tom.email].sort(), 'each of its staff is told');
  t.match(aboutShort[0]!.textBody, /needs 4 bookings to run, and 1 person has booked/);
  t.notOk(
    told.some((m) => m.textBody?.includes(`/sessions/${enough.sessionId}`) || m.textBody?.includes(`/sessions/${later.sessionId}`)),
    'not the session with enough, nor one not yet at its check time',
  );
  t.ok(queued >= 2);
  t.equal(await tellShortSessions(db, { now, hours: CHECK_HOURS, baseUrl: 'http://localhost:3000' }), 0, 'running again tells nobody twice');

  const staff = await signedIn(app, db, amira);
  const dashboard = await staff.visitor.get('/provider');
  t.match(dashboard.body, new RegExp(`id="at-risk-${short.sessionId}"`), 'the dashboard marks it at risk');
  t.notMatch(dashboard.body, new RegExp(`id="at-risk-${later.sessionId}"`), 'not before its check time');
  const page = await staff.visitor.get(`/sessions/${short.sessionId}`);
  t.match(page.body, /At risk: short of its minimum/);

  const anyway = await staff.visitor.post(`/sessions/${short.sessionId}/run-anyway`);
  t.equal(anyway.statusCode, 303);
  t.ok((await minimumOf(short.sessionId)).runAnywayAt, 'the choice is kept');
  t.notMatch((await staff.visitor.get('/provider')).body, new RegExp(`id="at-risk-${short.sessionId}"`), 'no longer at risk');
});

t.test('a short session can be cancelled instead: the existing cancellation emails go out', async (t) => {
  const app = await buildTestApp(t, database);
  const short = await createTaster(db, { capacity: 10, minimumBookings: 5, ...inHours(CHECK_HOURS - 10) });
  await bookings(short.sessionId, 2);
  const staff = await signedIn(app, db, 'provider', { organisationId: short.organisationId });
  const page = await staff.visitor.get(`/sessions/${short.sessionId}`);
  t.match(page.body, new RegExp(`href="/sessions/${short.sessionId}/cancel">Cancel the session`));
  const cancelled = await staff.visitor.post(`/sessions/${short.sessionId}/cancel`, { reason: 'Not enough bookings to run it' });
  t.equal(cancelled.statusCode, 303);
  const booked = await db.selectFrom('bookings').select('id').where('tasterSessionId', '=', short.sessionId).execute();
  const emails = await db
    .selectFrom('outboxMessages')
    .select('id')
    .where(
      'dedupeKey',
      'in',
      booked.map((b) => `session_cancelled:${b.id}`),
    )
    .execute();
  t.equal(emails.length, 2, 'everyone booked is told');
});
