import t from 'tap';
import { renderPendingMessages } from '../../../src/delivery/render.ts';
import { createOffer, createSession, createUser, createVenue } from '../../fixtures/builders.ts';
import { signedIn } from '../../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, type Visitor } from '../../helper.ts';
import { dateFields, londonDate, sessionFields } from '../../publishing/helpers.ts';
import { onlyEvent, readCalendar } from './parse.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());
const app = await buildTestApp(t, database, { baseUrl: 'https://tasters.test', mailFrom: 'Tasters <tasters@service.example.org>' });
const provider = await signedIn(app, db, 'provider');
const organisationId = provider.user.organisationId!;
await db.updateTable('organisations').set({ contactEmail: 'learning@museum.example.org' }).where('id', '=', organisationId).execute();
const venue = await createVenue(db, organisationId, { name: 'The Long Gallery', town: 'Oxford' });
const offer = await createOffer(db, organisationId, { title: 'Printmaking taster', usualVenueId: venue.id });

/** The messages of one kind to one person, as the delivery worker writes them from their facts. */
async function messagesOf(kind: string, recipientId: string) {
  await renderPendingMessages(db);
  return db.selectFrom('outboxMessages').selectAll().where('kind', '=', kind).where('recipientId', '=', recipientId).orderBy('createdAt').execute();
}

/** The calendar part of the only message of a kind to a person: its MIME type and its one event. */
async function calendarPartOf(kind: string, recipientId: string) {
  const [message] = await messagesOf(kind, recipientId);
  if (!message) throw new Error(`no ${kind} message`);
  const parts = message.attachments.filter((a) => a.contentType.startsWith('text/calendar'));
  if (parts.length > 1) throw new Error('more than one calendar part');
  return parts[0] ? { contentType: parts[0].contentType, event: onlyEvent(parts[0].content) } : null;
}

async function book(visitor: Visitor, sessionId: string): Promise<string> {
  const booked = await visitor.post(`/sessions/${sessionId}/book`, {});
  return String(booked.headers.location).split('/').pop()!;
}

async function download(visitor: Visitor, bookingId: string) {
  const response = await visitor.get(`/bookings/${bookingId}/calendar.ics`);
  if (response.statusCode !== 200) throw new Error(`download answered ${response.statusCode}`);
  return onlyEvent(response.body);
}

t.test('a move and a cancellation by the provider each raise SEQUENCE, and the emails update the same UID', async (t) => {
  const session = await createSession(db, offer.id, { venueId: venue.id, capacity: 1 });
  const ada = await createUser(db, 'link_worker', { name: 'Ada Lovelace' });
  const bo = await createUser(db, 'link_worker', { name: 'Bo Diddley' });
  const { visitor: adaVisitor } = await signedIn(app, db, ada);
  const { visitor: boVisitor } = await signedIn(app, db, bo);
  const adaBooking = await book(adaVisitor, session.id);
  await book(boVisitor, session.id);

  const booked = await calendarPartOf('booking_confirmed', ada.id);
  t.ok(booked, 'the booking email carries the event');
  t.equal(booked!.event.method, 'PUBLISH');
  t.match(booked!.event.uid, new RegExp(`^booking-${adaBooking}@tasters\\.test$`));
  t.equal(booked!.event.organizer, 'mailto:learning@museum.example.org', 'organised by the provider');
  const first = await download(adaVisitor, adaBooking);
  t.equal(first.uid, booked!.event.uid, 'the download is the same event');
  t.equal(first.sequence, booked!.event.sequence, 'at the same version');
  t.equal(first.method, 'PUBLISH');

  const startedAt = new Date();
  const moved = await provider.visitor.post(
    `/sessions/${session.id}/edit`,
    sessionFields(venue.id, { ...dateFields(londonDate(21)), startTime: '10:00', endTime: '11:30', capacity: '1' }),
  );
  t.equal(moved.statusCode, 303);
  const changed = await calendarPartOf('session_changed', ada.id);
  t.ok(changed, 'the change email carries the event');
  t.match(changed!.contentType, /method=REQUEST/);
  const update = changed!.event;
  t.equal(update.method, 'REQUEST');
  t.equal(update.uid, booked!.event.uid, 'the same UID');
  t.ok(update.sequence > booked!.event.sequence, `SEQUENCE rises (${booked!.event.sequence} to ${update.sequence})`);
  t.equal(update.startUtc, (await sessionStart(session.id)).toISOString(), 'at the new time');
  t.equal(update.organizer, 'mailto:learning@museum.example.org');
  t.same(
    update.attendees.map((a) => [a.address, a.partstat]),
    [[`mailto:${ada.email}`, 'ACCEPTED']],
    'the link worker is the attendee',
  );
  t.ok(update.stamp! >= new Date(Math.floor(startedAt.getTime() / 1000) * 1000), 'DTSTAMP is when the update was written');
  t.same(await calendarPartOf('session_changed', bo.id), null, 'the person waiting has no event to update');

  const afterMove = await download(adaVisitor, adaBooking);
  t.equal(afterMove.sequence, update.sequence, 'the download agrees with the email');
  t.equal(afterMove.method, 'PUBLISH', 'downloads stay PUBLISH');

  await provider.visitor.get(`/sessions/${session.id}/cancel`);
  t.equal((await provider.visitor.post(`/sessions/${session.id}/cancel`, { reason: 'The press is broken' })).statusCode, 303);
  const cancelled = await calendarPartOf('session_cancelled', ada.id);
  t.ok(cancelled, 'the cancellation email carries the event');
  t.match(cancelled!.contentType, /method=CANCEL/);
  const cancel = cancelled!.event;
  t.equal(cancel.method, 'CANCEL');
  t.equal(cancel.uid, booked!.event.uid, 'the same UID');
  t.ok(cancel.sequence > update.sequence, `SEQUENCE rises again (${update.sequence} to ${cancel.sequence})`);
  t.equal(cancel.status, 'CANCELLED');
  t.equal(cancel.organizer, 'mailto:learning@museum.example.org');
  t.same(
    cancel.attendees.map((a) => a.address),
    [`mailto:${ada.email}`],
  );
  t.notMatch(cancel.description, /You have a place/);
  t.match(cancel.description, /cancelled: The press is broken/);
  t.same(await calendarPartOf('session_cancelled', bo.id), null, 'nor for the cancellation');

  const afterCancel = await download(adaVisitor, adaBooking);
  t.equal(afterCancel.sequence, cancel.sequence, 'the download agrees with the email');
  t.equal(afterCancel.status, 'CANCELLED');
  t.notMatch(afterCancel.description, /You have a place/, 'a cancelled event never says there is a place');
});

async function sessionStart(id: string): Promise<Date> {
  const row = await db.selectFrom('tasterSessions').select('startsAt').where('id', '=', id).executeTakeFirstOrThrow();
  return new Date(row.startsAt);
}

t.test('a link worker cancelling a place gets a CANCEL; the person promoted gets their own event; leaving the waiting list gets none', async (t) => {
  const otherOrganisation = await signedIn(app, db, 'provider');
  const plainVenue = await createVenue(db, otherOrganisation.user.organisationId!, { name: 'Church hall' });
  const plainOffer = await createOffer(db, otherOrganisation.user.organisationId!, { title: 'Chair yoga', usualVenueId: plainVenue.id });
  const session = await createSession(db, plainOffer.id, { venueId: plainVenue.id, capacity: 1 });
  const [ada, bo, cy] = [await createUser(db, 'link_worker'), await createUser(db, 'link_worker'), await createUser(db, 'link_worker')];
  const { visitor: adaVisitor } = await signedIn(app, db, ada!);
  const { visitor: boVisitor } = await signedIn(app, db, bo!);
  const { visitor: cyVisitor } = await signedIn(app, db, cy!);
  const adaBooking = await book(adaVisitor, session.id);
  const boBooking = await book(boVisitor, session.id);
  const cyBooking = await book(cyVisitor, session.id);
  const booked = (await calendarPartOf('booking_confirmed', ada!.id))!.event;
  t.equal(booked.organizer, 'mailto:tasters@service.example.org', "without the provider's address, the service's from-address organises");

  t.equal((await adaVisitor.post(`/bookings/${adaBooking}/cancel`, {})).statusCode, 303);
  const cancelled = await calendarPartOf('booking_cancelled', ada!.id);
  t.ok(cancelled, 'cancelling a place removes the event');
  t.equal(cancelled!.event.method, 'CANCEL');
  t.equal(cancelled!.event.uid, booked.uid);
  t.ok(cancelled!.event.sequence > booked.sequence, 'with a higher SEQUENCE');
  t.equal(cancelled!.event.status, 'CANCELLED');
  t.same(
    cancelled!.event.attendees.map((a) => a.address),
    [`mailto:${ada!.email}`],
  );
  t.notMatch(cancelled!.event.description, /You have a place/);

  const promoted = await calendarPartOf('booking_promoted', bo!.id);
  t.ok(promoted, 'the person given the place gets the event');
  t.match(promoted!.event.uid, new RegExp(`^booking-${boBooking}@`));
  t.equal((await download(boVisitor, boBooking)).sequence, promoted!.event.sequence, 'the download agrees with the email');

  t.equal((await cyVisitor.post(`/bookings/${cyBooking}/cancel`, {})).statusCode, 303);
  t.same(await calendarPartOf('booking_cancelled', cy!.id), null, 'leaving the waiting list removes no event: there was none');

  t.equal((await boVisitor.post(`/bookings/${boBooking}/cancel`, {})).statusCode, 303);
  const boCancelled = (await calendarPartOf('booking_cancelled', bo!.id))!.event;
  t.equal(boCancelled.uid, promoted!.event.uid);
  t.ok(boCancelled.sequence > promoted!.event.sequence, 'SEQUENCE rises past the promotion');

  // Booking again is a new booking: a new event, not a revival of the cancelled one.
  const again = await book(adaVisitor, session.id);
  t.not(again, adaBooking);
  const rebooked = await download(adaVisitor, again);
  t.not(rebooked.uid, booked.uid);
});

t.test('a waiting-list place offers no "Add to your calendar", no download and no calendar part', async (t) => {
  const session = await createSession(db, offer.id, { venueId: venue.id, capacity: 1 });
  const ada = await createUser(db, 'link_worker');
  const bo = await createUser(db, 'link_worker');
  await book((await signedIn(app, db, ada)).visitor, session.id);
  const { visitor } = await signedIn(app, db, bo);
  const waiting = await book(visitor, session.id);

  const panel = await visitor.get(`/sessions/${session.id}`);
  t.match(panel.body, /on the waiting list/);
  t.notMatch(panel.body, /calendar\.ics/, 'the session page offers no calendar file');
  const page = await visitor.get(`/bookings/${waiting}`);
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, /calendar\.ics/, 'nor does the booking page');
  const mine = await visitor.get('/my-bookings');
  t.notMatch(mine.body, new RegExp(`/bookings/${waiting}/calendar\\.ics`), 'nor My bookings');
  t.equal((await visitor.get(`/bookings/${waiting}/calendar.ics`)).statusCode, 404, 'and there is no file to download');
  t.same(await calendarPartOf('booking_waitlisted', bo.id), null, 'the waiting-list email has no calendar part');
});

t.test("DTSTAMP is when the file was made, not the booking's last change", async (t) => {
  const session = await createSession(db, offer.id, { venueId: venue.id });
  const ada = await createUser(db, 'link_worker');
  const { visitor } = await signedIn(app, db, ada);
  const booking = await book(visitor, session.id);
  await db
    .updateTable('bookings')
    .set({ updatedAt: new Date('2020-01-01T00:00:00Z') })
    .where('id', '=', booking)
    .execute();
  const before = new Date(Math.floor(Date.now() / 1000) * 1000);
  const event = await download(visitor, booking);
  t.ok(event.stamp! >= before, `DTSTAMP ${event.stamp?.toISOString()} is now`);
});

t.test('every calendar in the outbox reads back with the independent parser', async (t) => {
  await renderPendingMessages(db);
  const messages = await db.selectFrom('outboxMessages').select(['kind', 'attachments']).execute();
  let parts = 0;
  for (const message of messages) {
    for (const attachment of message.attachments.filter((a) => a.contentType.startsWith('text/calendar'))) {
      const { method } = readCalendar(attachment.content);
      t.match(attachment.contentType, new RegExp(`method=${method}`), `${message.kind}: the MIME type names the METHOD`);
      parts++;
    }
  }
  t.ok(parts >= 6, `${parts} calendar parts read`);
});
