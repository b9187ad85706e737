import { DateTime } from 'luxon';
import t from 'tap';
import { DEMO_PASSWORD, seedDemoData } from '../../src/demo/seed.ts';
import { londonParts } from '../../src/lib/london-time.ts';
import { buildTestApp, createTestDatabase, Visitor } from '../helper.ts';

// The demo is what people judge the service by on first start: its people must behave like real
// link workers (a few tasters a quarter, not one a day), and the day's register must be there to try.

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const now = new Date();
t.equal(await seedDemoData(db, now), true);
const today = londonParts(now).isoDate;

const linkWorkerBookings = () =>
  db
    .selectFrom('bookings as b')
    .innerJoin('users as u', 'u.id', 'b.userId')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .select(['u.id as userId', 'u.email', 'b.status', 'b.attendance', 's.startsAt'])
    .where('u.role', '=', 'link_worker')
    .execute();

t.test('each link worker attends a few tasters a quarter, not dozens', async (t) => {
  const attended = (await linkWorkerBookings()).filter((b) => b.attendance === 'attended');
  const perQuarter = new Map<string, number>();
  for (const b of attended) {
    const key = `${b.email} ${DateTime.fromJSDate(b.startsAt, { zone: 'Europe/London' }).toFormat('yyyy-q')}`;
    perQuarter.set(key, (perQuarter.get(key) ?? 0) + 1);
  }
  const busiest = [...perQuarter].sort((a, b) => b[1] - a[1])[0]!;
  t.ok(busiest[1] <= 6, `the busiest link worker and quarter: ${busiest[0]} with ${busiest[1]}`);
  const people = new Set(attended.map((b) => b.email));
  t.ok(people.size >= 20, `${people.size} link workers attended something`);
  t.ok(attended.length / people.size <= 15, `${(attended.length / people.size).toFixed(1)} tasters each over the whole history`);
});

t.test('some link workers never refer, and some people do not turn up', async (t) => {
  const bookings = await linkWorkerBookings();
  const referrers = new Set((await db.selectFrom('referralReports').select('userId').execute()).map((r) => r.userId));
  const attenders = new Set(bookings.filter((b) => b.attendance === 'attended').map((b) => b.userId));
  const neverReferred = [...attenders].filter((id) => !referrers.has(id));
  t.ok(neverReferred.length >= 1, `${neverReferred.length} link workers tried tasters and never recorded a referral`);
  t.ok(referrers.size >= 1, 'others did');
  const noShows = bookings.filter((b) => b.attendance === 'no_show').length;
  t.ok(noShows >= 1, `${noShows} no-shows`);
  t.ok(noShows <= bookings.filter((b) => b.attendance === 'attended').length / 8, 'a handful, not a habit');
});

t.test('feedback is sometimes missing, and the answers vary', async (t) => {
  const attended = await db.selectFrom('bookings').select('id').where('attendance', '=', 'attended').execute();
  const feedback = await db
    .selectFrom('feedback as f')
    .innerJoin('bookings as b', 'b.id', 'f.bookingId')
    .select(['f.rating', 'f.confidenceAfter', 'b.confidenceBefore'])
    .execute();
  t.ok(feedback.length > 0 && feedback.length < attended.length, `${feedback.length} feedback for ${attended.length} attended`);
  t.ok(new Set(feedback.map((f) => f.rating)).size >= 3, 'ratings vary');
  const changes = feedback.filter((f) => f.confidenceBefore !== null).map((f) => f.confidenceAfter - f.confidenceBefore!);
  t.ok(changes.some((c) => c > 0) && changes.some((c) => c <= 0), 'confidence rose for most, not for everyone');
});

t.test('a popular upcoming session or two has a waiting list', async (t) => {
  const waiting = await db
    .selectFrom('bookings as b')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .select('s.id')
    .distinct()
    .where('b.status', '=', 'waitlisted')
    .where('s.startsAt', '>', now)
    .execute();
  t.ok(waiting.length >= 1 && waiting.length <= 2, `${waiting.length} upcoming sessions with a waiting list`);
});

t.test('a session today, its booked link workers not yet marked, for the demo provider to take the register', async (t) => {
  const sessions = await db
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .select(['s.id', 's.startsAt', 's.status', 's.registerCompletedAt', 'org.name as organisation'])
    .where('s.status', '=', 'published')
    .execute();
  const todays = sessions.filter((s) => londonParts(s.startsAt).isoDate === today && s.organisation === 'Riverside Museum');
  t.equal(todays.length, 1, 'one museum session today');
  const session = todays[0]!;
  t.ok(session.startsAt <= now, 'already started, so the register is open');
  t.equal(session.registerCompletedAt, null);
  const booked = await db.selectFrom('bookings').select(['status', 'attendance']).where('tasterSessionId', '=', session.id).execute();
  const confirmed = booked.filter((b) => b.status === 'confirmed');
  t.ok(confirmed.length >= 3, `${confirmed.length} confirmed`);
  t.ok(
    confirmed.every((b) => b.attendance === null),
    'nobody marked yet',
  );

  const app = await buildTestApp(t, database);
  const amira = new Visitor(app);
  await amira.signIn('amira@riverside-museum.example.org', DEMO_PASSWORD);
  const register = await amira.get(`/sessions/${session.id}/register`);
  t.equal(register.statusCode, 200);
  t.match(register.body, new RegExp(`0 people attended, 0 did not attend, ${confirmed.length} not marked yet`));
});

t.test('Dev, the demo link worker, has a place today, a waiting list to watch and feedback to give', async (t) => {
  const app = await buildTestApp(t, database);
  const dev = new Visitor(app);
  await dev.signIn('dev.linkworker@nhs.net', DEMO_PASSWORD);
  const bookings = await dev.get('/my-bookings');
  t.equal(bookings.statusCode, 200);
  t.match(bookings.body, 'Object handling and conversation');
  t.match(bookings.body, /You are number <strong>1<\/strong> on the waiting list/);
  const latest = await db
    .selectFrom('bookings as b')
    .innerJoin('users as u', 'u.id', 'b.userId')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .leftJoin('feedback as f', 'f.bookingId', 'b.id')
    .select(['s.endsAt', 'f.id as feedbackId'])
    .where('u.email', '=', 'dev.linkworker@nhs.net')
    .where('b.attendance', '=', 'attended')
    .orderBy('s.startsAt', 'desc')
    .executeTakeFirstOrThrow();
  t.ok(now.getTime() - latest.endsAt.getTime() < 15 * 86_400_000, 'attended one in the last fortnight');
  t.equal(latest.feedbackId, null, 'and has not given feedback on it yet');
});

t.test('the coordinator\u2019s reports page shows figures', async (t) => {
  const app = await buildTestApp(t, database);
  const helen = new Visitor(app);
  await helen.signIn('helen.coordinator@nhs.net', DEMO_PASSWORD);
  const page = await helen.get('/reports');
  t.equal(page.statusCode, 200);
  const fill = /\((\d+) of (\d+) places booked\)/.exec(page.body);
  t.ok(fill && Number(fill[1]) > 0 && Number(fill[1]) < Number(fill[2]), `places booked: ${fill?.[0]}`);
  const noShows = /\((\d+) of (\d+) booked people whose attendance was recorded\)/.exec(page.body);
  t.ok(noShows && Number(noShows[1]) > 0, `no-shows: ${noShows?.[0]}`);
  t.match(page.body, /Average rating<\/dt><dd class="nhsuk-summary-list__value">[1-5]\.\d out of 5/);
  const intend = /(\d+) yes, (\d+) maybe, (\d+) no/.exec(page.body);
  t.ok(intend && Number(intend[1]) > 0, `intend to refer: ${intend?.[0]}`);
  const recorded = /All referrals recorded from [A-Z][a-z]+ \d{4} on<\/dt><dd class="nhsuk-summary-list__value">(\d+)/.exec(page.body);
  t.ok(recorded && Number(recorded[1]) > 0, `referrals recorded: ${recorded?.[1]}`);
});
