import t from 'tap';
import { checkInPath, checkInToken, checkInWindow, readCheckInToken } from '../../src/attendance/check-in.ts';
import { createBooking, createOrganisation, createTaster, createUser, type TasterOptions } from '../fixtures/builders.ts';
import { HOUR, startedHoursAgo } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, decodeHtml, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);
const secret = app.config.sessionSecret;
const MINUTE = 60_000;

/** A session from `startsIn` ms from now, lasting an hour, its staff, and Dev with a confirmed place. */
async function scene(startsIn = -10 * MINUTE, extra: TasterOptions = {}) {
  const startsAt = new Date(Date.now() + startsIn);
  const taster = await createTaster(db, {
    title: 'Origami for calm',
    startsAt,
    endsAt: new Date(startsAt.getTime() + HOUR),
    bookingClosesAt: new Date(startsAt.getTime() - 24 * HOUR),
    ...extra,
  });
  const staff = await signedIn(app, db, 'provider', { organisationId: taster.organisationId });
  const dev = await signedIn(app, db, 'link_worker', { name: 'Dev Sharma' });
  const booking = await createBooking(db, taster.sessionId, dev.user.id);
  return { taster, staff, dev, booking, path: checkInPath(secret, taster.sessionId) };
}

const bookingRow = (id: string) => db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const selfCheckIns = (subjectId: string) =>
  db.selectFrom('auditEvents').select(['actorId', 'details']).where('action', '=', 'attendance_self_checked_in').where('subjectId', '=', subjectId).execute();
const text = (html: string) => decodeHtml(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

t.test('a token names one session, and any change to it makes it worthless', async (t) => {
  const a = '0b9f3c52-5d55-4a5b-9a43-0c1d2e3f4a5b';
  const b = '7e6d5c4b-3a29-4817-8615-243342516071';
  const token = checkInToken(secret, a);
  t.equal(readCheckInToken(secret, token), a);
  t.equal(readCheckInToken(secret, `${b}.${token.split('.')[1]}`), null, "another session's id with this signature");
  t.equal(readCheckInToken('another-secret-that-is-long-enough-for-this', token), null, 'signed with another secret');
  t.equal(readCheckInToken(secret, `${token}x`), null, 'altered');
  t.equal(readCheckInToken(secret, 'x'.repeat(43)), null, 'malformed');
});

t.test('the window opens 30 minutes before the start and closes 30 minutes after the end', async (t) => {
  const startsAt = new Date('2027-03-10T14:00:00Z');
  const session = { status: 'published', startsAt, endsAt: new Date('2027-03-10T15:00:00Z') };
  t.equal(checkInWindow(session, new Date('2027-03-10T13:29:59Z')), 'not_yet');
  t.equal(checkInWindow(session, new Date('2027-03-10T13:30:00Z')), 'open');
  t.equal(checkInWindow(session, new Date('2027-03-10T15:30:00Z')), 'open');
  t.equal(checkInWindow(session, new Date('2027-03-10T15:30:01Z')), 'over');
  t.equal(checkInWindow({ ...session, status: 'cancelled' }, new Date('2027-03-10T14:10:00Z')), 'cancelled');
});

t.test('provider staff show the code for their session; it says when it works and leads to the register', async (t) => {
  const s = await scene();
  const page = await s.staff.visitor.get(`/sessions/${s.taster.sessionId}/check-in-code`);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Check in: Origami for calm');
  t.match(page.body, /<img class="tasters-qr tasters-qr--door" id="check-in-qr" src="data:image\/svg\+xml;base64,/);
  t.match(page.body, `${app.config.baseUrl}${s.path}`, 'the address the code holds is written out too');
  t.match(text(page.body), '30 minutes before the start until 30 minutes after the end');
  t.match(page.body, `href="/sessions/${s.taster.sessionId}/register"`);
  const register = await s.staff.visitor.get(`/sessions/${s.taster.sessionId}/register`);
  t.match(register.body, `href="/sessions/${s.taster.sessionId}/check-in-code"`, 'the register links to the code');

  const other = await signedIn(app, db, 'provider', { organisationId: (await createOrganisation(db)).id });
  t.equal((await other.visitor.get(`/sessions/${s.taster.sessionId}/check-in-code`)).statusCode, 404, "another organisation's staff: not found");
  t.equal((await s.dev.visitor.get(`/sessions/${s.taster.sessionId}/check-in-code`)).statusCode, 403, 'a link worker cannot show it');
});

t.test('a booked link worker checks in once; scanning again changes nothing', async (t) => {
  const s = await scene();
  const page = await s.dev.visitor.get(s.path);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Check in');
  t.match(page.body, `action="${s.path}" method="post"`);
  t.equal((await bookingRow(s.booking.id)).attendance, null, 'opening the page records nothing');

  const posted = await s.dev.visitor.post(s.path);
  t.equal(posted.statusCode, 303);
  t.equal(posted.headers.location, s.path);
  const row = await bookingRow(s.booking.id);
  t.equal(row.attendance, 'attended');
  t.equal(row.attendanceMarkedBy, 'self_check_in');
  t.equal(row.attendanceRecordedBy, s.dev.user.id);
  const audits = await selfCheckIns(s.booking.id);
  t.equal(audits.length, 1, 'audited');
  t.equal(audits[0]?.actorId, s.dev.user.id);

  const after = await s.dev.visitor.get(s.path);
  t.equal(heading(after.body), 'You are checked in');
  const again = await s.dev.visitor.post(s.path);
  t.equal(again.statusCode, 303, 'a second scan lands on the same page');
  t.same((await bookingRow(s.booking.id)).attendanceRecordedAt, row.attendanceRecordedAt, 'the first check-in stands');
  t.equal((await selfCheckIns(s.booking.id)).length, 1, 'no second audit entry');

  const register = await s.staff.visitor.get(`/sessions/${s.taster.sessionId}/register`);
  t.match(register.body, 'Checked in by QR code', 'the register shows how it was marked');
  t.match(register.body, `data-hx-get="/sessions/${s.taster.sessionId}/register/live" data-hx-trigger="every 5s"`, 'the register polls for check-ins');
  const live = await s.staff.visitor.get(`/sessions/${s.taster.sessionId}/register/live`, { 'hx-request': 'true' });
  t.equal(live.statusCode, 200);
  t.notMatch(live.body, '<html', 'the live part is a fragment');
  t.match(text(live.body), '1 person attended');
  t.match(live.body, 'Checked in by QR code');

  // The provider corrects it at the register: it is then the register's mark, not a self check-in.
  const corrected = await s.staff.visitor.post(`/sessions/${s.taster.sessionId}/register/${s.booking.id}`, { attendance: 'no_show' });
  t.equal(corrected.statusCode, 303);
  t.equal((await bookingRow(s.booking.id)).attendanceMarkedBy, 'register');
  t.notMatch((await s.staff.visitor.get(`/sessions/${s.taster.sessionId}/register/live`, { 'hx-request': 'true' })).body, 'Checked in by QR code');
  const asPage = await s.staff.visitor.get(`/sessions/${s.taster.sessionId}/register/live`);
  t.equal(asPage.statusCode, 303, 'opened as a page, it is the register');
  t.equal(asPage.headers.location, `/sessions/${s.taster.sessionId}/register`);
});

t.test('before the window opens and after it closes, the page says when and nothing changes', async (t) => {
  const early = await scene(45 * MINUTE);
  const page = await early.dev.visitor.get(early.path);
  t.equal(heading(page.body), 'Check-in has not opened yet');
  t.match(text(page.body), '30 minutes before the start');
  const refused = await early.dev.visitor.post(early.path);
  t.equal(refused.statusCode, 409);
  t.equal(heading(refused.body), 'Check-in has not opened yet');
  t.match(refused.body, 'Nothing has been recorded.');
  t.equal((await bookingRow(early.booking.id)).attendance, null);

  // Started 2 hours ago, an hour long: it ended an hour ago, the window closed 30 minutes ago.
  const late = await scene(-2 * HOUR);
  const closed = await late.dev.visitor.post(late.path);
  t.equal(closed.statusCode, 409);
  t.equal(heading(closed.body), 'Check-in has closed');
  t.match(text(closed.body), 'ask the provider to mark you on their register');
  t.equal((await bookingRow(late.booking.id)).attendance, null);
  t.equal((await selfCheckIns(late.booking.id)).length, 0);

  // 20 minutes before the start, and 20 minutes after the end: inside the margins.
  const soon = await scene(20 * MINUTE);
  t.equal((await soon.dev.visitor.post(soon.path)).statusCode, 303);
  t.equal((await bookingRow(soon.booking.id)).attendance, 'attended');
  const justEnded = await scene(-80 * MINUTE);
  t.equal((await justEnded.dev.visitor.post(justEnded.path)).statusCode, 303);
  t.equal((await bookingRow(justEnded.booking.id)).attendance, 'attended');
});

t.test("another session's code, a code altered to name another session, and a made-up code change nothing", async (t) => {
  const mine = await scene();
  const other = await createTaster(db, { title: 'Drawing', ...startedHoursAgo(0.1) });
  const otherPath = checkInPath(secret, other.sessionId);
  const refused = await mine.dev.visitor.post(otherPath);
  t.equal(refused.statusCode, 409);
  t.equal(heading(refused.body), 'You do not have a place on this session');
  t.match(text(refused.body), 'they can add you as a walk-in');
  t.equal((await bookingRow(mine.booking.id)).attendance, null, 'their own booking is untouched');
  t.equal(
    await db.selectFrom('bookings').select('id').where('tasterSessionId', '=', other.sessionId).executeTakeFirst(),
    undefined,
    'no booking made on the other',
  );

  const forged = `/check-in/${other.sessionId}.${mine.path.split('.')[1]}`;
  for (const path of [forged, `/check-in/${'x'.repeat(43)}`, `/check-in/${mine.taster.sessionId}`]) {
    const page = await mine.dev.visitor.get(path);
    t.equal(page.statusCode, 404, path);
    t.equal(heading(page.body), 'This check-in code does not work');
    t.equal((await mine.dev.visitor.post(path)).statusCode, 404);
  }
  t.equal((await bookingRow(mine.booking.id)).attendance, null);
});

t.test('someone waiting, cancelled or not booked, or a cancelled session, cannot check in', async (t) => {
  const s = await scene();
  const wendy = await signedIn(app, db, 'link_worker');
  const waiting = await createBooking(db, s.taster.sessionId, wendy.user.id, { status: 'waitlisted' });
  const refused = await wendy.visitor.post(s.path);
  t.equal(refused.statusCode, 409);
  t.equal(heading(refused.body), 'You are on the waiting list');
  const row = await bookingRow(waiting.id);
  t.equal(row.attendance, null);
  t.equal(row.status, 'waitlisted', 'not let in from the waiting list');

  const carl = await signedIn(app, db, 'link_worker');
  await createBooking(db, s.taster.sessionId, carl.user.id, { status: 'cancelled' });
  t.equal(heading((await carl.visitor.post(s.path)).body), 'You do not have a place on this session');
  t.equal(heading((await (await signedIn(app, db, 'link_worker')).visitor.post(s.path)).body), 'You do not have a place on this session');

  const cancelled = await scene(-10 * MINUTE, { status: 'cancelled' });
  const page = await cancelled.dev.visitor.post(cancelled.path);
  t.equal(page.statusCode, 409);
  t.equal(heading(page.body), 'This session was cancelled');
  t.equal((await bookingRow(cancelled.booking.id)).attendance, null);
});

t.test('signed out, the code leads to sign in and back; other roles are refused', async (t) => {
  const s = await scene();
  const visitor = new Visitor(app);
  const page = await visitor.get(s.path);
  t.equal(page.statusCode, 302);
  t.equal(page.headers.location, `/sign-in?returnTo=${encodeURIComponent(s.path)}`);
  const provider = await createUser(db, 'provider');
  t.equal((await (await signedIn(app, db, provider)).visitor.get(s.path)).statusCode, 403);
  t.equal((await bookingRow(s.booking.id)).attendance, null);
});
