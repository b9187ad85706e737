import { sql } from 'kysely';
import t from 'tap';
import { book, cancel } from '../../src/bookings/service.ts';
import type { Db } from '../../src/db/database.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { keepPlaces, promoteAtRelease } from '../../src/reservations/service.ts';
import { createOffer, createOrganisation, createSession, createTaster, createUser, type TestUser } from '../fixtures/builders.ts';
import { checkFormRejectsBadInput } from '../fixtures/forms.ts';
import { at, daysFromNow } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError } from '../helper.ts';

/**
 * Places kept for PCNs (issue 16): held for one PCN's link workers, released to everyone at a time
 * computed from the session's start, and the waiting list's order on both sides of the release.
 * Time "passes" by moving the release: a hold of N days on a session 10 days away is in force
 * while N < 10 and released once N > 10.
 */
const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());

const BANBURY = 'Banbury PCN';
const OTHER = 'Cherwell PCN';

const coordinator = { id: '', role: 'coordinator' as const, organisationId: null };

async function people(pcn: string, howMany: number): Promise<TestUser[]> {
  const made: TestUser[] = [];
  for (let i = 0; i < howMany; i++) made.push(await createUser(db, 'link_worker', { pcn }));
  return made;
}

async function keep(sessionId: string, places: number, releaseDays = 2, pcn = BANBURY, wholeSeries = false) {
  const actor = await createUser(db, 'coordinator');
  return inTransaction(db, (tx) => keepPlaces(tx, { ...coordinator, id: actor.id }, { sessionId, pcn, places, releaseDays, wholeSeries }));
}

const bookAs = (person: TestUser, sessionId: string) => book(db, { id: person.id }, sessionId, { confidenceBefore: null });
const cancelAs = (person: TestUser, bookingId: string) => inTransaction(db, (tx) => cancel(tx, { id: person.id }, bookingId));

async function statusOf(bookingId: string) {
  const row = await db.selectFrom('bookings').select(['status', 'reservationId']).where('id', '=', bookingId).executeTakeFirstOrThrow();
  return row;
}

/** Lets the hold's release time pass, as if the days had gone by. */
async function release(sessionId: string) {
  await db.updateTable('sessionReservations').set({ releaseDays: 20 }).where('tasterSessionId', '=', sessionId).execute();
}

async function heldTaken(sessionId: string): Promise<number[]> {
  const rows = await sql<{ taken: number; places: number }>`
    select r.places, (select count(*)::int from bookings b where b.reservation_id = r.id and b.status = 'confirmed') as taken
    from session_reservations r where r.taster_session_id = ${sessionId}::uuid`.execute(db as Db);
  return rows.rows.map((r) => r.places - r.taken);
}

t.test('held places go only to their PCN until the release; others wait', async (t) => {
  const taster = await createTaster(db, { capacity: 4, startsAt: at(10, 14) });
  await keep(taster.sessionId, 2);
  const [o1, o2, o3] = await people(OTHER, 3);
  const [b1] = await people(BANBURY, 1);

  t.equal((await bookAs(o1!, taster.sessionId)).status, 'confirmed');
  t.equal((await bookAs(o2!, taster.sessionId)).status, 'confirmed');
  const third = await bookAs(o3!, taster.sessionId);
  t.equal(third.status, 'waitlisted', 'the two places left are kept for Banbury: someone else waits');
  const banbury = await bookAs(b1!, taster.sessionId);
  t.equal(banbury.status, 'confirmed', 'a Banbury link worker takes a kept place');
  t.ok((await statusOf(banbury.bookingId)).reservationId, 'the booking names the hold it took');
  t.same(await heldTaken(taster.sessionId), [1], 'one kept place still free');
});

t.test('find and the session page show a link worker the places they can book', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 3, startsAt: at(10, 14), title: `Clay modelling ${Date.now()}` });
  await keep(taster.sessionId, 2);
  const other = await signedIn(app, db, 'link_worker', { pcn: OTHER });
  const banbury = await signedIn(app, db, 'link_worker', { pcn: 'banbury pcn ' });

  const otherPage = await other.visitor.get(`/sessions/${taster.sessionId}`);
  t.match(otherPage.body, /1 place left/, 'someone of another PCN sees one place');
  const banburyPage = await banbury.visitor.get(`/sessions/${taster.sessionId}`);
  t.match(banburyPage.body, /3 places left/, 'a Banbury link worker (PCN typed in another case) sees all three');
  t.match(banburyPage.body, /2 places are of these kept for link workers of Banbury PCN until/);

  const search = `/find?q=${encodeURIComponent(taster.title)}&available=yes`;
  t.match((await banbury.visitor.get(search)).body, /3 places left/);
  t.match((await other.visitor.get(search)).body, /1 place left/);

  const o = await bookAs(other.user, taster.sessionId);
  t.equal(o.status, 'confirmed');
  const another = await signedIn(app, db, 'link_worker', { pcn: OTHER });
  const full = await another.visitor.get(`/sessions/${taster.sessionId}`);
  t.match(full.body, /This session is full for you: the places left are kept for link workers of other PCNs/);
  t.match(full.body, /Join the waiting list/);
  t.notMatch((await another.visitor.get(search)).body, `/sessions/${taster.sessionId}/book`, 'not among sessions with places for them');
  t.match((await banbury.visitor.get(search)).body, /2 places left/);
});

t.test('at the release time held places become general: booking sees it at once, the waiting go first', async (t) => {
  const taster = await createTaster(db, { capacity: 3, startsAt: at(10, 14) });
  await keep(taster.sessionId, 2);
  const [o1, o2, o3, o4] = await people(OTHER, 4);
  t.equal((await bookAs(o1!, taster.sessionId)).status, 'confirmed');
  const w2 = await bookAs(o2!, taster.sessionId);
  const w3 = await bookAs(o3!, taster.sessionId);
  t.same([w2.status, w3.status], ['waitlisted', 'waitlisted']);

  await release(taster.sessionId);
  // No job has run: the next booking itself promotes the people waiting, in order, before it is made.
  const late = await bookAs(o4!, taster.sessionId);
  t.equal(late.status, 'waitlisted', 'someone new comes after the people already waiting');
  t.equal((await statusOf(w2.bookingId)).status, 'confirmed', 'first waiting promoted');
  t.equal((await statusOf(w3.bookingId)).status, 'confirmed', 'second waiting promoted');
  const emails = await db
    .selectFrom('outboxMessages')
    .select('dedupeKey')
    .where('dedupeKey', 'in', [`booking_promoted:${w2.bookingId}`, `booking_promoted:${w3.bookingId}`])
    .execute();
  t.equal(emails.length, 2, 'each promoted person is emailed once');
});

t.test('the release job promotes at the release, and running it again changes nothing', async (t) => {
  const taster = await createTaster(db, { capacity: 2, startsAt: at(10, 14) });
  await keep(taster.sessionId, 1);
  const [o1, o2, o3] = await people(OTHER, 3);
  await bookAs(o1!, taster.sessionId);
  const w2 = await bookAs(o2!, taster.sessionId);
  const w3 = await bookAs(o3!, taster.sessionId);
  t.equal(await promoteAtRelease(db, new Date()), 0, 'before the release nobody is promoted');
  t.equal((await statusOf(w2.bookingId)).status, 'waitlisted');

  await release(taster.sessionId);
  t.equal(await promoteAtRelease(db, new Date()), 1, 'one released place, one promotion');
  t.equal((await statusOf(w2.bookingId)).status, 'confirmed', 'the longest-waiting person');
  t.equal((await statusOf(w3.bookingId)).status, 'waitlisted');
  t.equal(await promoteAtRelease(db, new Date()), 0, 'idempotent');
  const confirmed = await db.selectFrom('bookings').select('id').where('tasterSessionId', '=', taster.sessionId).where('status', '=', 'confirmed').execute();
  t.equal(confirmed.length, 2, 'never more than the capacity');
});

t.test('the waiting list across the release: a freed held place goes to the PCN, a freed general place to the next waiting', async (t) => {
  const taster = await createTaster(db, { capacity: 3, startsAt: at(10, 14) });
  await keep(taster.sessionId, 1);
  const [o1, o2, o3, o4] = await people(OTHER, 4);
  const [b1, b2] = await people(BANBURY, 2);
  const first = await bookAs(o1!, taster.sessionId);
  await bookAs(o2!, taster.sessionId);
  const heldBooking = await bookAs(b1!, taster.sessionId);
  const w3 = await bookAs(o3!, taster.sessionId);
  const w4 = await bookAs(o4!, taster.sessionId);
  const wb2 = await bookAs(b2!, taster.sessionId);
  t.same([heldBooking.status, w3.status, w4.status, wb2.status], ['confirmed', 'waitlisted', 'waitlisted', 'waitlisted']);

  await cancelAs(b1!, heldBooking.bookingId);
  t.equal((await statusOf(wb2.bookingId)).status, 'confirmed', 'the freed held place goes to the next Banbury person, though others waited longer');
  t.equal((await statusOf(w3.bookingId)).status, 'waitlisted');

  await cancelAs(o1!, first.bookingId);
  t.equal((await statusOf(w3.bookingId)).status, 'confirmed', 'a freed general place goes to the longest-waiting person');
  t.equal((await statusOf(w4.bookingId)).status, 'waitlisted');

  await cancelAs(b2!, wb2.bookingId);
  t.equal((await statusOf(w4.bookingId)).status, 'waitlisted', 'with nobody from Banbury waiting, the held place stays held');
  t.same(await heldTaken(taster.sessionId), [1]);

  await release(taster.sessionId);
  t.equal(await promoteAtRelease(db, new Date()), 1);
  t.equal((await statusOf(w4.bookingId)).status, 'confirmed', 'at the release the held place goes to the next waiting person');
  t.same(await heldTaken(taster.sessionId), [1], 'released: it no longer counts as held');
});

t.test('a hold fits only in free places, counts the PCN places already booked, and once per PCN', async (t) => {
  const taster = await createTaster(db, { capacity: 4, startsAt: at(10, 14) });
  const [o1, o2] = await people(OTHER, 2);
  const [b1] = await people(BANBURY, 1);
  await bookAs(o1!, taster.sessionId);
  await bookAs(o2!, taster.sessionId);
  const b = await bookAs(b1!, taster.sessionId);
  await t.rejects(keep(taster.sessionId, 3), { code: 'not_enough_places' }, 'one place free, plus the one Banbury has: at most 2');
  await keep(taster.sessionId, 2);
  t.ok((await statusOf(b.bookingId)).reservationId, 'the Banbury booking moved into the hold');
  t.same(await heldTaken(taster.sessionId), [1]);
  await t.rejects(keep(taster.sessionId, 1), { code: 'pcn_already_held' });
});

t.test('coordinators offer places through the form, reached from the coverage report with the PCN chosen', async (t) => {
  const app = await buildTestApp(t, database);
  await people('Nowhere Else PCN', 1);
  const org = await createOrganisation(db);
  const offer = await createOffer(db, org.id, { title: 'Weekly drawing' });
  const seriesId = crypto.randomUUID();
  const sessions = [];
  for (const days of [8, 15, 22]) sessions.push(await createSession(db, offer.id, { startsAt: at(days, 10), capacity: 6, seriesId }));
  const c = await signedIn(app, db, 'coordinator');

  const report = await c.visitor.get('/reports');
  t.equal(report.statusCode, 200);
  t.match(report.body, /href="\/reservations\/new\?pcn=Nowhere%20Else%20PCN"/, 'the coverage list links to the form for that PCN');
  t.notMatch(report.body, /a place is open to every link worker/, 'the report no longer says every place is open to everyone');
  t.match(
    report.body,
    /Places offered and the fill rate are not shown by PCN: most places are open to every link worker, but a session can keep some for one PCN until they are released to everyone\./,
  );
  const form = await c.visitor.get('/reservations/new?pcn=Nowhere%20Else%20PCN');
  t.equal(form.statusCode, 200);
  t.match(form.body, /<option value="Nowhere Else PCN" selected>/, 'the PCN is chosen');

  const done = await c.visitor.post('/reservations', {
    sessionId: sessions[1]!.id,
    pcn: 'Nowhere Else PCN',
    places: '2',
    releaseDays: '3',
    wholeSeries: 'yes',
  });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, `/sessions/${sessions[1]!.id}?done=places-kept-series`);
  const holds = await db.selectFrom('sessionReservations').select(['tasterSessionId', 'places', 'releaseDays']).where('pcn', '=', 'Nowhere Else PCN').execute();
  t.same(
    holds.map((h) => h.tasterSessionId).sort(),
    [sessions[1]!.id, sessions[2]!.id].sort(),
    'this session and every later one of the series, not the earlier',
  );
  const page = await c.visitor.get(done.headers.location as string);
  t.match(page.body, /2 places for Nowhere Else PCN \(0 booked by its link workers\):\s+kept until/);

  const hold = await db.selectFrom('sessionReservations').select('id').where('tasterSessionId', '=', sessions[1]!.id).executeTakeFirstOrThrow();
  const back = await c.visitor.post(`/reservations/${hold.id}/give-back`);
  t.equal(back.statusCode, 303);
  t.equal(await db.selectFrom('sessionReservations').select('id').where('id', '=', hold.id).executeTakeFirst(), undefined, 'given back');
});

t.test('giving places back hands them to the people waiting at once', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 1, startsAt: at(10, 14) });
  await keep(taster.sessionId, 1);
  const [o1] = await people(OTHER, 1);
  const w = await bookAs(o1!, taster.sessionId);
  t.equal(w.status, 'waitlisted');
  const staff = await signedIn(app, db, 'provider', { organisationId: taster.organisationId });
  const hold = await db.selectFrom('sessionReservations').select('id').where('tasterSessionId', '=', taster.sessionId).executeTakeFirstOrThrow();
  const outsider = await signedIn(app, db, 'provider');
  t.equal((await outsider.visitor.post(`/reservations/${hold.id}/give-back`)).statusCode, 404, 'another organisation: not found');
  const linkWorker = await signedIn(app, db, 'link_worker');
  t.equal((await linkWorker.visitor.post(`/reservations/${hold.id}/give-back`)).statusCode, 403);
  t.equal((await staff.visitor.post(`/reservations/${hold.id}/give-back`)).statusCode, 303);
  t.equal((await statusOf(w.bookingId)).status, 'confirmed');
});

t.test('provider staff keep places only on their own sessions', async (t) => {
  const app = await buildTestApp(t, database);
  await people(BANBURY, 1);
  const mine = await createTaster(db, { capacity: 5, startsAt: daysFromNow(9) });
  const theirs = await createTaster(db, { capacity: 5, startsAt: daysFromNow(9) });
  const staff = await signedIn(app, db, 'provider', { organisationId: mine.organisationId });
  const form = await staff.visitor.get('/reservations/new');
  t.match(form.body, new RegExp(`value="${mine.sessionId}"`));
  t.notMatch(form.body, new RegExp(`value="${theirs.sessionId}"`), 'another organisation’s sessions are not offered');
  const refused = await staff.visitor.post('/reservations', { sessionId: theirs.sessionId, pcn: BANBURY, places: '1', releaseDays: '2' });
  t.equal(refused.statusCode, 404);
  t.equal(await db.selectFrom('sessionReservations').select('id').where('tasterSessionId', '=', theirs.sessionId).executeTakeFirst(), undefined);
  const tooMany = await staff.visitor.post('/reservations', { sessionId: mine.sessionId, pcn: BANBURY, places: '6', releaseDays: '2' });
  t.equal(tooMany.statusCode, 400);
  t.equal(fieldError(tooMany.body, 'places'), 'Only 5 places are free to keep. Enter 5 or fewer');
  t.same(errorSummary(tooMany.body), ['places: Only 5 places are free to keep. Enter 5 or fewer']);
  const linkWorker = await signedIn(app, db, 'link_worker');
  t.equal((await linkWorker.visitor.get('/reservations/new')).statusCode, 403);
});

t.test('the form refuses missing, too long, malformed and hostile values', async (t) => {
  const app = await buildTestApp(t, database);
  await people(BANBURY, 1);
  const taster = await createTaster(db, { capacity: 5, startsAt: daysFromNow(9) });
  const c = await signedIn(app, db, 'coordinator');
  checkFormRejectsBadInput(t, db, {
    open: async () => {
      await c.visitor.get('/reservations/new');
      return { visitor: c.visitor, url: '/reservations' };
    },
    valid: { sessionId: taster.sessionId, pcn: BANBURY, places: '2', releaseDays: '3' },
    required: {
      sessionId: 'Select the taster session',
      pcn: 'Select the PCN',
      places: 'Enter how many places to keep',
      releaseDays: 'Enter how many days before the session the places are released',
    },
    tooLong: { pcn: { length: 201, message: 'PCN must be 200 characters or fewer' } },
    malformed: [
      { field: 'sessionId', value: 'not-a-session', message: 'Select the taster session' },
      { field: 'pcn', value: 'A PCN nobody gave', message: 'Select a PCN from the list' },
      { field: 'places', value: 'four', message: 'Enter the number of places as a whole number, like 4' },
      { field: 'places', value: '2.5', message: 'Enter the number of places as a whole number, like 4' },
      { field: 'places', value: '0', message: 'Keep from 1 to 1000 places' },
      { field: 'places', value: '-3', message: 'Keep from 1 to 1000 places' },
      { field: 'places', value: '1001', message: 'Keep from 1 to 1000 places' },
      { field: 'releaseDays', value: '91', message: 'Enter a number of days from 0 to 90' },
      { field: 'releaseDays', value: 'soon', message: 'Enter the number of days as a whole number, like 7' },
    ],
    kept: ['places', 'releaseDays'],
    breaker: { places: 'x' },
    otherBreaker: { releaseDays: 'x' },
  });
});
