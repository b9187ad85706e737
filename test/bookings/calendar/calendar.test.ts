import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import t from 'tap';
import { hashToken } from '../../../src/lib/tokens.ts';
import { createBooking, createTaster, createUser } from '../../fixtures/builders.ts';
import { signedIn } from '../../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, decodeHtml } from '../../helper.ts';
import { readCalendar } from './parse.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());

const london = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/London' }).toJSDate();

type ParsedEvent = {
  uid: string;
  summary: string;
  status: string;
  start: string;
  end: string;
  tzid: string;
  startUtc: string;
  endUtc: string;
  description: string;
};

/** Parses an iCalendar text with ical.js, using only the time zones the file itself defines. */
function parseCalendar(text: string): ParsedEvent[] {
  readCalendar(text); // CRLF line ends, the last one included, and lines of at most 75 octets
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  return calendar.getAllSubcomponents('vevent').map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      summary: event.summary,
      status: String(component.getFirstPropertyValue('status')),
      start: event.startDate.toString(),
      end: event.endDate.toString(),
      tzid: String(component.getFirstProperty('dtstart')!.getParameter('tzid')),
      startUtc: event.startDate.toJSDate().toISOString(),
      endUtc: event.endDate.toJSDate().toISOString(),
      description: event.description,
    };
  });
}

// 28 March 2027: the clocks go forward. 10:00 London is 10:00 UTC the day before, 09:00 UTC the day after.
const beforeChange = await createTaster(db, { title: 'Saturday singing', startsAt: london('2027-03-27T10:00'), endsAt: london('2027-03-27T11:30') });
const afterChange = await createTaster(db, { title: 'Monday origami', startsAt: london('2027-03-29T10:00'), endsAt: london('2027-03-29T11:30'), capacity: 1 });
const app = await buildTestApp(t, database);

t.test('"add to calendar" gives an .ics file with London times that survive the clock change', async (t) => {
  const me = await createUser(db, 'link_worker');
  const { visitor } = await signedIn(app, db, me);
  const results = [];
  for (const taster of [beforeChange, afterChange]) {
    const booked = await visitor.post(`/sessions/${taster.sessionId}/book`, {});
    const download = await visitor.get(`${booked.headers.location}/calendar.ics`);
    t.equal(download.statusCode, 200);
    t.match(download.headers['content-type'], /^text\/calendar/);
    t.match(download.headers['content-disposition'], /attachment; filename="taster-booking\.ics"/);
    const [event] = parseCalendar(download.body);
    results.push(event!);
  }
  t.same(
    results.map((e) => [e.summary, e.tzid, e.start, e.startUtc, e.endUtc, e.status]),
    [
      ['Taster: Saturday singing', 'Europe/London', '2027-03-27T10:00:00', '2027-03-27T10:00:00.000Z', '2027-03-27T11:30:00.000Z', 'CONFIRMED'],
      ['Taster: Monday origami', 'Europe/London', '2027-03-29T10:00:00', '2027-03-29T09:00:00.000Z', '2027-03-29T10:30:00.000Z', 'CONFIRMED'],
    ],
  );
  t.match(results[0]!.uid, /^booking-[0-9a-f-]+@/);
  t.match(results[0]!.description, /\/bookings\/[0-9a-f-]+/);
});

t.test('the private feed: subscribed without cookies, waiting lists tentative, reset stops the old address', async (t) => {
  const me = await createUser(db, 'link_worker', { name: 'Feed Person' });
  await createBooking(db, beforeChange.sessionId, me.id);
  await createBooking(db, afterChange.sessionId, (await createUser(db, 'link_worker')).id);
  await createBooking(db, afterChange.sessionId, me.id, { status: 'waitlisted' });
  const { visitor } = await signedIn(app, db, me);

  const start = await visitor.get('/my-bookings/calendar-feed');
  t.match(start.body, /Set up a calendar feed/);
  const created = await visitor.post('/my-bookings/calendar-feed', {});
  t.equal(created.statusCode, 200);
  const url = decodeHtml(/id="feed-url" type="text" readonly value="([^"]+)"/.exec(created.body)![1]!);
  t.match(url, /^http:\/\/localhost:3000\/calendar\/[A-Za-z0-9_-]{40,}\.ics$/);
  const path = new URL(url).pathname;
  const token = path.slice('/calendar/'.length, -'.ics'.length);
  const stored = await db.selectFrom('calendarFeeds').selectAll().where('userId', '=', me.id).executeTakeFirstOrThrow();
  t.equal(stored.tokenHash, hashToken(token), 'only the hash is stored');
  t.notMatch(JSON.stringify(stored), token);

  // A calendar server fetches it: no cookies at all, and none are set.
  const feed = await app.inject({ method: 'GET', url: path });
  t.equal(feed.statusCode, 200);
  t.match(feed.headers['content-type'], /^text\/calendar/);
  t.notOk(feed.headers['set-cookie'], 'no cookie set');
  const events = parseCalendar(feed.body);
  t.same(
    events.map((e) => [e.summary, e.status, e.startUtc]),
    [
      ['Taster: Saturday singing', 'CONFIRMED', '2027-03-27T10:00:00.000Z'],
      ['Taster: Monday origami (waiting list)', 'TENTATIVE', '2027-03-29T09:00:00.000Z'],
    ],
  );
  t.match(events[1]!.description, /You are number 1 on the waiting list/);
  t.ok(
    (await db.selectFrom('calendarFeeds').select('lastFetchedAt').where('userId', '=', me.id).executeTakeFirstOrThrow()).lastFetchedAt,
    'last read is recorded',
  );
  const page = await visitor.get('/my-bookings');
  t.match(page.body, /Manage your calendar feed/);

  const managed = await visitor.get('/my-bookings/calendar-feed');
  t.match(managed.body, /Make a new address/);
  t.notMatch(managed.body, new RegExp(token), 'the address is never shown again');
  const reset = await visitor.post('/my-bookings/calendar-feed', {});
  const newUrl = decodeHtml(/id="feed-url" type="text" readonly value="([^"]+)"/.exec(reset.body)![1]!);
  t.not(newUrl, url);
  t.equal((await app.inject({ method: 'GET', url: path })).statusCode, 404, 'the old address stops working');
  t.equal((await app.inject({ method: 'GET', url: new URL(newUrl).pathname })).statusCode, 200, 'the new one works');
});

t.test('unknown, malformed and disabled feeds are not found', async (t) => {
  t.equal((await app.inject({ method: 'GET', url: '/calendar/not-a-real-token-at-all-0123456789.ics' })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/calendar/short.ics' })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/calendar/abc' })).statusCode, 404);
  const person = await createUser(db, 'link_worker');
  const { visitor } = await signedIn(app, db, person);
  const created = await visitor.post('/my-bookings/calendar-feed', {});
  const path = new URL(decodeHtml(/id="feed-url" type="text" readonly value="([^"]+)"/.exec(created.body)![1]!)).pathname;
  t.equal((await app.inject({ method: 'GET', url: path })).statusCode, 200);
  await db.updateTable('users').set({ status: 'disabled' }).where('id', '=', person.id).execute();
  t.equal((await app.inject({ method: 'GET', url: path })).statusCode, 404, 'a disabled account has no feed');
});

t.test('a cancelled booking has no calendar file', async (t) => {
  const person = await createUser(db, 'link_worker');
  const booking = await createBooking(db, beforeChange.sessionId, person.id, { status: 'cancelled' });
  const { visitor } = await signedIn(app, db, person);
  t.equal((await visitor.get(`/bookings/${booking.id}/calendar.ics`)).statusCode, 404);
});
