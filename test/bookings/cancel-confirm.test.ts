import t from 'tap';
import { createBooking, createTaster, createUser } from '../fixtures/builders.ts';
import { at, startedHoursAgo } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, heading } from '../helper.ts';

/**
 * Cancelling asks first: a page of its own without JavaScript (GET), the same words in a <dialog>
 * with it. Opening the confirmation changes nothing; only its form's POST cancels.
 */
const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());
const app = await buildTestApp(t, database);

const statusOf = async (id: string) => (await db.selectFrom('bookings').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

t.test('a link worker confirms before cancelling a place: page without JavaScript, dialog with it', async (t) => {
  const taster = await createTaster(db, { title: 'Life drawing', startsAt: at(5, 14) });
  const me = await createUser(db, 'link_worker');
  const booking = await createBooking(db, taster.sessionId, me.id);
  const { visitor } = await signedIn(app, db, me);

  const bookingPage = await visitor.get(`/bookings/${booking.id}`);
  t.match(
    bookingPage.body,
    new RegExp(
      `<a class="nhsuk-button nhsuk-button--secondary" href="/bookings/${booking.id}/cancel" role="button"[^>]*data-opens-dialog="cancel-booking-${booking.id}">Cancel your place</a>`,
    ),
  );
  t.match(
    bookingPage.body,
    new RegExp(
      `<dialog class="tasters-dialog" id="cancel-booking-${booking.id}"[\\s\\S]*action="/bookings/${booking.id}/cancel" method="post"[\\s\\S]*Yes, cancel my place[\\s\\S]*<form method="dialog">`,
    ),
  );
  t.notMatch(
    bookingPage.body,
    /<form action="\/bookings\/[^"]+\/cancel" method="post">\s*<input type="hidden" name="_csrf"[^>]*>\s*<button[^>]*>Cancel your place/,
    'no one-click cancel button any more',
  );

  const sessionPage = await visitor.get(`/sessions/${taster.sessionId}`);
  t.match(
    sessionPage.body,
    /<dialog class="tasters-dialog" id="cancel-booking-[^"]+"[\s\S]*data-hx-post="\/bookings\/[^"]+\/cancel"/,
    'the panel dialog cancels through htmx',
  );

  const confirm = await visitor.get(`/bookings/${booking.id}/cancel`);
  t.equal(confirm.statusCode, 200);
  t.equal(heading(confirm.body), 'Cancel your place?');
  t.match(confirm.body, /Life drawing/);
  t.match(confirm.body, new RegExp(`<a href="/bookings/${booking.id}">No, keep my place</a>`));
  t.equal(await statusOf(booking.id), 'confirmed', 'opening the confirmation changes nothing');

  const done = await visitor.post(`/bookings/${booking.id}/cancel`, {});
  t.equal(done.statusCode, 303);
  t.equal(await statusOf(booking.id), 'cancelled');

  const again = await visitor.get(`/bookings/${booking.id}/cancel`);
  t.equal(again.statusCode, 409);
  t.match(again.body, /This booking is already cancelled/);
});

t.test('leaving a waiting list asks in its own words; a started session cannot be cancelled; nobody else’s booking is there', async (t) => {
  const taster = await createTaster(db, { startsAt: at(5, 14) });
  const me = await createUser(db, 'link_worker');
  const waiting = await createBooking(db, taster.sessionId, me.id, { status: 'waitlisted' });
  const { visitor } = await signedIn(app, db, me);
  const confirm = await visitor.get(`/bookings/${waiting.id}/cancel`);
  t.equal(heading(confirm.body), 'Leave the waiting list?');
  t.match(confirm.body, /Yes, leave the waiting list/);

  const started = await createTaster(db, startedHoursAgo(1));
  const late = await createBooking(db, started.sessionId, me.id);
  const refused = await visitor.get(`/bookings/${late.id}/cancel`);
  t.equal(refused.statusCode, 409);
  t.match(refused.body, /already started/);

  const { visitor: someoneElse } = await signedIn(app, db, 'link_worker');
  t.equal((await someoneElse.get(`/bookings/${waiting.id}/cancel`)).statusCode, 404);
  t.equal(await statusOf(waiting.id), 'waitlisted');
});

t.test('a provider confirms before cancelling a session: the page without JavaScript, a dialog on the session page with it', async (t) => {
  const taster = await createTaster(db, { title: 'Bookbinding', startsAt: at(5, 14), status: 'published' });
  const { visitor } = await signedIn(app, db, 'provider', { organisationId: taster.organisationId });
  const page = await visitor.get(`/sessions/${taster.sessionId}`);
  t.match(page.body, new RegExp(`<a href="/sessions/${taster.sessionId}/cancel" data-opens-dialog="cancel-session">Cancel session</a>`));
  t.match(page.body, /<dialog class="tasters-dialog" id="cancel-session"[\s\S]*name="reason"[\s\S]*Yes, cancel the session[\s\S]*No, keep the session/);

  const confirm = await visitor.get(`/sessions/${taster.sessionId}/cancel`);
  t.equal(heading(confirm.body), 'Cancel this taster session');
  t.match(confirm.body, /Yes, cancel the session/);
  t.match(confirm.body, new RegExp(`<a href="/sessions/${taster.sessionId}">No, keep the session</a>`));
  const session = await db.selectFrom('tasterSessions').select('status').where('id', '=', taster.sessionId).executeTakeFirstOrThrow();
  t.equal(session.status, 'published', 'opening it changes nothing');
});
