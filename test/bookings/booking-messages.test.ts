import ICAL from 'ical.js';
import t from 'tap';
import { renderPendingMessages } from '../../src/delivery/render.ts';
import { createTaster, createUser } from '../fixtures/builders.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());
const app = await buildTestApp(t, database, { baseUrl: 'https://tasters.test' });

/** The message as the delivery worker writes it from the facts queued with the booking. */
async function messageOf(dedupeKey: string) {
  await renderPendingMessages(db);
  return db.selectFrom('outboxMessages').selectAll().where('dedupeKey', '=', dedupeKey).executeTakeFirst();
}

/** The one event in an iCalendar text, read back with ical.js using the zone the file defines. */
function onlyEvent(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  const events = calendar.getAllSubcomponents('vevent');
  if (events.length !== 1) throw new Error(`expected one event, found ${events.length}`);
  const event = new ICAL.Event(events[0]!);
  return {
    summary: event.summary,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    tzid: String(events[0]!.getFirstProperty('dtstart')!.getParameter('tzid')),
    url: String(events[0]!.getFirstPropertyValue('url')),
  };
}

t.test('booked, waiting, given a place, cancelled: each person gets the right message, a place comes with its .ics', async (t) => {
  // 28 March 2027, the day the clocks go forward: 2pm BST is 13:00 UTC.
  const startsAt = new Date('2027-03-28T13:00:00Z');
  const taster = await createTaster(db, {
    title: 'Lino printing',
    capacity: 1,
    startsAt,
    endsAt: new Date('2027-03-28T14:30:00Z'),
    town: 'Witney',
    postcode: 'OX28 6AA',
  });
  const ada = await createUser(db, 'link_worker', { name: 'Ada Lovelace' });
  const bo = await createUser(db, 'link_worker', { name: 'Bo Diddley' });
  const { visitor: adaVisitor } = await signedIn(app, db, ada);
  const { visitor: boVisitor } = await signedIn(app, db, bo);
  const adaBooking = String((await adaVisitor.post(`/sessions/${taster.sessionId}/book`, {})).headers.location)
    .split('/')
    .pop()!;
  const boBooking = String((await boVisitor.post(`/sessions/${taster.sessionId}/book`, {})).headers.location)
    .split('/')
    .pop()!;

  const confirmed = (await messageOf(`booking_confirmed:${adaBooking}`))!;
  t.equal(confirmed.recipientEmail, ada.email);
  t.equal(confirmed.subject, 'Booked: Lino printing');
  t.match(confirmed.textBody!, /Dear Ada Lovelace,/);
  t.match(confirmed.textBody!, /When: Sunday 28 March 2027, 2pm to 3:30pm/);
  t.match(confirmed.textBody!, /Witney/);
  t.match(confirmed.textBody!, new RegExp(`See your booking:\\nhttps://tasters\\.test/bookings/${adaBooking}`));
  t.match(confirmed.htmlBody!, new RegExp(`<a href="https://tasters\\.test/bookings/${adaBooking}"`), 'a working link in the HTML');
  t.match(confirmed.htmlBody!, /<html lang="en-GB">/);
  t.equal(confirmed.attachments.length, 1, 'one attachment');
  const [ics] = confirmed.attachments;
  t.equal(ics!.filename, 'taster-booking.ics');
  t.match(ics!.contentType, /^text\/calendar/);
  const event = onlyEvent(ics!.content);
  t.same(
    event,
    {
      summary: 'Taster: Lino printing',
      start: '2027-03-28T13:00:00.000Z',
      end: '2027-03-28T14:30:00.000Z',
      tzid: 'Europe/London',
      url: `https://tasters.test/bookings/${adaBooking}`,
    },
    'the .ics parses, at the right instant in London time',
  );

  const waiting = (await messageOf(`booking_waitlisted:${boBooking}`))!;
  t.equal(waiting.recipientEmail, bo.email);
  t.match(waiting.textBody!, /You are number 1 on the waiting list/);
  t.same(waiting.attachments, [], 'no calendar file for a place not yet had');
  t.notOk(await messageOf(`booking_confirmed:${boBooking}`));

  await adaVisitor.post(`/bookings/${adaBooking}/cancel`, {});
  const cancelled = (await messageOf(`booking_cancelled:${adaBooking}`))!;
  t.equal(cancelled.recipientEmail, ada.email);
  t.equal(cancelled.subject, 'Cancelled: Lino printing');
  t.same(
    cancelled.attachments.map((a) => a.contentType),
    ['text/calendar; charset=utf-8; method=CANCEL'],
    'cancelling a place removes its event from the calendar (test/bookings/calendar/updates.test.ts)',
  );
  const promoted = (await messageOf(`booking_promoted:${boBooking}`))!;
  t.equal(promoted.recipientEmail, bo.email);
  t.equal(promoted.subject, 'You have a place: Lino printing');
  t.equal(onlyEvent(promoted.attachments[0]!.content).summary, 'Taster: Lino printing', 'the person promoted gets the .ics too');

  const all = await db.selectFrom('outboxMessages').select(['recipientEmail', 'kind']).where('dedupeKey', 'like', `%:${adaBooking}`).execute();
  t.same(all.map((m) => m.kind).sort(), ['booking_cancelled', 'booking_confirmed'], 'Ada: one message per event');
});
