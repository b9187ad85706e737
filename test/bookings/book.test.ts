import t from 'tap';
import { book } from '../../src/bookings/service.ts';
import { createBooking, createTaster, createUser } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());

const liveBookings = (sessionId: string) =>
  db.selectFrom('bookings').selectAll().where('tasterSessionId', '=', sessionId).where('status', '<>', 'cancelled').execute();

t.test('a link worker books a place and is sent to the booking (303)', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 2, title: 'Singing for wellbeing' });
  const dev = await createUser(db, 'link_worker', { name: 'Dev Sharma' });
  const { visitor } = await signedIn(app, db, dev);

  const page = await visitor.get(`/sessions/${taster.sessionId}/book`);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Singing for wellbeing');
  t.match(page.body, /2 places left/);
  t.match(page.body, /How confident do you feel today about suggesting this kind of activity to a patient\?/);

  const response = await visitor.post(`/sessions/${taster.sessionId}/book`, { confidenceBefore: '3' });
  t.equal(response.statusCode, 303);
  const [booking] = await liveBookings(taster.sessionId);
  t.equal(response.headers.location, `/bookings/${booking!.id}`);
  t.equal(booking!.status, 'confirmed');
  t.equal(booking!.userId, dev.id);
  t.equal(booking!.confidenceBefore, 3);
  t.ok(booking!.confirmedAt);

  const shown = await visitor.get(response.headers.location as string);
  t.match(shown.body, /You have a place on this session/);
  const message = await db.selectFrom('outboxMessages').selectAll().where('dedupeKey', '=', `booking_confirmed:${booking!.id}`).executeTakeFirst();
  t.equal(message?.recipientEmail, dev.email, 'a confirmation email is queued');
  const audit = await db.selectFrom('auditEvents').select('action').where('subjectId', '=', booking!.id).execute();
  t.same(
    audit.map((a) => a.action),
    ['booking_confirmed'],
  );
});

t.test('a full session puts people on the waiting list, in order, with their position', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 1 });
  const [first, second, third] = await Promise.all([1, 2, 3].map(() => createUser(db, 'link_worker')));
  const results = [];
  for (const person of [first!, second!, third!]) {
    const { visitor } = await signedIn(app, db, person);
    const response = await visitor.post(`/sessions/${taster.sessionId}/book`, {});
    t.equal(response.statusCode, 303);
    results.push({ visitor, page: await visitor.get(response.headers.location as string) });
  }
  t.match(results[0]!.page.body, /You have a place/);
  t.match(results[1]!.page.body, /You are number <strong id="waiting-position">1<\/strong> on the waiting list/);
  t.match(results[2]!.page.body, /You are number <strong id="waiting-position">2<\/strong> on the waiting list/);
  const rows = await liveBookings(taster.sessionId);
  t.same(rows.map((r) => r.status).sort(), ['confirmed', 'waitlisted', 'waitlisted']);
  const panel = await results[2]!.visitor.get(`/sessions/${taster.sessionId}/book`);
  t.match(panel.body, /You are on the waiting list/);
  t.match(panel.body, /Leave the waiting list/);
});

t.test('booking twice in a row shows the existing booking and writes no second row', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db);
  const { visitor } = await signedIn(app, db, 'link_worker');
  const first = await visitor.post(`/sessions/${taster.sessionId}/book`, { confidenceBefore: '4' });
  const second = await visitor.post(`/sessions/${taster.sessionId}/book`, { confidenceBefore: '9' });
  t.equal(first.statusCode, 303);
  t.equal(second.statusCode, 303);
  t.equal(second.headers.location, first.headers.location);
  const rows = await liveBookings(taster.sessionId);
  t.equal(rows.length, 1);
  t.equal(rows[0]!.confidenceBefore, 4, 'the first answer is kept');
});

t.test('ten identical booking POSTs at once (a double click) make one booking; every reply redirects to it', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 5 });
  const { visitor } = await signedIn(app, db, 'link_worker');
  const responses = await Promise.all(Array.from({ length: 10 }, () => visitor.post(`/sessions/${taster.sessionId}/book`, { confidenceBefore: '5' })));
  const rows = await db.selectFrom('bookings').selectAll().where('tasterSessionId', '=', taster.sessionId).execute();
  t.equal(rows.length, 1, 'one row, not ten');
  t.same(
    responses.map((r) => [r.statusCode, r.headers.location]),
    Array.from({ length: 10 }, () => [303, `/bookings/${rows[0]!.id}`]),
  );
  const messages = await db.selectFrom('outboxMessages').select('id').where('recipientId', '=', rows[0]!.userId).execute();
  t.equal(messages.length, 1, 'one message');
});

t.test('no booking after the deadline, on a cancelled, started or draft session', async (t) => {
  const app = await buildTestApp(t, database);
  const person = await createUser(db, 'link_worker');
  const { visitor } = await signedIn(app, db, person);
  const cases = [
    {
      name: 'deadline passed',
      options: { startsAt: at(1, 10), bookingClosesAt: new Date(Date.now() - 60_000) },
      status: 409,
      text: /Booking for this session has closed/,
      code: 'booking_closed',
    },
    { name: 'cancelled', options: { status: 'cancelled' as const }, status: 409, text: /This session has been cancelled/, code: 'session_cancelled' },
    {
      name: 'started',
      options: { startsAt: new Date(Date.now() - 30 * 60_000), endsAt: new Date(Date.now() + 60 * 60_000), bookingClosesAt: new Date(Date.now() - 3_600_000) },
      status: 409,
      text: /This session has already started/,
      code: 'session_started',
    },
    {
      name: 'past',
      options: { startsAt: at(-3, 10), bookingClosesAt: at(-4, 10) },
      status: 409,
      text: /This session has already started/,
      code: 'session_started',
    },
    { name: 'draft', options: { status: 'draft' as const }, status: 404, text: /Page not found/, code: 'not_found' },
  ];
  for (const c of cases) {
    const taster = await createTaster(db, c.options);
    const response = await visitor.post(`/sessions/${taster.sessionId}/book`, {});
    t.equal(response.statusCode, c.status, `${c.name}: status`);
    t.match(response.body, c.text, `${c.name}: says why`);
    t.equal((await liveBookings(taster.sessionId)).length, 0, `${c.name}: nothing booked`);
    // The rule itself names the reason with a stable code.
    await t.rejects(
      db.transaction().execute((tx) => book(tx, { id: person.id }, taster.sessionId, { confidenceBefore: null })),
      { code: c.code },
      `${c.name}: code ${c.code}`,
    );
  }
});

t.test('an existing booking is shown even after booking has closed', async (t) => {
  const app = await buildTestApp(t, database);
  const person = await createUser(db, 'link_worker');
  const taster = await createTaster(db, { startsAt: at(1, 10), bookingClosesAt: new Date(Date.now() - 60_000) });
  const booking = await createBooking(db, taster.sessionId, person.id);
  const { visitor } = await signedIn(app, db, person);
  const response = await visitor.post(`/sessions/${taster.sessionId}/book`, {});
  t.equal(response.statusCode, 303);
  t.equal(response.headers.location, `/bookings/${booking.id}`);
});

t.test('the confidence answer is checked: a clear message beside the field, nothing stored', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db);
  const { visitor } = await signedIn(app, db, 'link_worker');
  for (const value of ['11', '-1', 'lots', '2.5']) {
    const response = await visitor.post(`/sessions/${taster.sessionId}/book`, { confidenceBefore: value });
    t.equal(response.statusCode, 400, `"${value}" refused`);
    t.same(errorSummary(response.body), ['confidenceBefore: Enter a whole number from 0 to 10, or leave it empty']);
    t.equal(fieldError(response.body, 'confidenceBefore'), 'Enter a whole number from 0 to 10, or leave it empty');
    t.match(response.body, new RegExp(`value="${value}"`), 'what was typed is kept');
    t.match(response.body, /<title>Error: /);
  }
  t.equal((await liveBookings(taster.sessionId)).length, 0);
  const empty = await visitor.post(`/sessions/${taster.sessionId}/book`, { confidenceBefore: ' ' });
  t.equal(empty.statusCode, 303, 'the question is optional');
  t.equal((await liveBookings(taster.sessionId))[0]!.confidenceBefore, null);
});

t.test('with htmx, booking answers with the panel fragment instead of a redirect', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 1 });
  await createBooking(db, taster.sessionId, (await createUser(db, 'link_worker')).id);
  const { visitor } = await signedIn(app, db, 'link_worker');
  await visitor.get(`/sessions/${taster.sessionId}/book`);
  const bad = await visitor.post(`/sessions/${taster.sessionId}/book`, { confidenceBefore: '12' }, { headers: { 'hx-request': 'true' } });
  t.equal(bad.statusCode, 400);
  t.notMatch(bad.body, /<html/);
  t.equal(fieldError(bad.body, 'confidenceBefore'), 'Enter a whole number from 0 to 10, or leave it empty');
  const response = await visitor.post(`/sessions/${taster.sessionId}/book`, { confidenceBefore: '2' }, { headers: { 'hx-request': 'true' } });
  t.equal(response.statusCode, 200);
  t.notMatch(response.body, /<html/, 'a fragment, not a page');
  t.match(response.body, /id="booking-panel"/);
  t.match(response.body, /You are on the waiting list/);
  t.match(response.body, /You are number <strong>1<\/strong> on the waiting list/);
  t.match(response.body, /autofocus/, 'the new panel heading takes focus');
});

t.test('only link workers can book; signed-out people are asked to sign in', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db);
  for (const role of ['provider', 'coordinator'] as const) {
    const { visitor } = await signedIn(app, db, role);
    const response = await visitor.post(`/sessions/${taster.sessionId}/book`, {});
    t.equal(response.statusCode, 403, `${role} refused`);
    t.equal((await visitor.get(`/sessions/${taster.sessionId}/book`)).statusCode, 403);
  }
  t.equal((await liveBookings(taster.sessionId)).length, 0);
  const anonymous = await app.inject({ method: 'GET', url: `/sessions/${taster.sessionId}/book` });
  t.equal(anonymous.statusCode, 302);
  t.match(anonymous.headers.location, /^\/sign-in\?returnTo=/);
});

t.test('an unknown or malformed session id is not found', async (t) => {
  const app = await buildTestApp(t, database);
  const { visitor } = await signedIn(app, db, 'link_worker');
  t.equal((await visitor.post('/sessions/not-a-uuid/book', {})).statusCode, 404);
  t.equal((await visitor.post('/sessions/00000000-0000-4000-8000-000000000000/book', {})).statusCode, 404);
});

t.test('the database itself refuses a second live booking by one person, but not a booking after a cancelled one', async (t) => {
  const taster = await createTaster(db);
  const person = await createUser(db, 'link_worker');
  await createBooking(db, taster.sessionId, person.id, { status: 'cancelled' });
  await createBooking(db, taster.sessionId, person.id, { status: 'confirmed' });
  await t.rejects(createBooking(db, taster.sessionId, person.id, { status: 'waitlisted' }), { code: '23505' });
  t.equal((await liveBookings(taster.sessionId)).length, 1);
});
