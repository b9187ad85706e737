import { randomUUID } from 'node:crypto';
import t from 'tap';
import { renderPendingMessages } from '../../../src/delivery/render.ts';
import { londonInstant, londonParts } from '../../../src/lib/london-time.ts';
import { onlyEvent } from '../../bookings/calendar/parse.ts';
import { createBooking, createOffer, createSession, createUser, createVenue, type TestUser } from '../../fixtures/builders.ts';
import { HOSTILE } from '../../fixtures/hostile.ts';
import { at } from '../../fixtures/time.ts';
import { signedIn } from '../../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading } from '../../helper.ts';

/** Issue 16, item 3: changing or cancelling "this session and all later ones in the series". */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database, { baseUrl: 'https://tasters.test', mailFrom: 'Tasters <tasters@service.example.org>' });
const provider = await signedIn(app, db, 'provider');
const organisationId = provider.user.organisationId!;
await db.updateTable('organisations').set({ contactEmail: 'learning@museum.example.org' }).where('id', '=', organisationId).execute();
const gallery = await createVenue(db, organisationId, { name: 'The Long Gallery', town: 'Oxford' });
const studio = await createVenue(db, organisationId, { name: 'The Print Studio', town: 'Abingdon' });
const offer = await createOffer(db, organisationId, { title: 'Printmaking taster', usualVenueId: gallery.id });

const load = (id: string) => db.selectFrom('tasterSessions').selectAll().where('id', '=', id).executeTakeFirst();

/** A weekly series of published sessions at 2pm, a week apart from `firstDay` days on: 2 places each. */
async function series(weeks: number, firstDay = 7, overrides: { status?: 'draft' | 'published' }[] = []) {
  const seriesId = randomUUID();
  const sessions = [];
  for (let week = 0; week < weeks; week++) {
    sessions.push(
      await createSession(db, offer.id, {
        venueId: gallery.id,
        seriesId,
        capacity: 2,
        startsAt: at(firstDay + 7 * week, 14),
        status: overrides[week]?.status ?? 'published',
      }),
    );
  }
  return sessions;
}

/** Every message of a kind to a person, written from its facts as the delivery worker does. */
async function messagesTo(kind: string, person: TestUser) {
  await renderPendingMessages(db);
  return db.selectFrom('outboxMessages').selectAll().where('kind', '=', kind).where('recipientId', '=', person.id).execute();
}

const fields = (overrides: Record<string, string> = {}) => ({
  startTime: '15:00',
  endTime: '16:30',
  where: 'venue',
  venueId: studio.id,
  capacity: '3',
  whatToBring: 'An apron',
  accessNotes: 'Ground floor studio',
  facilitatorNote: '',
  ...overrides,
});

const londonTime = (instant: Date) => londonParts(instant).time;

t.test('changing from the second session changes it and every later one, leaves the first alone, and emails each person once', async (t) => {
  const [first, second, third, fourth] = await series(4);
  const ana = await createUser(db, 'link_worker', { name: 'Ana Booked-Everywhere' });
  const cara = await createUser(db, 'link_worker', { name: 'Cara Third-Only' });
  const ben = await createUser(db, 'link_worker', { name: 'Ben Waiting' });
  for (const session of [first!, second!, third!, fourth!]) await createBooking(db, session.id, ana.id);
  await createBooking(db, third!.id, cara.id);
  await createBooking(db, third!.id, ben.id, { status: 'waitlisted' });

  const page = await provider.visitor.get(`/sessions/${second!.id}/series`);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Change this and later sessions');
  t.match(page.body, /The 3 sessions this changes/);

  const changed = await provider.visitor.post(`/sessions/${second!.id}/series`, fields());
  t.equal(changed.statusCode, 303);
  t.equal(changed.headers.location, `/sessions/${second!.id}?done=changed-series`);
  const shown = await provider.visitor.get(String(changed.headers.location));
  t.match(shown.body, /every later one in the series are changed/);

  const before = await load(first!.id);
  t.equal(londonTime(before!.startsAt), '14:00', 'the earlier session keeps its time');
  t.equal(before!.venueId, gallery.id, 'and its place');
  t.equal(before!.capacity, 2, 'and its places');
  t.equal(before!.calendarSequence, 0, 'and its calendar version');
  t.equal(before!.whatToBring, first!.whatToBring, 'and its details');

  for (const original of [second!, third!, fourth!]) {
    const after = (await load(original.id))!;
    t.equal(after.startsAt.toISOString(), londonInstant(londonParts(original.startsAt).isoDate, '15:00')!.toISOString(), 'the new time on its own date');
    t.equal(londonTime(after.endsAt), '16:30');
    t.equal(
      after.startsAt.getTime() - after.bookingClosesAt.getTime(),
      original.startsAt.getTime() - original.bookingClosesAt.getTime(),
      'booking closes as long before',
    );
    t.equal(after.venueId, studio.id, 'the new place');
    t.equal(after.capacity, 3, 'the new number of places');
    t.equal(after.whatToBring, 'An apron');
    t.equal(after.accessNotes, 'Ground floor studio');
    t.equal(after.calendarSequence, 1, 'the calendar version rises');
  }

  const promoted = await db
    .selectFrom('bookings')
    .select(['status', 'promotedAt'])
    .where('tasterSessionId', '=', third!.id)
    .where('userId', '=', ben.id)
    .executeTakeFirstOrThrow();
  t.equal(promoted.status, 'confirmed', 'the raised places go to the waiting list in the same change');
  t.ok(promoted.promotedAt);

  const anaMessages = await messagesTo('series_changed', ana);
  t.equal(anaMessages.length, 1, 'one email for a person on three changed sessions');
  const [message] = anaMessages;
  t.match(message!.subject, /^Changed time and place: Printmaking taster \(3 sessions\)$/);
  t.match(message!.textBody, /It was: .*2pm to 4pm/);
  t.match(message!.textBody, /The Print Studio/);
  t.equal((message!.textBody!.match(/When: /g) ?? []).length, 3, 'the three sessions are listed');
  const parts = message!.attachments.filter((a) => a.contentType.startsWith('text/calendar'));
  t.equal(parts.length, 3, 'one calendar update per session with a place');
  const anaBookings = await db.selectFrom('bookings').select(['id', 'tasterSessionId']).where('userId', '=', ana.id).execute();
  const laterBookingIds = anaBookings.filter((b) => b.tasterSessionId !== first!.id).map((b) => b.id);
  const events = parts.map((p) => {
    t.match(p.contentType, /method=REQUEST/);
    return onlyEvent(p.content);
  });
  t.same(events.map((e) => e.uid.replace(/^booking-|@tasters\.test$/g, '')).sort(), laterBookingIds.sort(), 'the same events as the bookings, not the first');
  t.ok(events.every((e) => e.sequence === 1 && e.method === 'REQUEST'));

  t.equal((await messagesTo('series_changed', cara)).length, 1, 'one for a person on one session');
  const benMessages = await messagesTo('series_changed', ben);
  t.equal(benMessages.length, 1);
  t.match(benMessages[0]!.textBody, /have a place, which is kept/, 'written after the promotion');
  t.equal((await messagesTo('session_changed', ana)).length, 0, 'no single-session emails besides');

  const audits = await db
    .selectFrom('auditEvents')
    .select(['subjectId', 'action'])
    .where('action', '=', 'session_updated')
    .where('actorId', '=', provider.user.id)
    .execute();
  const touched = audits.map((a) => a.subjectId);
  t.ok(
    [second!, third!, fourth!].every((s) => touched.includes(s.id)),
    'each changed session is on the audit trail',
  );
  t.notOk(touched.includes(first!.id), 'the earlier one is not');
});

t.test('changing only the places or details sends no email; changing the time again is news again', async (t) => {
  const [first, second] = await series(2);
  const dee = await createUser(db, 'link_worker');
  await createBooking(db, first!.id, dee.id);
  await createBooking(db, second!.id, dee.id);
  const same = await provider.visitor.post(
    `/sessions/${first!.id}/series`,
    fields({ startTime: '14:00', endTime: '16:00', venueId: gallery.id, capacity: '5' }),
  );
  t.equal(same.statusCode, 303);
  t.equal((await load(second!.id))!.capacity, 5);
  t.equal((await messagesTo('series_changed', dee)).length, 0, 'nothing to tell');
  await provider.visitor.post(`/sessions/${first!.id}/series`, fields({ startTime: '10:00', endTime: '11:00', venueId: gallery.id, capacity: '5' }));
  await provider.visitor.post(`/sessions/${first!.id}/series`, fields({ startTime: '14:00', endTime: '16:00', venueId: gallery.id, capacity: '5' }));
  t.equal((await messagesTo('series_changed', dee)).length, 2, 'one email per person per change');
  t.equal((await load(second!.id))!.calendarSequence, 2);
});

t.test('a refusal for one session changes none of them', async (t) => {
  const [first, second, third] = await series(3);
  const booked = [await createUser(db, 'link_worker'), await createUser(db, 'link_worker')];
  for (const person of booked) await createBooking(db, third!.id, person.id);
  const refused = await provider.visitor.post(`/sessions/${first!.id}/series`, fields({ capacity: '1' }));
  t.equal(refused.statusCode, 400);
  t.match(fieldError(refused.body, 'capacity'), /^On .+ 2 people have a confirmed place, so there must be at least 2 places$/);
  t.equal(fieldError(refused.body, 'startTime'), undefined);
  for (const s of [first!, second!, third!]) {
    const row = (await load(s.id))!;
    t.equal(row.capacity, 2, 'places unchanged');
    t.equal(londonTime(row.startsAt), '14:00', 'time unchanged');
    t.equal(row.calendarSequence, 0);
  }
  for (const person of booked) t.equal((await messagesTo('series_changed', person)).length, 0, 'nobody is told of a change that did not happen');
});

t.test('missing, too long, malformed and hostile values get a message beside the field and change nothing', async (t) => {
  const [first, second] = await series(2);
  const cases: Array<[Record<string, string>, string, string]> = [
    [{ startTime: '' }, 'startTime', 'Enter the start time, like 14:00 or 2pm'],
    [{ startTime: '25:99' }, 'startTime', 'Enter the start time in the correct format, like 14:00 or 2pm'],
    [{ endTime: '13:00' }, 'endTime', 'The end time must be after the start time'],
    [{ capacity: 'twelve' }, 'capacity', 'Enter the number of places as a whole number, like 12'],
    [{ capacity: '' }, 'capacity', 'Enter how many places each session has'],
    [{ where: 'moon' }, 'where', 'Select where the sessions take place'],
    [{ venueId: '' }, 'venueId', 'Select the venue'],
    [{ venueId: randomUUID() }, 'venueId', 'Select one of your venues'],
    [{ where: 'online', joiningInstructions: '' }, 'joiningInstructions', 'Enter the joining instructions for the online sessions'],
    [{ whatToBring: 'x'.repeat(1001) }, 'whatToBring', 'What to bring must be 1,000 characters or fewer'],
    [{ accessNotes: 'a\u0000b' }, 'accessNotes', ''],
  ];
  for (const [overrides, field, message] of cases) {
    const response = await provider.visitor.post(`/sessions/${first!.id}/series`, fields(overrides));
    t.equal(response.statusCode, 400, `${JSON.stringify(overrides).slice(0, 60)} is refused`);
    t.ok(errorSummary(response.body).length > 0, 'an error summary');
    if (message) t.equal(fieldError(response.body, field), message, field);
    else t.ok(fieldError(response.body, field), `${field} has a message`);
  }
  for (const s of [first!, second!]) {
    const row = (await load(s.id))!;
    t.same([row.capacity, londonTime(row.startsAt), row.calendarSequence], [2, '14:00', 0], 'nothing changed by a refused form');
  }
  const hostile = await provider.visitor.post(`/sessions/${first!.id}/series`, fields({ whatToBring: HOSTILE, capacity: '4' }));
  t.equal(hostile.statusCode, 303, 'markup is only text');
  t.equal((await load(second!.id))!.whatToBring, HOSTILE);
  const sessionPage = await provider.visitor.get(`/sessions/${second!.id}`);
  t.notMatch(sessionPage.body, /<script>alert/);
  for (const s of [first!, second!]) t.equal(londonTime((await load(s.id))!.startsAt), '15:00');
});

t.test('cancelling the rest of a series cancels this and every later one, deletes drafts, and emails each person once', async (t) => {
  const [first, second, third, draft] = await series(4, 7, [{}, {}, {}, { status: 'draft' }]);
  const eve = await createUser(db, 'link_worker', { name: 'Eve Everywhere' });
  const fay = await createUser(db, 'link_worker', { name: 'Fay Waiting' });
  for (const s of [first!, second!, third!]) await createBooking(db, s.id, eve.id);
  await createBooking(db, third!.id, fay.id, { status: 'waitlisted' });

  const page = await provider.visitor.get(`/sessions/${second!.id}/series/cancel`);
  t.equal(heading(page.body), 'Cancel this and later sessions');
  const noReason = await provider.visitor.post(`/sessions/${second!.id}/series/cancel`, { reason: ' ' });
  t.equal(noReason.statusCode, 400);
  t.equal(fieldError(noReason.body, 'reason'), 'Enter why the sessions are cancelled');
  const tooLong = await provider.visitor.post(`/sessions/${second!.id}/series/cancel`, { reason: 'x'.repeat(1001) });
  t.equal(tooLong.statusCode, 400);
  t.equal((await load(second!.id))!.status, 'published', 'nothing cancelled yet');

  const cancelled = await provider.visitor.post(`/sessions/${second!.id}/series/cancel`, { reason: 'The studio roof is being repaired' });
  t.equal(cancelled.statusCode, 303);
  t.equal((await load(first!.id))!.status, 'published', 'the earlier session runs');
  t.equal((await load(first!.id))!.calendarSequence, 0);
  for (const s of [second!, third!]) {
    const row = (await load(s.id))!;
    t.equal(row.status, 'cancelled');
    t.equal(row.cancellationReason, 'The studio roof is being repaired');
    t.equal(row.calendarSequence, 1);
  }
  t.equal(await load(draft!.id), undefined, 'the draft is deleted');

  const eveMessages = await messagesTo('series_cancelled', eve);
  t.equal(eveMessages.length, 1, 'one email for two cancelled sessions');
  t.match(eveMessages[0]!.subject, /\(2 sessions\)/);
  t.match(eveMessages[0]!.textBody, /The studio roof is being repaired/);
  const parts = eveMessages[0]!.attachments.filter((a) => a.contentType.includes('method=CANCEL'));
  t.equal(parts.length, 2);
  t.ok(parts.every((p) => onlyEvent(p.content).sequence === 1));
  const fayMessages = await messagesTo('series_cancelled', fay);
  t.equal(fayMessages.length, 1);
  t.equal(fayMessages[0]!.attachments.length, 0, 'someone waiting has no event to cancel');
  t.equal((await messagesTo('session_cancelled', eve)).length, 0);
});

t.test('who may change a series, and which sessions can be', async (t) => {
  const [first] = await series(2);
  const other = await signedIn(app, db, 'provider');
  t.equal((await other.visitor.get(`/sessions/${first!.id}/series`)).statusCode, 404, "another organisation's series is not found");
  t.equal((await other.visitor.post(`/sessions/${first!.id}/series`, fields())).statusCode, 404);
  t.equal((await other.visitor.post(`/sessions/${first!.id}/series/cancel`, { reason: 'Mine now' })).statusCode, 404);
  const worker = await signedIn(app, db, 'link_worker');
  t.equal((await worker.visitor.get(`/sessions/${first!.id}/series`)).statusCode, 403);
  t.equal((await load(first!.id))!.status, 'published');
  const coordinator = await signedIn(app, db, 'coordinator');
  t.equal((await coordinator.visitor.get(`/sessions/${first!.id}/series`)).statusCode, 200, 'coordinators manage every organisation');

  const single = await createSession(db, offer.id, { venueId: gallery.id });
  const notSeries = await provider.visitor.get(`/sessions/${single.id}/series`);
  t.equal(notSeries.statusCode, 409);
  t.same(errorSummary(notSeries.body), ['status: This session is not part of a series. Change it on its own instead']);
  const [past] = await series(2, -7);
  t.equal((await provider.visitor.post(`/sessions/${past!.id}/series`, fields())).statusCode, 409, 'a session that has started cannot be changed');
});
