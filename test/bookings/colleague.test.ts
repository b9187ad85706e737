import t from 'tap';
import { renderPendingMessages } from '../../src/delivery/render.ts';
import { createBooking, createTaster, createUser } from '../fixtures/builders.ts';
import { HOSTILE_VALUES } from '../fixtures/hostile.ts';
import { daysFromNow } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, decodeHtml, errorSummary, fieldError, heading } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database, { baseUrl: 'https://tasters.test' });

let pcns = 0;
/** A session next week, Ada (the booker) and Bo (her colleague) in one PCN of their own. */
async function scene(capacity = 5) {
  const pcn = `Riverside PCN ${++pcns}`;
  const taster = await createTaster(db, {
    title: 'Lino printing',
    capacity,
    startsAt: daysFromNow(7),
    endsAt: daysFromNow(7.1),
    bookingClosesAt: daysFromNow(6),
  });
  const ada = await signedIn(app, db, 'link_worker', { name: 'Ada Lovelace', pcn });
  const bo = await signedIn(app, db, 'link_worker', { name: 'Bo Diddley', pcn, practice: 'Mill Street Surgery' });
  return { taster, ada, bo, pcn, path: `/sessions/${taster.sessionId}/book-for-colleague` };
}

const bookingsOn = (sessionId: string) => db.selectFrom('bookings').selectAll().where('tasterSessionId', '=', sessionId).execute();
const colleagueAudits = (actorId: string) =>
  db.selectFrom('auditEvents').select(['subjectId', 'details']).where('action', '=', 'booking_made_for_colleague').where('actorId', '=', actorId).execute();

t.test('the page lists active link workers in the same PCN, and nobody else', async (t) => {
  const s = await scene();
  await createUser(db, 'link_worker', { name: 'Cy Other', pcn: 'Hilltop PCN' });
  await createUser(db, 'link_worker', { name: 'Di Disabled', pcn: s.pcn, status: 'disabled' });
  await createUser(db, 'provider', { name: 'Ed Provider' });
  const page = await s.ada.visitor.get(s.path);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Book a place for a colleague');
  t.match(page.body, `<option value="${s.bo.user.id}">Bo Diddley (Mill Street Surgery)</option>`);
  for (const name of ['Cy Other', 'Di Disabled', 'Ed Provider', 'Ada Lovelace'])
    t.notMatch(page.body, new RegExp(`<option[^>]*>${name}`), `${name} is not offered`);
  const book = await s.ada.visitor.get(`/sessions/${s.taster.sessionId}/book`);
  t.match(book.body, `href="${s.path}"`, 'the booking page leads here');
});

t.test("the place, its email and its cancelling are the colleague's; the booking records who made it", async (t) => {
  const s = await scene();
  const response = await s.ada.visitor.post(s.path, { colleague: s.bo.user.id });
  t.equal(response.statusCode, 303);
  const [booking, ...others] = await bookingsOn(s.taster.sessionId);
  t.equal(others.length, 0, 'one booking');
  t.equal(booking?.userId, s.bo.user.id, "the place is Bo's");
  t.equal(booking?.status, 'confirmed');
  t.equal(booking?.bookedBy, s.ada.user.id, 'made by Ada');
  t.equal(response.headers.location, `${s.path}?booked=${booking?.id}`);
  const done = await s.ada.visitor.get(response.headers.location as string);
  t.match(done.body, 'You booked a place for Bo Diddley.');

  const audits = await colleagueAudits(s.ada.user.id);
  t.equal(audits.length, 1, "Ada's action is on the audit trail");
  t.equal(audits[0]?.subjectId, booking?.id);
  t.match(audits[0]?.details, { forUserId: s.bo.user.id, sessionId: s.taster.sessionId });

  await renderPendingMessages(db);
  const emails = await db.selectFrom('outboxMessages').selectAll().where('dedupeKey', 'like', `%:${booking?.id}`).execute();
  t.equal(emails.length, 1, 'one email');
  t.equal(emails[0]?.recipientEmail, s.bo.user.email, 'to Bo');
  t.equal(emails[0]?.subject, 'Booked: Lino printing');
  t.match(emails[0]?.textBody, 'Dear Bo Diddley,');
  t.match(emails[0]?.textBody, 'Ada Lovelace, a colleague in your PCN, booked this for you.');

  t.equal((await s.ada.visitor.get(`/bookings/${booking?.id}`)).statusCode, 404, 'Ada cannot open it');
  t.equal((await s.ada.visitor.post(`/bookings/${booking?.id}/cancel`, {})).statusCode, 404, 'nor cancel it');
  t.equal((await s.bo.visitor.get(`/bookings/${booking?.id}`)).statusCode, 200, 'Bo sees it as his');
  const cancelled = await s.bo.visitor.post(`/bookings/${booking?.id}/cancel`, {});
  t.equal(cancelled.statusCode, 303);
  t.equal((await bookingsOn(s.taster.sessionId))[0]?.status, 'cancelled', 'Bo cancels it himself');
});

t.test('a full session puts the colleague on the waiting list, and their email says who did', async (t) => {
  const s = await scene(1);
  await createBooking(db, s.taster.sessionId, (await createUser(db, 'link_worker')).id);
  const response = await s.ada.visitor.post(s.path, { colleague: s.bo.user.id });
  t.equal(response.statusCode, 303);
  const booking = (await bookingsOn(s.taster.sessionId)).find((b) => b.userId === s.bo.user.id);
  t.equal(booking?.status, 'waitlisted');
  t.match((await s.ada.visitor.get(response.headers.location as string)).body, 'Bo Diddley is on the waiting list');
  await renderPendingMessages(db);
  const email = await db.selectFrom('outboxMessages').selectAll().where('dedupeKey', '=', `booking_waitlisted:${booking?.id}`).executeTakeFirstOrThrow();
  t.match(email.textBody, 'Ada Lovelace, a colleague in your PCN, booked this for you.');
});

t.test('someone outside the PCN, disabled, not a link worker, yourself or nobody is refused clearly, and nothing is booked', async (t) => {
  const s = await scene();
  const elsewhere = await createUser(db, 'link_worker', { name: 'Cy Other', pcn: 'Hilltop PCN' });
  const disabled = await createUser(db, 'link_worker', { name: 'Di Disabled', pcn: s.pcn, status: 'disabled' });
  const provider = await createUser(db, 'provider', { name: 'Ed Provider' });
  const coordinator = await createUser(db, 'coordinator', { name: 'Flo Coordinator' });
  const cases: Array<[string, string]> = [
    [elsewhere.id, `Cy Other is not in your PCN: you can only book for colleagues in ${s.pcn}`],
    [disabled.id, "Di Disabled's account is not active, so you cannot book a place for them"],
    [provider.id, 'Ed Provider is not a link worker: you can only book places for link workers'],
    [coordinator.id, 'Flo Coordinator is not a link worker: you can only book places for link workers'],
    [s.ada.user.id, 'To book a place for yourself, use Book a place on the session'],
    ['0b9f3c52-5d55-4a5b-9a43-0c1d2e3f4a5b', 'Choose a colleague from the list'],
    ['', 'Choose the colleague you are booking a place for'],
    ['not-an-id', 'Choose the colleague you are booking a place for'],
    ['x'.repeat(5000), 'Choose the colleague you are booking a place for'],
  ];
  for (const [colleague, message] of cases) {
    const response = await s.ada.visitor.post(s.path, { colleague });
    t.equal(response.statusCode, 400, `${colleague.slice(0, 40)}: 400`);
    t.same(errorSummary(decodeHtml(response.body)), [`colleague: ${message}`]);
    t.equal(fieldError(decodeHtml(response.body), 'colleague'), message);
  }
  const missing = await s.ada.visitor.post(s.path, {});
  t.equal(missing.statusCode, 400);
  t.same(errorSummary(missing.body), ['colleague: Choose the colleague you are booking a place for']);
  for (const value of [...HOSTILE_VALUES, 'a\u0000b', '\ud800']) {
    const response = await s.ada.visitor.post(s.path, { colleague: value });
    t.equal(response.statusCode, 400, `${JSON.stringify(value)} is a 400`);
    t.notMatch(response.body, '<script>alert', 'and is never printed as markup');
  }
  t.same(await bookingsOn(s.taster.sessionId), [], 'nothing booked');
  t.same(await colleagueAudits(s.ada.user.id), [], 'nothing audited');
});

t.test('a colleague who already has a place keeps it; a closed session is refused; staff cannot use the page', async (t) => {
  const s = await scene();
  const own = await createBooking(db, s.taster.sessionId, s.bo.user.id);
  const response = await s.ada.visitor.post(s.path, { colleague: s.bo.user.id });
  t.equal(response.statusCode, 400);
  t.same(errorSummary(response.body), ['colleague: Bo Diddley already has a place on this session: nothing was booked']);
  const rows = await bookingsOn(s.taster.sessionId);
  t.equal(rows.length, 1);
  t.equal(rows[0]?.id, own.id);
  t.equal(rows[0]?.bookedBy, null, 'his own booking stays his own');

  const closed = await createTaster(db, { startsAt: daysFromNow(2), endsAt: daysFromNow(2.1), bookingClosesAt: daysFromNow(-1) });
  const refused = await s.ada.visitor.post(`/sessions/${closed.sessionId}/book-for-colleague`, { colleague: s.bo.user.id });
  t.equal(refused.statusCode, 409);
  t.match(refused.body, 'Booking for this session has closed');
  t.same(await bookingsOn(closed.sessionId), []);

  const staff = await signedIn(app, db, 'provider', { organisationId: s.taster.organisationId });
  t.equal((await staff.visitor.get(s.path)).statusCode, 403);
  t.equal((await staff.visitor.post(s.path, { colleague: s.bo.user.id })).statusCode, 403);
  t.equal((await bookingsOn(s.taster.sessionId)).length, 1);
});
