import t from 'tap';
import { fillFreedPlaces, lockTasterSession } from '../../src/capacity/places.ts';
import { createBooking, createTaster, createUser } from '../fixtures/builders.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, heading } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());

const statuses = async (sessionId: string) =>
  Object.fromEntries(
    (await db.selectFrom('bookings').select(['userId', 'status']).where('tasterSessionId', '=', sessionId).where('status', '<>', 'cancelled').execute()).map(
      (b) => [b.userId, b.status],
    ),
  );

/** Books through the app, one person after another, so the waiting order is the booking order. */
async function bookInTurn(app: Awaited<ReturnType<typeof buildTestApp>>, sessionId: string, count: number) {
  const people = [];
  for (let i = 0; i < count; i++) {
    const user = await createUser(db, 'link_worker', { name: `Person ${i + 1}` });
    const { visitor } = await signedIn(app, db, user);
    const response = await visitor.post(`/sessions/${sessionId}/book`, {});
    people.push({ user, visitor, bookingId: String(response.headers.location).split('/').pop()! });
  }
  return people;
}

t.test('cancelling a place gives it to the longest-waiting person, in the same request', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 1 });
  const [a, b, c] = await bookInTurn(app, taster.sessionId, 3);
  t.same(await statuses(taster.sessionId), { [a!.user.id]: 'confirmed', [b!.user.id]: 'waitlisted', [c!.user.id]: 'waitlisted' });

  const response = await a!.visitor.post(`/bookings/${a!.bookingId}/cancel`, {});
  t.equal(response.statusCode, 303);
  t.equal(response.headers.location, `/bookings/${a!.bookingId}?done=cancelled`);
  const page = await a!.visitor.get(response.headers.location as string);
  t.match(page.body, /Your booking has been cancelled/);
  t.match(page.body, /You cancelled this booking/);
  t.match(page.body, /Book this session again/);

  t.same(await statuses(taster.sessionId), { [b!.user.id]: 'confirmed', [c!.user.id]: 'waitlisted' }, 'B, who waited longest, has the place');
  const promoted = await db.selectFrom('bookings').select(['promotedAt', 'confirmedAt']).where('id', '=', b!.bookingId).executeTakeFirstOrThrow();
  t.ok(promoted.promotedAt, 'marked as promoted');
  const messages = await db.selectFrom('outboxMessages').select(['dedupeKey', 'subject']).where('recipientId', '=', b!.user.id).orderBy('createdAt').execute();
  t.same(
    messages.map((m) => m.dedupeKey),
    [`booking_waitlisted:${b!.bookingId}`, `booking_promoted:${b!.bookingId}`],
    'B gets exactly one message about the promotion',
  );
  const cPage = await c!.visitor.get(`/bookings/${c!.bookingId}`);
  t.match(cPage.body, /You are number <strong id="waiting-position">1<\/strong> on the waiting list/, 'C moves up');

  await b!.visitor.post(`/bookings/${b!.bookingId}/cancel`, {});
  t.same(await statuses(taster.sessionId), { [c!.user.id]: 'confirmed' }, 'then C');
});

t.test('leaving the waiting list frees no place and moves the people behind up', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 1 });
  const [a, b, c, d] = await bookInTurn(app, taster.sessionId, 4);
  const response = await b!.visitor.post(`/bookings/${b!.bookingId}/cancel`, {});
  t.equal(response.statusCode, 303);
  t.same(await statuses(taster.sessionId), { [a!.user.id]: 'confirmed', [c!.user.id]: 'waitlisted', [d!.user.id]: 'waitlisted' });
  t.match((await d!.visitor.get(`/bookings/${d!.bookingId}`)).body, /number <strong id="waiting-position">2<\/strong>/);
  const audit = await db.selectFrom('auditEvents').select('action').where('subjectId', '=', b!.bookingId).orderBy('id').execute();
  t.same(
    audit.map((e) => e.action),
    ['booking_waitlisted', 'waiting_list_left'],
  );
});

t.test('raising the capacity promotes the longest-waiting people through fillFreedPlaces', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 1 });
  const [a, b, c, d] = await bookInTurn(app, taster.sessionId, 4);
  const promoted = await db.transaction().execute(async (tx) => {
    await lockTasterSession(tx, taster.sessionId);
    await tx.updateTable('tasterSessions').set({ capacity: 3 }).where('id', '=', taster.sessionId).execute();
    return fillFreedPlaces(tx, taster.sessionId, null);
  });
  t.same(
    promoted.map((p) => p.userId),
    [b!.user.id, c!.user.id],
    'in waiting order',
  );
  t.same(await statuses(taster.sessionId), {
    [a!.user.id]: 'confirmed',
    [b!.user.id]: 'confirmed',
    [c!.user.id]: 'confirmed',
    [d!.user.id]: 'waitlisted',
  });
  t.match((await d!.visitor.get(`/bookings/${d!.bookingId}`)).body, /number <strong id="waiting-position">1<\/strong>/);
  const again = await db.transaction().execute(async (tx) => {
    await lockTasterSession(tx, taster.sessionId);
    return fillFreedPlaces(tx, taster.sessionId, null);
  });
  t.same(again, [], 'nothing more to fill');
});

t.test('a cancelled or started session promotes nobody', async (t) => {
  const taster = await createTaster(db, { capacity: 1, status: 'cancelled' });
  const waiting = await createBooking(db, taster.sessionId, (await createUser(db, 'link_worker')).id, { status: 'waitlisted' });
  const promoted = await db.transaction().execute(async (tx) => {
    await lockTasterSession(tx, taster.sessionId);
    return fillFreedPlaces(tx, taster.sessionId, null);
  });
  t.same(promoted, []);
  t.equal((await db.selectFrom('bookings').select('status').where('id', '=', waiting.id).executeTakeFirstOrThrow()).status, 'waitlisted');
});

t.test('booking again after cancelling works: a new row, the old one stays cancelled', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 3 });
  const [a] = await bookInTurn(app, taster.sessionId, 1);
  await a!.visitor.post(`/bookings/${a!.bookingId}/cancel`, {});
  const again = await a!.visitor.post(`/sessions/${taster.sessionId}/book`, {});
  t.equal(again.statusCode, 303);
  t.not(again.headers.location, `/bookings/${a!.bookingId}`);
  const rows = await db.selectFrom('bookings').select(['id', 'status']).where('tasterSessionId', '=', taster.sessionId).orderBy('requestedAt').execute();
  t.same(
    rows.map((r) => r.status),
    ['cancelled', 'confirmed'],
  );
});

t.test('cancelling twice changes nothing the second time', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 1 });
  const [a, b] = await bookInTurn(app, taster.sessionId, 2);
  await a!.visitor.post(`/bookings/${a!.bookingId}/cancel`, {});
  const second = await a!.visitor.post(`/bookings/${a!.bookingId}/cancel`, {});
  t.equal(second.statusCode, 303);
  t.same(await statuses(taster.sessionId), { [b!.user.id]: 'confirmed' });
  const cancelled = await db.selectFrom('auditEvents').select('id').where('subjectId', '=', a!.bookingId).where('action', '=', 'booking_cancelled').execute();
  t.equal(cancelled.length, 1);
});

t.test('another person cannot cancel, see or download my booking: 404 and nothing changed', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 1 });
  const [mine] = await bookInTurn(app, taster.sessionId, 1);
  const { visitor: other } = await signedIn(app, db, 'link_worker');
  await other.get('/my-bookings');
  const before = await db.selectFrom('bookings').selectAll().where('id', '=', mine!.bookingId).executeTakeFirstOrThrow();
  const cancel = await other.post(`/bookings/${mine!.bookingId}/cancel`, {});
  t.equal(cancel.statusCode, 404);
  t.equal(heading(cancel.body), 'Page not found');
  t.equal((await other.post(`/bookings/${mine!.bookingId}/cancel`, {}, { headers: { 'hx-request': 'true' } })).statusCode, 404);
  t.equal((await other.get(`/bookings/${mine!.bookingId}`)).statusCode, 404);
  t.equal((await other.get(`/bookings/${mine!.bookingId}/calendar.ics`)).statusCode, 404);
  const after = await db.selectFrom('bookings').selectAll().where('id', '=', mine!.bookingId).executeTakeFirstOrThrow();
  t.same(after, before);
  for (const role of ['provider', 'coordinator'] as const) {
    const { visitor } = await signedIn(app, db, role);
    t.equal((await visitor.post(`/bookings/${mine!.bookingId}/cancel`, {})).statusCode, 403, `${role} refused`);
  }
  t.same(await db.selectFrom('bookings').selectAll().where('id', '=', mine!.bookingId).executeTakeFirstOrThrow(), before);
});

t.test('a place cannot be cancelled once the session has started', async (t) => {
  const app = await buildTestApp(t, database);
  const person = await createUser(db, 'link_worker');
  const taster = await createTaster(db, {
    startsAt: new Date(Date.now() - 10 * 60_000),
    endsAt: new Date(Date.now() + 2 * 3_600_000),
    bookingClosesAt: new Date(Date.now() - 3_600_000),
  });
  const booking = await createBooking(db, taster.sessionId, person.id);
  const { visitor } = await signedIn(app, db, person);
  const page = await visitor.get(`/bookings/${booking.id}`);
  t.notMatch(page.body, /Cancel your place/, 'no cancel button');
  const response = await visitor.post(`/bookings/${booking.id}/cancel`, {});
  t.equal(response.statusCode, 409);
  t.match(response.body, /already started/);
  t.equal((await db.selectFrom('bookings').select('status').where('id', '=', booking.id).executeTakeFirstOrThrow()).status, 'confirmed');
});

t.test('with htmx, cancelling answers with the booking panel', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 2 });
  const [a] = await bookInTurn(app, taster.sessionId, 1);
  await a!.visitor.get(`/sessions/${taster.sessionId}/book`);
  const response = await a!.visitor.post(`/bookings/${a!.bookingId}/cancel`, {}, { headers: { 'hx-request': 'true' } });
  t.equal(response.statusCode, 200);
  t.notMatch(response.body, /<html/);
  t.match(response.body, /id="booking-panel"/);
  t.match(response.body, /Book a place/);
  t.match(response.body, /2 places left/);
});
