import t from 'tap';
import { renderPendingMessages } from '../../src/delivery/render.ts';
import { londonParts } from '../../src/lib/london-time.ts';
import { viewHelpers as h } from '../../src/lib/view-helpers.ts';
import { createBookings, createOffer, createSession, createUser, createVenue } from '../fixtures/builders.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase } from '../helper.ts';
import { dateFields, londonDate, sessionFields } from '../publishing/helpers.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());
const app = await buildTestApp(t, database, { baseUrl: 'https://tasters.test' });
const { visitor, user } = await signedIn(app, db, 'provider');
const organisationId = user.organisationId!;
const venue = await createVenue(db, organisationId, { name: 'The Long Gallery', town: 'Oxford' });
const offer = await createOffer(db, organisationId, { title: 'Printmaking taster', usualVenueId: venue.id });

async function messagesFor(kind: string, sessionBookings: string[]) {
  const people = await db.selectFrom('bookings').select(['userId']).where('id', 'in', sessionBookings).execute();
  const ids = people.map((p) => p.userId!);
  // As the delivery worker writes them from the facts queued with the change.
  await renderPendingMessages(db);
  return db.selectFrom('outboxMessages').selectAll().where('kind', '=', kind).where('recipientId', 'in', ids).orderBy('recipientEmail').execute();
}

async function emailsOf(bookingIds: string[]) {
  const rows = await db
    .selectFrom('bookings')
    .innerJoin('users', 'users.id', 'bookings.userId')
    .select('users.email')
    .where('bookings.id', 'in', bookingIds)
    .execute();
  return rows.map((r) => r.email).sort();
}

t.test('a provider cancels a session: everyone booked or waiting is told, with the reason, and nobody else', async (t) => {
  const session = await createSession(db, offer.id, { venueId: venue.id, capacity: 2 });
  const booked = await createBookings(db, session.id, 'confirmed', 2);
  const waiting = await createBookings(db, session.id, 'waitlisted', 1);
  const [gone] = await createBookings(db, session.id, 'waitlisted', 1);
  await db.updateTable('bookings').set({ status: 'cancelled', cancelledAt: new Date() }).where('id', '=', gone!).execute();
  const [disabled] = await createBookings(db, session.id, 'waitlisted', 1);
  const disabledUser = (await db.selectFrom('bookings').select('userId').where('id', '=', disabled!).executeTakeFirstOrThrow()).userId!;
  await db.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabledUser).execute();
  const elsewhere = await createSession(db, offer.id, { venueId: venue.id });
  await createBookings(db, elsewhere.id, 'confirmed', 1);
  const bystander = await createUser(db, 'link_worker');

  const before = await db.selectFrom('outboxMessages').select('id').where('kind', '=', 'session_cancelled').execute();
  await visitor.get(`/sessions/${session.id}/cancel`);
  const response = await visitor.post(`/sessions/${session.id}/cancel`, { reason: 'The printing press is broken <b>again</b>' });
  t.equal(response.statusCode, 303);

  await renderPendingMessages(db);
  const sent = await db.selectFrom('outboxMessages').selectAll().where('kind', '=', 'session_cancelled').execute();
  t.equal(sent.length - before.length, 3, 'three messages');
  t.same(
    sent.map((m) => m.recipientEmail).sort(),
    await emailsOf([...booked, ...waiting]),
    'to the two booked and the one waiting: not the cancelled, the disabled, other sessions or anyone else',
  );
  t.notOk(sent.some((m) => m.recipientId === bystander.id));
  const [message] = sent;
  t.equal(message!.subject, 'Cancelled by the organiser: Printmaking taster');
  t.match(message!.textBody!, /Reason: The printing press is broken <b>again<\/b>/);
  t.match(message!.textBody!, new RegExp(h.date(session.startsAt)));
  t.match(message!.textBody!, /The Long Gallery/);
  t.match(message!.textBody!, /https:\/\/tasters\.test\/find/, 'a full link to find another');
  t.match(message!.htmlBody!, /The printing press is broken &lt;b&gt;again&lt;\/b&gt;/, 'the reason is text in the HTML too');

  await visitor.post(`/sessions/${session.id}/cancel`, { reason: 'Again' });
  t.equal(
    (await db.selectFrom('outboxMessages').select('id').where('kind', '=', 'session_cancelled').execute()).length,
    sent.length,
    'cancelling again (refused) sends nothing',
  );
});

t.test('a new time or place is sent to everyone booked or waiting; other edits send nothing', async (t) => {
  const session = await createSession(db, offer.id, { venueId: venue.id, capacity: 1 });
  const booked = await createBookings(db, session.id, 'confirmed', 1);
  const waiting = await createBookings(db, session.id, 'waitlisted', 1);
  const people = [...booked, ...waiting];
  const current = {
    ...dateFields(londonParts(session.startsAt).isoDate),
    startTime: londonParts(session.startsAt).time,
    endTime: londonParts(session.endsAt).time,
  };

  await visitor.post(`/sessions/${session.id}/edit`, sessionFields(venue.id, { ...current, capacity: '1', whatToBring: 'An apron' }));
  t.same(await messagesFor('session_changed', people), [], 'what to bring is not a change of time or place');

  const moved = await visitor.post(
    `/sessions/${session.id}/edit`,
    sessionFields(venue.id, { ...dateFields(londonDate(21)), startTime: '10:00', endTime: '11:30', capacity: '1' }),
  );
  t.equal(moved.statusCode, 303);
  const changed = await messagesFor('session_changed', people);
  t.same(
    changed.map((m) => m.recipientEmail),
    await emailsOf(people),
    'both people, one message each',
  );
  const toBooked = changed.find((m) => m.recipientId === changed[0]!.recipientId)!;
  t.equal(toBooked.subject, 'Changed time: Printmaking taster');
  t.match(toBooked.textBody!, /10am to 11:30am/, 'the new time');
  t.match(toBooked.textBody!, new RegExp(`It was: ${h.date(session.startsAt)}`), 'and the old one');
  t.match(toBooked.textBody!, /https:\/\/tasters\.test\/bookings\//);
  t.ok(
    changed.some((m) => /You are still on the waiting list/.test(m.textBody!)),
    'the person waiting is told they are still waiting',
  );

  const again = await visitor.post(
    `/sessions/${session.id}/edit`,
    sessionFields(venue.id, { ...dateFields(londonDate(21)), startTime: '10:00', endTime: '11:30', capacity: '1' }),
  );
  t.equal(again.statusCode, 303);
  t.equal((await messagesFor('session_changed', people)).length, 2, 'saving the same time again sends nothing');

  const newVenue = await createVenue(db, organisationId, { name: 'The Print Room', town: 'Abingdon' });
  await visitor.post(
    `/sessions/${session.id}/edit`,
    sessionFields(newVenue.id, { ...dateFields(londonDate(21)), startTime: '10:00', endTime: '11:30', capacity: '1' }),
  );
  const placed = (await messagesFor('session_changed', people)).filter((m) => m.subject!.startsWith('Changed place'));
  t.equal(placed.length, 2, 'a new place is news again');
  t.match(placed[0]!.textBody!, /The Print Room/);
  t.match(placed[0]!.textBody!, /It was at: The Long Gallery/);

  // Moving it back later is a change too.
  await visitor.post(
    `/sessions/${session.id}/edit`,
    sessionFields(venue.id, { ...dateFields(londonDate(21)), startTime: '10:00', endTime: '11:30', capacity: '1' }),
  );
  t.equal((await messagesFor('session_changed', people)).length, 6);
});
