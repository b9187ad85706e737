import t from 'tap';
import { createBooking, createBookings, createOffer, createOrganisation, createSession, createVenue } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, heading } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const organisation = await createOrganisation(db, { name: `Riverside Museum ${Date.now()}` });
const { visitor: provider } = await signedIn(app, db, 'provider', { organisationId: organisation.id });
const venue = await createVenue(db, organisation.id, {
  name: 'Main building',
  addressLine1: 'Broad Street',
  town: 'Oxford',
  postcode: 'OX1 3BG',
  stepFree: true,
  accessibleToilet: true,
  hearingLoop: true,
  seating: true,
  parking: false,
  quietSpace: false,
  accessNotes: 'Step-free entrance on the side street',
});
const offer = await createOffer(db, organisation.id, {
  title: 'Object handling and conversation',
  category: 'heritage_museums',
  suits: 'Adults who are isolated',
  scheduleFrequency: 'weekly',
  scheduleDays: ['TH'],
  scheduleStartTime: '14:00',
  scheduleEndTime: '15:30',
});

t.test('the dashboard counts places booked and the waiting list from bookings, upcoming and past', async (t) => {
  const upcoming = await createSession(db, offer.id, { venueId: venue.id, capacity: 12 });
  await createBookings(db, upcoming.id, 'confirmed', 3);
  await createBookings(db, upcoming.id, 'waitlisted', 2);
  const past = await createSession(db, offer.id, { venueId: venue.id, startsAt: at(-7, 14), capacity: 8 });
  await createBookings(db, past.id, 'confirmed', 8);
  const draft = await createSession(db, offer.id, { venueId: venue.id, status: 'draft', startsAt: at(21, 14) });
  const elsewhere = await createSession(db, (await createOffer(db, (await createOrganisation(db)).id, { title: "Somebody else's choir" })).id);

  const page = await provider.get('/provider');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Your sessions');
  const row = (id: string) => new RegExp(`<tr class="nhsuk-table__row" id="session-row-${id}">([\\s\\S]*?)</tr>`).exec(page.body)?.[1] ?? '';
  t.match(row(upcoming.id), /3 of 12/, 'places booked out of capacity');
  t.match(row(upcoming.id), /Waiting list <\/span>2/, 'the waiting list length');
  t.match(row(upcoming.id), /Published/);
  t.match(row(upcoming.id), /Cancel<span/, 'a published session can be cancelled');
  t.match(row(draft.id), /Draft/);
  t.match(row(draft.id), /Publish<span/, 'a draft can be published');
  t.match(row(past.id), /8 of 8/);
  t.notMatch(row(past.id), /Edit<span|Cancel<span/, 'a past session cannot be edited or cancelled');
  t.match(row(past.id), /Copy<span/, 'but it can be copied');
  const upcomingSection = page.body.slice(page.body.indexOf('Upcoming taster sessions'), page.body.indexOf('Past taster sessions'));
  t.match(upcomingSection, new RegExp(upcoming.id));
  t.notMatch(upcomingSection, new RegExp(`session-row-${past.id}`), 'past sessions are in their own list');
  t.notMatch(page.body, new RegExp(elsewhere.id), 'nothing of another organisation');
  t.match(page.body, /Object handling and conversation/);
  t.match(page.body, /Main building/);
});

t.test('publishing from the dashboard with htmx returns the updated row and a message, without reloading', async (t) => {
  const draft = await createSession(db, offer.id, { venueId: venue.id, status: 'draft', startsAt: at(10, 14) });
  await provider.get('/provider');
  const response = await provider.post(`/sessions/${draft.id}/publish`, { from: 'dashboard' }, { headers: { 'hx-request': 'true' } });
  t.equal(response.statusCode, 200);
  t.notMatch(response.body, /<html|<header/, 'a fragment, not a page');
  t.match(response.body, new RegExp(`^\\s*<tr class="nhsuk-table__row" id="session-row-${draft.id}">`));
  t.match(response.body, /Published<\/strong>/);
  t.match(
    response.body,
    /<hx-partial data-hx-target="#dashboard-status" data-hx-swap="innerHTML"><p class="nhsuk-body tasters-break">Published: Object handling and conversation/,
  );
  t.equal((await db.selectFrom('tasterSessions').select('status').where('id', '=', draft.id).executeTakeFirstOrThrow()).status, 'published');

  const again = await provider.post(`/sessions/${draft.id}/publish`, {}, { headers: { 'hx-request': 'true' } });
  t.equal(again.statusCode, 409);
  t.match(again.body, /This session is already published/, 'the refusal reaches the live region');
  t.match(again.body, new RegExp(`id="session-row-${draft.id}"`), 'with the row as it is');
});

t.test('the session page tells a link worker what they need before booking', async (t) => {
  const session = await createSession(db, offer.id, {
    venueId: venue.id,
    capacity: 12,
    startsAt: at(9, 14),
    endsAt: at(9, 15, 30),
    whatToBring: 'Wear comfortable shoes; tea provided',
    facilitatorNote: 'Amira has run the handling sessions for ten years',
    accessNotes: 'In the education room',
  });
  await createBookings(db, session.id, 'confirmed', 3);
  const { visitor } = await signedIn(app, db, 'link_worker');
  const page = await visitor.get(`/sessions/${session.id}`);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Object handling and conversation');
  t.match(page.body, organisation.name);
  t.match(page.body, /2pm to 3:30pm \(1 hour 30 minutes\)/, 'time in London, with how long it lasts');
  t.match(page.body, /Main building, Broad Street, Oxford, OX1 3BG/);
  t.match(page.body, /Step-free access: <strong>yes<\/strong>/);
  t.match(page.body, /Parking, including disabled parking: <strong>no<\/strong>/);
  t.match(page.body, /Step-free entrance on the side street/);
  t.match(page.body, /In the education room/);
  t.match(page.body, /id="booking-panel"[\s\S]*9 places left\. Booking closes/, 'places left, in the booking panel');
  t.match(page.body, /<button class="nhsuk-button" type="submit">Book a place<\/button>/, 'the link worker can book from the session page');
  t.match(page.body, /What to expect/);
  t.match(page.body, /This is a taster of Object handling and conversation, an activity run by/);
  t.match(page.body, /It lasts 1 hour 30 minutes and takes place at Main building, Oxford./);
  t.match(page.body, /Bring: Wear comfortable shoes; tea provided/);
  t.match(page.body, /Meet the facilitator/);
  t.notMatch(page.body, /Manage this session|Edit session/, 'no provider actions for link workers');

  await createBookings(db, session.id, 'confirmed', 9);
  await createBookings(db, session.id, 'waitlisted', 2);
  const full = await visitor.get(`/sessions/${session.id}`);
  t.match(full.body, /This session is full/);
  t.match(full.body, /2 people are waiting/);
  t.match(full.body, />Join the waiting list<\/button>/);
});

t.test('joining instructions of an online session: only for a confirmed place (and the organisation)', async (t) => {
  const session = await createSession(db, offer.id, { isOnline: true, joiningInstructions: 'Join at https://meet.example.org/secret-room' });
  const secret = /secret-room/;
  const { visitor: browsing } = await signedIn(app, db, 'link_worker');
  const withoutBooking = await browsing.get(`/sessions/${session.id}`);
  t.notMatch(withoutBooking.body, secret, 'not shown without a booking');
  t.match(withoutBooking.body, /How to join is shown here once you have a confirmed place/);

  const { visitor: waiting, user: waitingUser } = await signedIn(app, db, 'link_worker');
  await createBooking(db, session.id, waitingUser.id, { status: 'waitlisted' });
  t.notMatch((await waiting.get(`/sessions/${session.id}`)).body, secret, 'not shown on the waiting list');

  const { visitor: booked, user: bookedUser } = await signedIn(app, db, 'link_worker');
  await createBooking(db, session.id, bookedUser.id, { status: 'confirmed' });
  t.match((await booked.get(`/sessions/${session.id}`)).body, secret, 'shown with a confirmed place');

  const { visitor: cancelledBooking, user: cancelledUser } = await signedIn(app, db, 'link_worker');
  await createBooking(db, session.id, cancelledUser.id, { status: 'cancelled' });
  t.notMatch((await cancelledBooking.get(`/sessions/${session.id}`)).body, secret, 'not shown after cancelling');

  const staff = await provider.get(`/sessions/${session.id}`);
  t.match(staff.body, secret, 'the organisation sees what it wrote');
  t.match(staff.body, /Only people with a confirmed place see this/);
});

t.test('the organisation page shows a coordinator the dashboard and its staff', async (t) => {
  const { visitor } = await signedIn(app, db, 'coordinator');
  const page = await visitor.get(`/organisations/${organisation.id}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, /Upcoming taster sessions/);
  t.match(page.body, /Object handling and conversation/);
  t.match(page.body, /Invite staff/);
  const list = await visitor.get('/organisations');
  t.match(list.body, new RegExp(`href="/organisations/${organisation.id}"`));
  t.equal((await visitor.get('/provider')).statusCode, 303, 'a coordinator is sent to the organisations');
});
