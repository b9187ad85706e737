import ICAL from 'ical.js';
import t from 'tap';
import { deliverMessage } from '../../src/delivery/worker.ts';
import { viewHelpers as h } from '../../src/lib/view-helpers.ts';
import { smtpMailer } from '../../src/messages/mailer.ts';
import { readCalendar } from '../bookings/calendar/parse.ts';
import { createOffer, createSession, createUser, createVenue, type TestUser } from '../fixtures/builders.ts';
import { startSmtp } from '../fixtures/delivery.ts';
import { at } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase } from '../helper.ts';
import { dateFields, londonDate, sessionFields } from '../publishing/helpers.ts';

/**
 * Emails about bookings and sessions are queued as facts while the session is locked, and written
 * later by the delivery worker. They must still say what was true at the change: a session moved
 * after someone booked, before the worker got to the confirmation, is confirmed at the time it had
 * when they booked, and the change email gives the new one.
 */
const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());
const BASE_URL = 'https://tasters.test';
const app = await buildTestApp(t, database, { baseUrl: BASE_URL });

const messageOf = (dedupeKey: string) => db.selectFrom('outboxMessages').selectAll().where('dedupeKey', '=', dedupeKey).executeTakeFirstOrThrow();

function onlyEventStart(ics: string): string {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  return new ICAL.Event(calendar.getFirstSubcomponent('vevent')!).startDate.toJSDate().toISOString();
}

t.test('a session moved after booking, before delivery: the confirmation has the time when booked, the change email the new one', async (t) => {
  const { visitor: provider, user } = await signedIn(app, db, 'provider');
  const gallery = await createVenue(db, user.organisationId!, { name: 'The Long Gallery', town: 'Oxford' });
  const printRoom = await createVenue(db, user.organisationId!, { name: 'The Print Room', town: 'Abingdon' });
  const offer = await createOffer(db, user.organisationId!, { title: 'Printmaking taster', usualVenueId: gallery.id });
  const was = at(14, 14);
  const session = await createSession(db, offer.id, { venueId: gallery.id, capacity: 1, startsAt: was, endsAt: new Date(was.getTime() + 90 * 60_000) });
  const ada = await createUser(db, 'link_worker', { name: 'Ada Lovelace' });
  const bo = await createUser(db, 'link_worker', { name: 'Bo Diddley' });
  const book = async (person: TestUser) =>
    String((await (await signedIn(app, db, person)).visitor.post(`/sessions/${session.id}/book`, {})).headers.location)
      .split('/')
      .pop()!;
  const adaBooking = await book(ada);
  const boBooking = await book(bo);

  const moved = await provider.post(
    `/sessions/${session.id}/edit`,
    sessionFields(printRoom.id, { ...dateFields(londonDate(21)), startTime: '10:00', endTime: '11:30', capacity: '1' }),
  );
  t.equal(moved.statusCode, 303);
  const now = await db.selectFrom('tasterSessions').select(['startsAt', 'endsAt']).where('id', '=', session.id).executeTakeFirstOrThrow();
  const oldWhen = `${h.date(was)}, 2pm to 3:30pm`;
  const newWhen = `${h.date(now.startsAt)}, 10am to 11:30am`;

  const queued = await db.selectFrom('outboxMessages').selectAll().where('recipientId', 'in', [ada.id, bo.id]).orderBy('createdAt').execute();
  t.same(queued.map((m) => m.kind).sort(), ['booking_confirmed', 'booking_waitlisted', 'session_changed', 'session_changed']);
  t.ok(
    queued.every((m) => m.facts !== null && m.textBody === null),
    'nothing written until the worker runs',
  );

  // The worker: the first attempt at Ada's confirmation is refused, as mail servers sometimes do.
  const smtp = await startSmtp(t);
  const mailer = smtpMailer({ url: smtp.url, from: 'Tasters <no-reply@tasters.test>', baseUrl: BASE_URL });
  t.teardown(() => mailer.close());
  const confirmationId = (await messageOf(`booking_confirmed:${adaBooking}`)).id;
  smtp.refuseNext(1);
  await t.rejects(deliverMessage(db, mailer, confirmationId), /451/);
  const firstTry = await messageOf(`booking_confirmed:${adaBooking}`);
  t.ok(firstTry.textBody, 'written before the first attempt, and kept');
  // Whatever happens to the session meanwhile, the retry sends what the first attempt sent.
  await db.updateTable('offers').set({ title: 'Renamed since' }).where('id', '=', offer.id).execute();
  for (const message of queued) t.equal(await deliverMessage(db, mailer, message.id), 'sent');

  const confirmation = await messageOf(`booking_confirmed:${adaBooking}`);
  t.same(
    [confirmation.subject, confirmation.textBody, confirmation.htmlBody, confirmation.attachments],
    [firstTry.subject, firstTry.textBody, firstTry.htmlBody, firstTry.attachments],
    'the retry sent the same words and file',
  );
  t.equal(smtp.refused[0], `<${confirmationId}@tasters.test>`);
  t.ok(
    smtp.accepted.some((mail) => mail.messageId === smtp.refused[0] && /^Subject: Booked: Printmaking taster/m.test(mail.raw)),
    'with the same Message-ID',
  );

  t.equal(confirmation.subject, 'Booked: Printmaking taster');
  t.match(confirmation.textBody!, `When: ${oldWhen}`, 'the confirmation: the time when Ada booked');
  t.match(confirmation.textBody!, /Where: The Long Gallery/);
  t.notMatch(confirmation.textBody!, /The Print Room|10am/);
  t.equal(onlyEventStart(confirmation.attachments[0]!.content), was.toISOString(), 'and so does its calendar file');
  const waiting = await messageOf(`booking_waitlisted:${boBooking}`);
  t.match(waiting.textBody!, /You are number 1 on the waiting list/);
  t.match(waiting.textBody!, `When: ${oldWhen}`);

  const changes = await db.selectFrom('outboxMessages').selectAll().where('kind', '=', 'session_changed').where('recipientId', 'in', [ada.id, bo.id]).execute();
  t.equal(changes.length, 2);
  for (const change of changes) {
    t.equal(change.subject, 'Changed time and place: Printmaking taster');
    t.match(change.textBody!, `When: ${newWhen}`, 'the change: the new time');
    t.match(change.textBody!, /Where: The Print Room/);
    t.match(change.textBody!, `It was: ${oldWhen}`, 'and the old one');
    t.match(change.textBody!, /It was at: The Long Gallery/);
    t.ok(change.sentAt);
  }

  // On the wire, Ada's change is an iMIP update (RFC 6047) of the event her confirmation added: a
  // text/calendar alternative naming its METHOD, with the same UID and a higher SEQUENCE.
  const adaChange = changes.find((change) => change.recipientId === ada.id)!;
  const wire = smtp.accepted.find((mail) => mail.messageId === `<${adaChange.id}@tasters.test>`)!;
  t.match(wire.raw, /Content-Type: multipart\/alternative/);
  const calendarHeaders = /^Content-Type: text\/calendar;[\s\S]*?\r\n\r\n/m.exec(wire.raw)?.[0] ?? '';
  t.match(calendarHeaders, /method=REQUEST/, 'a text/calendar part naming its METHOD');
  t.notMatch(calendarHeaders, /Content-Disposition: attachment/, 'as an alternative of the text, where Outlook and Exchange act on it');
  const update = readCalendar(adaChange.attachments[0]!.content);
  const added = readCalendar(confirmation.attachments[0]!.content);
  t.equal(update.method, 'REQUEST');
  t.equal(update.events[0]!.uid, added.events[0]!.uid, 'the same event');
  t.ok(update.events[0]!.sequence > added.events[0]!.sequence, 'a newer version of it');
  t.equal(update.events[0]!.startUtc, new Date(now.startsAt).toISOString());
  const boChange = changes.find((change) => change.recipientId === bo.id)!;
  t.same(boChange.attachments, [], 'Bo, waiting, has no event to update');
  const boWire = smtp.accepted.find((mail) => mail.messageId === `<${boChange.id}@tasters.test>`)!;
  t.notMatch(boWire.raw, /text\/calendar/);
});
