import t from 'tap';
import { bookingPanel } from '../../src/bookings/panel.ts';
import { createBooking, createFeedback, createTaster, createUser } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, decodeHtml, heading } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());

const section = (html: string, title: string) => {
  const start = html.indexOf(`>${title}</h2>`);
  const end = html.indexOf('<h2', start + 1);
  return start < 0 ? '' : html.slice(start, end < 0 ? undefined : end);
};

t.test('My bookings lists places, waiting lists with positions, and past tasters', async (t) => {
  const app = await buildTestApp(t, database);
  const me = await createUser(db, 'link_worker');
  const booked = await createTaster(db, { title: 'Origami morning', startsAt: at(3, 10) });
  const full = await createTaster(db, { title: 'Cartoon drawing', capacity: 1, startsAt: at(5, 18) });
  const past = await createTaster(db, { title: 'Singing last month', startsAt: at(-20, 14), bookingClosesAt: at(-21, 14) });
  const dropped = await createTaster(db, { title: 'Dance I cancelled' });
  await createBooking(db, booked.sessionId, me.id);
  await createBooking(db, full.sessionId, (await createUser(db, 'link_worker')).id);
  await createBooking(db, full.sessionId, (await createUser(db, 'link_worker')).id, { status: 'waitlisted' });
  await createBooking(db, past.sessionId, me.id);
  await createBooking(db, dropped.sessionId, me.id, { status: 'cancelled' });
  const { visitor } = await signedIn(app, db, me);
  await visitor.post(`/sessions/${full.sessionId}/book`, {});

  const page = await visitor.get('/my-bookings');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'My bookings');
  t.match(section(page.body, 'Places booked'), /Origami morning/);
  t.notMatch(section(page.body, 'Places booked'), /Cartoon drawing/);
  t.match(section(page.body, 'Waiting lists'), /Cartoon drawing[\s\S]*You are number <strong>2<\/strong> on the waiting list/);
  t.match(section(page.body, 'Past tasters'), /Singing last month/);
  t.notMatch(page.body, /Dance I cancelled/, 'cancelled bookings are not listed');
  t.match(section(page.body, 'Places booked'), /calendar\.ics/);
  t.notMatch(section(page.body, 'Past tasters'), /calendar\.ics/);
  t.match(page.body, /Set up a calendar feed/);
});

t.test('past tasters lead to feedback, or to what got in the way, as My record does', async (t) => {
  const app = await buildTestApp(t, database);
  const me = await createUser(db, 'link_worker');
  const went = await createTaster(db, { title: 'Printmaking', startsAt: at(-10, 14), bookingClosesAt: at(-11, 14) });
  const answered = await createTaster(db, { title: 'Choir', startsAt: at(-8, 14), bookingClosesAt: at(-9, 14) });
  const missed = await createTaster(db, { title: 'Pottery', startsAt: at(-6, 14), bookingClosesAt: at(-7, 14) });
  const wentBooking = await createBooking(db, went.sessionId, me.id, { attendance: 'attended' });
  const answeredBooking = await createBooking(db, answered.sessionId, me.id, { attendance: 'attended' });
  await createFeedback(db, answeredBooking.id);
  const missedBooking = await createBooking(db, missed.sessionId, me.id, { attendance: 'no_show' });
  const { visitor } = await signedIn(app, db, me);
  const past = section((await visitor.get('/my-bookings')).body, 'Past tasters');
  t.match(
    past,
    new RegExp(`You attended\\.[^<]*<a href="/bookings/${wentBooking.id}/feedback">Give feedback<span class="nhsuk-u-visually-hidden"> on Printmaking, `),
    'a way to give feedback',
  );
  t.match(
    past,
    new RegExp(`<a href="/bookings/${answeredBooking.id}/feedback">See your feedback<span class="nhsuk-u-visually-hidden"> on Choir, `),
    'a way to see feedback given',
  );
  t.match(
    past,
    new RegExp(`<a href="/bookings/${missedBooking.id}/missed">Tell us what got in the way<span class="nhsuk-u-visually-hidden"> of Pottery, `),
    'a way to say what got in the way',
  );
});

t.test('the booking page shows joining instructions only to people with a place', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { online: true, capacity: 1, joiningInstructions: 'Teams link: https://example.org/join/secret' });
  const [first, second] = [await createUser(db, 'link_worker'), await createUser(db, 'link_worker')];
  const { visitor: one } = await signedIn(app, db, first);
  const { visitor: two } = await signedIn(app, db, second);
  const confirmed = await one.post(`/sessions/${taster.sessionId}/book`, {});
  const waiting = await two.post(`/sessions/${taster.sessionId}/book`, {});
  const confirmedPage = await one.get(confirmed.headers.location as string);
  const waitingPage = await two.get(waiting.headers.location as string);
  t.match(confirmedPage.body, /How to join/);
  t.match(confirmedPage.body, /example\.org\/join\/secret/);
  t.notMatch(waitingPage.body, /example\.org\/join\/secret/, 'not for the waiting list');
  t.match(waitingPage.body, /On the waiting list/);
  t.match(waitingPage.body, /Leave the waiting list/);
  t.match(confirmedPage.body, /Cancel your place/);
});

t.test("who has booked: the session's provider staff and coordinators see names, practices and positions", async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 1, title: 'Garden volunteering' });
  const booked = await createUser(db, 'link_worker', { name: 'Ama Booked', practice: 'Jericho Health Centre' });
  const waiter = await createUser(db, 'link_worker', { name: 'Ben Waiting', practice: 'Cowley Road Surgery' });
  await createBooking(db, taster.sessionId, booked.id);
  await createBooking(db, taster.sessionId, waiter.id, { status: 'waitlisted' });

  const { visitor: staff } = await signedIn(app, db, 'provider', { organisationId: taster.organisationId });
  const page = await staff.get(`/sessions/${taster.sessionId}/bookings`);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Bookings: Garden volunteering');
  t.match(page.body, /Ama Booked[\s\S]*Jericho Health Centre/);
  t.match(page.body, /Waiting list[\s\S]*<td class="nhsuk-table__cell">1<\/td>\s*<td class="nhsuk-table__cell">Ben Waiting<\/td>/);
  t.match(page.body, /1 of 1 place booked, 0 places left, 1 person waiting/);

  const { visitor: coordinator } = await signedIn(app, db, 'coordinator');
  t.equal((await coordinator.get(`/sessions/${taster.sessionId}/bookings`)).statusCode, 200);

  const { visitor: otherStaff } = await signedIn(app, db, 'provider');
  const refused = await otherStaff.get(`/sessions/${taster.sessionId}/bookings`);
  t.equal(refused.statusCode, 404, "another organisation's staff: not found");
  t.notMatch(refused.body, /Ama Booked/);
  const { visitor: linkWorker } = await signedIn(app, db, booked);
  t.equal((await linkWorker.get(`/sessions/${taster.sessionId}/bookings`)).statusCode, 403);
});

t.test('My bookings and the calendar feed page are for link workers only', async (t) => {
  const app = await buildTestApp(t, database);
  for (const role of ['provider', 'coordinator'] as const) {
    const { visitor } = await signedIn(app, db, role);
    t.equal((await visitor.get('/my-bookings')).statusCode, 403, `${role}: My bookings`);
    t.equal((await visitor.get('/my-bookings/calendar-feed')).statusCode, 403, `${role}: calendar feed`);
    t.equal((await visitor.post('/my-bookings/calendar-feed', {})).statusCode, 403);
  }
  t.equal((await db.selectFrom('calendarFeeds').select('userId').execute()).length, 0, 'no feed made');
  const anonymous = await app.inject({ method: 'GET', url: '/my-bookings' });
  t.equal(anonymous.statusCode, 302);
});

t.test('the booking panel view model says what the viewer can do', async (t) => {
  const taster = await createTaster(db, { capacity: 1 });
  const me = await createUser(db, 'link_worker');
  const meUser = { ...me, practice: null, pcn: null };
  t.equal((await bookingPanel(db, taster.sessionId, meUser))?.state, 'book');
  await createBooking(db, taster.sessionId, (await createUser(db, 'link_worker')).id);
  t.equal((await bookingPanel(db, taster.sessionId, meUser))?.state, 'join_waiting_list');
  await createBooking(db, taster.sessionId, me.id, { status: 'waitlisted' });
  const mine = await bookingPanel(db, taster.sessionId, meUser);
  t.equal(mine?.state, 'booked');
  t.same(mine?.booking && { status: mine.booking.status, position: mine.booking.position }, { status: 'waitlisted', position: 1 });

  const staff = await createUser(db, 'provider', { organisationId: taster.organisationId });
  const forStaff = await bookingPanel(db, taster.sessionId, { ...staff, practice: null, pcn: null });
  t.equal(forStaff?.state, 'not_link_worker');
  t.equal(forStaff?.bookingsHref, `/sessions/${taster.sessionId}/bookings`);
  const otherStaff = await createUser(db, 'provider');
  t.equal((await bookingPanel(db, taster.sessionId, { ...otherStaff, practice: null, pcn: null }))?.bookingsHref, null);

  const closed = await createTaster(db, { startsAt: at(1, 9), bookingClosesAt: new Date(Date.now() - 1000) });
  const closedPanel = await bookingPanel(db, closed.sessionId, meUser);
  t.equal(closedPanel?.state, 'unavailable');
  t.equal(closedPanel?.reason, 'Booking for this session has closed');
  const draft = await createTaster(db, { status: 'draft' });
  t.equal(await bookingPanel(db, draft.sessionId, meUser), null, 'a draft is invisible to link workers');
});

t.test('the booking panel renders each state without errors', async (t) => {
  const app = await buildTestApp(t, database);
  const taster = await createTaster(db, { capacity: 1, title: 'Museum object handling <b>' });
  const me = await createUser(db, 'link_worker');
  const { visitor } = await signedIn(app, db, me);
  const before = await visitor.get(`/sessions/${taster.sessionId}/book`);
  t.match(before.body, /Book a place/);
  t.match(decodeHtml(before.body), /Museum object handling <b>/);
  t.notMatch(before.body, /Museum object handling <b>/, 'escaped');
  await createBooking(db, taster.sessionId, (await createUser(db, 'link_worker')).id);
  const full = await visitor.get(`/sessions/${taster.sessionId}/book`);
  t.match(full.body, /This session is full\. Nobody is waiting yet\./);
  t.match(full.body, /<button class="nhsuk-button" type="submit">Join the waiting list<\/button>/);
});
