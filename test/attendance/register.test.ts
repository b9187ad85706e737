import t from 'tap';
import { createBooking, createOrganisation, createTaster, createUser } from '../fixtures/builders.ts';
import { HOSTILE } from '../fixtures/hostile.ts';
import { startedHoursAgo } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

/** A session that started an hour ago, its organisation's staff member, and two booked link workers. */
async function scene(options: Parameters<typeof createTaster>[1] = startedHoursAgo(1)) {
  const taster = await createTaster(db, { title: 'Singing for wellbeing', ...options });
  const staff = await signedIn(app, db, 'provider', { organisationId: taster.organisationId });
  const dev = await createUser(db, 'link_worker', { name: 'Dev Sharma', practice: 'Jericho Health Centre' });
  const sam = await createUser(db, 'link_worker', { name: 'Sam Green', practice: 'Cowley Road Surgery' });
  const devBooking = await createBooking(db, taster.sessionId, dev.id);
  const samBooking = await createBooking(db, taster.sessionId, sam.id);
  return { taster, staff, dev, sam, devBooking, samBooking, register: `/sessions/${taster.sessionId}/register` };
}

const bookingRow = (id: string) => db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const audits = (subjectId: string) =>
  db.selectFrom('auditEvents').select(['action', 'actorId', 'details']).where('subjectId', '=', subjectId).orderBy('id').execute();

t.test('the register shows names and practices of booked and waiting people, never contact details', async (t) => {
  const s = await scene();
  const waiting = await createUser(db, 'link_worker', { name: 'Wendy Waiting', practice: 'Headington Surgery' });
  await createBooking(db, s.taster.sessionId, waiting.id, { status: 'waitlisted' });
  const page = await s.staff.visitor.get(s.register);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Register: Singing for wellbeing');
  for (const text of ['Dev Sharma', 'Jericho Health Centre', 'Sam Green', 'Cowley Road Surgery', 'Wendy Waiting', 'Waiting list (1)']) {
    t.match(page.body, text, `shows ${text}`);
  }
  t.notMatch(page.body, s.dev.email, 'no email address at the door');
  t.match(page.body, /aria-live="polite"/, 'an aria-live region announces changes');
  t.match(page.body, /0 people attended, 0 did not attend, 2 not marked yet/);
});

t.test('only the session organisation and coordinators can open or change the register', async (t) => {
  const s = await scene();
  const coordinator = await signedIn(app, db, 'coordinator');
  t.equal((await coordinator.visitor.get(s.register)).statusCode, 200, 'a coordinator may');

  const otherOrganisation = await createOrganisation(db);
  const stranger = await signedIn(app, db, 'provider', { organisationId: otherOrganisation.id });
  t.equal((await stranger.visitor.get(s.register)).statusCode, 404, 'another organisation gets not found');
  const marked = await stranger.visitor.post(`${s.register}/${s.devBooking.id}`, { attendance: 'attended' });
  t.equal(marked.statusCode, 404, 'and cannot mark anyone');
  const walkIn = await stranger.visitor.post(`${s.register}/walk-ins`, { email: s.sam.email });
  t.equal(walkIn.statusCode, 404, 'nor add a walk-in');
  const complete = await stranger.visitor.post(`${s.register}/complete`);
  t.equal(complete.statusCode, 404, 'nor complete the register');

  const linkWorker = await signedIn(app, db, 'link_worker');
  const refused = await linkWorker.visitor.get(s.register);
  t.equal(refused.statusCode, 403, 'a link worker is refused');
  t.equal((await linkWorker.visitor.post(`${s.register}/${s.devBooking.id}`, { attendance: 'attended' })).statusCode, 403);

  t.equal((await bookingRow(s.devBooking.id)).attendance, null, 'nothing was marked');
  t.equal((await bookingRow(s.samBooking.id)).attendance, null);
  const session = await db.selectFrom('tasterSessions').select('registerCompletedAt').where('id', '=', s.taster.sessionId).executeTakeFirstOrThrow();
  t.equal(session.registerCompletedAt, null, 'the register was not completed');
});

t.test('a plain form marks someone and comes back to them on the register, with an audit entry', async (t) => {
  const s = await scene();
  const response = await s.staff.visitor.post(`${s.register}/${s.devBooking.id}`, { attendance: 'attended' });
  t.equal(response.statusCode, 303);
  t.equal(response.headers.location, `${s.register}?done=marked#booking-${s.devBooking.id}`);
  const row = await bookingRow(s.devBooking.id);
  t.equal(row.attendance, 'attended');
  t.equal(row.attendanceRecordedBy, s.staff.user.id);
  t.ok(row.attendanceRecordedAt);
  const after = await s.staff.visitor.get(response.headers.location as string);
  t.match(after.body, 'Attendance recorded.');
  t.match(after.body, /1 person attended, 0 did not attend, 1 not marked yet/);

  await s.staff.visitor.post(`${s.register}/${s.devBooking.id}`, { attendance: 'no_show' });
  t.equal((await bookingRow(s.devBooking.id)).attendance, 'no_show', 'a mark can be changed');
  const entries = await audits(s.devBooking.id);
  t.same(
    entries.map((e) => [e.action, e.actorId, e.details.attendance, e.details.previous]),
    [
      ['attendance_recorded', s.staff.user.id, 'attended', null],
      ['attendance_recorded', s.staff.user.id, 'no_show', 'attended'],
    ],
    'every mark is audited',
  );
});

t.test('with htmx the reply is just the row, the counts and an announcement', async (t) => {
  const s = await scene();
  const response = await s.staff.visitor.post(`${s.register}/${s.samBooking.id}`, { attendance: 'no_show' }, { headers: { 'hx-request': 'true' } });
  t.equal(response.statusCode, 200);
  t.notMatch(response.body, /<html|<h1/, 'no page around it');
  t.match(response.body, new RegExp(`<li [^>]*id="booking-${s.samBooking.id}"`));
  t.match(response.body, 'Did not attend');
  t.match(response.body, /<hx-partial data-hx-target="#register-counts"[^>]*>0 people attended, 1 did not attend, 1 not marked yet/);
  t.match(response.body, /<hx-partial data-hx-target="#register-announcement"[^>]*>Sam Green marked as did not attend\.<\/hx-partial>/);
  t.equal((await bookingRow(s.samBooking.id)).attendance, 'no_show');
});

t.test('attendance is recorded from the start of the session until 14 days after', async (t) => {
  const future = await scene({
    startsAt: new Date(Date.now() + 3_600_000),
    endsAt: new Date(Date.now() + 3 * 3_600_000),
    bookingClosesAt: new Date(Date.now() - 3_600_000),
  });
  const early = await future.staff.visitor.post(`${future.register}/${future.devBooking.id}`, { attendance: 'attended' });
  t.equal(early.statusCode, 400);
  t.same(errorSummary(early.body), ['register: You can record attendance from the start of the session']);
  const page = await future.staff.visitor.get(future.register);
  t.match(page.body, 'You can record attendance from the start of the session', 'the page says when');
  t.notMatch(page.body, />Attended<span/, 'and offers no buttons yet');

  const old = await scene(startedHoursAgo(15 * 24 + 3));
  const late = await old.staff.visitor.post(`${old.register}/${old.devBooking.id}`, { attendance: 'attended' }, { headers: { 'hx-request': 'true' } });
  t.equal(late.statusCode, 400);
  t.match(late.body, /Not changed: Attendance can only be changed until 14 days after the session/);
  const walkIn = await old.staff.visitor.post(`${old.register}/walk-ins`, { email: old.sam.email });
  t.equal(walkIn.statusCode, 400);
  t.equal((await bookingRow(old.devBooking.id)).attendance, null);

  const recent = await scene(startedHoursAgo(13 * 24));
  const inTime = await recent.staff.visitor.post(`${recent.register}/${recent.devBooking.id}`, { attendance: 'attended' });
  t.equal(inTime.statusCode, 303, 'thirteen days after is still in time');

  const cancelled = await scene({ ...startedHoursAgo(1), status: 'cancelled' });
  const none = await cancelled.staff.visitor.post(`${cancelled.register}/${cancelled.devBooking.id}`, { attendance: 'attended' });
  t.equal(none.statusCode, 400);
  t.match(none.body, 'This session was cancelled');
});

t.test('someone from the waiting list who comes is let in as a walk-in', async (t) => {
  const s = await scene();
  const wendy = await createUser(db, 'link_worker', { name: 'Wendy Waiting' });
  const waiting = await createBooking(db, s.taster.sessionId, wendy.id, { status: 'waitlisted' });
  const refused = await s.staff.visitor.post(`${s.register}/${waiting.id}`, { attendance: 'no_show' });
  t.equal(refused.statusCode, 400, 'a waiting person had no place to miss');
  t.equal((await bookingRow(waiting.id)).attendance, null);
  await s.staff.visitor.post(`${s.register}/${waiting.id}`, { attendance: 'attended' });
  const row = await bookingRow(waiting.id);
  t.same([row.status, row.isWalkIn, row.attendance], ['confirmed', true, 'attended']);
  t.ok(row.confirmedAt);
});

t.test('walk-ins are added by email; an unknown email gets a clear message', async (t) => {
  const s = await scene();
  const walker = await createUser(db, 'link_worker', { name: 'Walt Walker' });
  const added = await s.staff.visitor.post(`${s.register}/walk-ins`, { email: walker.email.toUpperCase() });
  t.equal(added.statusCode, 303);
  const booking = await db.selectFrom('bookings').selectAll().where('userId', '=', walker.id).executeTakeFirstOrThrow();
  t.same([booking.status, booking.isWalkIn, booking.attendance, booking.attendanceRecordedBy], ['confirmed', true, 'attended', s.staff.user.id]);
  t.equal(added.headers.location, `${s.register}?done=walk-in-added#booking-${booking.id}`);
  t.same(
    (await audits(booking.id)).map((a) => a.action),
    ['walk_in_added'],
  );

  const again = await s.staff.visitor.post(`${s.register}/walk-ins`, { email: walker.email });
  t.equal(again.headers.location, `${s.register}?done=walk-in-already#booking-${booking.id}`, 'adding them twice is harmless');
  t.equal(
    Number(
      (
        await db
          .selectFrom('bookings')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('userId', '=', walker.id)
          .executeTakeFirstOrThrow()
      ).n,
    ),
    1,
  );

  const booked = await s.staff.visitor.post(`${s.register}/walk-ins`, { email: s.dev.email });
  t.equal(booked.headers.location, `${s.register}?done=walk-in-marked#booking-${s.devBooking.id}`, 'someone who booked is just marked');
  const devRow = await bookingRow(s.devBooking.id);
  t.same([devRow.isWalkIn, devRow.attendance], [false, 'attended']);

  for (const email of ['nobody-at-all@nhs.net', s.staff.user.email]) {
    const unknown = await s.staff.visitor.post(`${s.register}/walk-ins`, { email });
    t.equal(unknown.statusCode, 400);
    t.match(fieldError(unknown.body, 'email'), /No link worker has an account with this email address/);
    t.match(unknown.body, `value="${email}"`, 'the email typed is kept');
  }
  const hostile = await s.staff.visitor.post(`${s.register}/walk-ins`, { email: HOSTILE });
  t.equal(hostile.statusCode, 400);
  t.notMatch(hostile.body, '<script>alert(1)</script>', 'a hostile email typed is shown back as text');
  t.match(hostile.body, 'value="&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;');
  const blank = await s.staff.visitor.post(`${s.register}/walk-ins`, { email: '' });
  t.equal(fieldError(blank.body, 'email'), 'Enter the email address of the link worker who turned up');
});

t.test('"Register complete" records everyone unmarked as did not attend, and the time', async (t) => {
  const s = await scene();
  await s.staff.visitor.post(`${s.register}/${s.devBooking.id}`, { attendance: 'attended' });
  const done = await s.staff.visitor.post(`${s.register}/complete`);
  t.equal(done.statusCode, 303);
  t.equal((await bookingRow(s.devBooking.id)).attendance, 'attended');
  t.equal((await bookingRow(s.samBooking.id)).attendance, 'no_show');
  const session = await db
    .selectFrom('tasterSessions')
    .select(['registerCompletedAt', 'registerCompletedBy'])
    .where('id', '=', s.taster.sessionId)
    .executeTakeFirstOrThrow();
  t.ok(session.registerCompletedAt);
  t.equal(session.registerCompletedBy, s.staff.user.id);
  t.same(
    (await audits(s.samBooking.id)).map((a) => [a.action, a.details.byRegisterComplete]),
    [['attendance_recorded', true]],
  );
  t.same(
    (await audits(s.taster.sessionId)).map((a) => [a.action, a.details.markedDidNotAttend]),
    [['register_completed', 1]],
  );
  const page = await s.staff.visitor.get(done.headers.location as string);
  t.match(page.body, 'Register complete');
});

t.test('a booking of another session cannot be marked through this one', async (t) => {
  const s = await scene();
  const other = await scene();
  const response = await s.staff.visitor.post(`${s.register}/${other.devBooking.id}`, { attendance: 'attended' });
  t.equal(response.statusCode, 404);
  t.equal((await bookingRow(other.devBooking.id)).attendance, null);
  const nonsense = await s.staff.visitor.post(`${s.register}/${s.devBooking.id}`, { attendance: 'maybe' });
  t.equal(nonsense.statusCode, 400, 'an unknown mark is refused');
  t.equal((await bookingRow(s.devBooking.id)).attendance, null);
});

t.test('hostile names and practices show as text', async (t) => {
  const taster = await createTaster(db, { ...startedHoursAgo(1), title: HOSTILE });
  const staff = await signedIn(app, db, 'provider', { organisationId: taster.organisationId });
  const person = await createUser(db, 'link_worker', { name: HOSTILE, practice: HOSTILE });
  const booking = await createBooking(db, taster.sessionId, person.id);
  const page = await staff.visitor.get(`/sessions/${taster.sessionId}/register`);
  t.notMatch(page.body, '<script>alert(1)</script>');
  t.notMatch(page.body, '<img src=x');
  t.notMatch(page.body, '<div hx-get="/x"');
  t.match(page.body, '&lt;script&gt;alert(1)&lt;/script&gt;');
  const fragment = await staff.visitor.post(
    `/sessions/${taster.sessionId}/register/${booking.id}`,
    { attendance: 'attended' },
    { headers: { 'hx-request': 'true' } },
  );
  t.notMatch(fragment.body, '<script>alert(1)</script>');
  t.notMatch(fragment.body, '<img src=x');
  t.match(fragment.body, '&lt;script&gt;');
});
