import { DateTime } from 'luxon';
import t, { type Test } from 'tap';
import { londonInstant } from '../../../src/lib/london-time.ts';
import { createOffer, createOrganisation, createVenue } from '../../fixtures/builders.ts';
import { signedIn } from '../../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading } from '../../helper.ts';
import { count, dateFields, londonDate, sessionFields, validOffer } from '../helpers.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const app = await buildTestApp(t, database);
const { visitor, user } = await signedIn(app, db, 'provider');
const organisationId = user.organisationId!;
const venue = await createVenue(db, organisationId);
const offer = await createOffer(db, organisationId);
const newSession = `/offers/${offer.id}/sessions/new`;

/** Posts the form with one rule broken; checks the page says so and that nothing was stored. */
async function refused(t: Test, overrides: Record<string, string>, field: string, message: string) {
  const before = await count(db, 'tasterSessions');
  const response = await visitor.post(newSession, sessionFields(venue.id, overrides));
  t.equal(response.statusCode, 400, `${field}: 400`);
  t.match(response.body, /<title>Error: /, `${field}: title says Error`);
  t.equal(fieldError(response.body, field), message, `${field}: message beside the field`);
  t.ok(errorSummary(response.body).includes(`${field}: ${message}`), `${field}: message in the summary`);
  t.equal(await count(db, 'tasterSessions'), before, `${field}: nothing stored`);
  return response;
}

t.test('a valid session is saved as a draft', async (t) => {
  const response = await visitor.post(newSession, sessionFields(venue.id));
  t.equal(response.statusCode, 303);
  const session = await db.selectFrom('tasterSessions').selectAll().orderBy('createdAt', 'desc').executeTakeFirstOrThrow();
  t.equal(session.status, 'draft');
  t.equal(session.capacity, 12);
  t.equal(session.bookingClosesAt.getTime(), session.startsAt.getTime() - 24 * 3_600_000, 'booking closes 24 hours before by default');
});

t.test('dates in the past, unreal dates and missing parts', async (t) => {
  await refused(t, dateFields(londonDate(-1)), 'date', 'The session must start in the future');
  await refused(t, { ...dateFields(londonDate(0)), startTime: '00:01', endTime: '00:30' }, 'date', 'The session must start in the future');
  await refused(t, { dateDay: '31', dateMonth: '2', dateYear: '2027' }, 'date', 'The date must be a real date, like 28 10 2027');
  await refused(t, { dateDay: '3', dateMonth: '', dateYear: '2027' }, 'date', 'The date must include a day, month and year');
  await refused(t, { dateDay: '', dateMonth: '', dateYear: '' }, 'date', 'Enter the date of the session');
  const kept = await refused(t, { dateDay: 'next', dateMonth: 'week', dateYear: '2027' }, 'date', 'The date must be a real date, like 28 10 2027');
  t.match(kept.body, /name="dateDay" type="text" inputmode="numeric" value="next"/, 'what was typed is kept');
});

t.test('times: end before start, nonsense and missing', async (t) => {
  await refused(t, { startTime: '15:00', endTime: '14:00' }, 'endTime', 'The end time must be after the start time');
  await refused(t, { startTime: '14:00', endTime: '14:00' }, 'endTime', 'The end time must be after the start time');
  await refused(t, { startTime: 'teatime' }, 'startTime', 'Enter the start time in the correct format, like 14:00 or 2pm');
  await refused(t, { startTime: '25:00' }, 'startTime', 'Enter the start time in the correct format, like 14:00 or 2pm');
  await refused(t, { endTime: '' }, 'endTime', 'Enter the end time, like 15:30 or 3:30pm');
});

t.test('capacity: 0, 100000, "ten", 1.5 and empty', async (t) => {
  await refused(t, { capacity: '0' }, 'capacity', 'There must be at least 1 place');
  await refused(t, { capacity: '100000' }, 'capacity', 'There can be at most 1,000 places');
  await refused(t, { capacity: 'ten' }, 'capacity', 'Enter the number of places as a whole number, like 12');
  await refused(t, { capacity: '1.5' }, 'capacity', 'Enter the number of places as a whole number, like 12');
  await refused(t, { capacity: '' }, 'capacity', 'Enter how many places there are');
  await refused(t, { capacity: '-3' }, 'capacity', 'There must be at least 1 place');
});

t.test('booking deadline: after the start, at the start, in the past, half given', async (t) => {
  const day = londonDate(14);
  await refused(t, { ...dateFields(day, 'closes'), closesTime: '16:00' }, 'bookingCloses', 'Booking must close before the session starts');
  await refused(t, { ...dateFields(day, 'closes'), closesTime: '14:00' }, 'bookingCloses', 'Booking must close before the session starts');
  await refused(t, { ...dateFields(londonDate(15), 'closes'), closesTime: '09:00' }, 'bookingCloses', 'Booking must close before the session starts');
  await refused(t, { ...dateFields(londonDate(-2), 'closes'), closesTime: '09:00' }, 'bookingCloses', 'Booking must close in the future');
  await refused(t, { ...dateFields(day, 'closes') }, 'bookingCloses', 'Enter the time booking closes, like 17:00, or leave it all blank');
  await refused(t, { closesTime: '17:00' }, 'bookingCloses', 'Enter the date booking closes, with a day, month and year, or leave it all blank');
  // A session 12 hours from now (whatever the time of day the test runs): the default deadline,
  // 24 hours before the start, has already passed.
  const soon = DateTime.now().setZone('Europe/London').plus({ hours: 12 }).startOf('hour');
  await refused(
    t,
    { ...dateFields(soon.toISODate()!), startTime: soon.toFormat('HH:mm'), endTime: soon.plus({ minutes: 30 }).toFormat('HH:mm') },
    'bookingCloses',
    'Booking would close 24 hours before the start, which has passed. Enter when booking closes',
  );

  const chosen = await visitor.post(newSession, sessionFields(venue.id, { ...dateFields(londonDate(12), 'closes'), closesTime: '5pm' }));
  t.equal(chosen.statusCode, 303, 'a deadline before the start is accepted');
  const session = await db.selectFrom('tasterSessions').selectAll().orderBy('createdAt', 'desc').executeTakeFirstOrThrow();
  t.equal(session.bookingClosesAt.getTime(), londonInstant(londonDate(12), '17:00')!.getTime(), '"5pm" is read as 17:00 London time');
});

t.test("where: a venue must be chosen, online needs joining instructions, another organisation's venue is refused", async (t) => {
  await refused(t, { venueId: '' }, 'venueId', 'Select the venue');
  await refused(t, { where: '' }, 'where', 'Select where the session takes place');
  await refused(t, { where: 'online', venueId: '' }, 'joiningInstructions', 'Enter the joining instructions for the online session');
  const elsewhere = await createVenue(db, (await createOrganisation(db)).id);
  await refused(t, { venueId: elsewhere.id }, 'venueId', 'Select one of your venues');

  const online = await visitor.post(newSession, sessionFields(venue.id, { where: 'online', joiningInstructions: 'Zoom link: https://example.org/j/1' }));
  t.equal(online.statusCode, 303);
  const session = await db.selectFrom('tasterSessions').selectAll().orderBy('createdAt', 'desc').executeTakeFirstOrThrow();
  t.equal(session.isOnline, true);
  t.equal(session.venueId, null, 'an online session has no venue');
});

t.test('repeat weeks: 0, 27 and "six" are refused', async (t) => {
  await refused(t, { repeatWeeks: '0' }, 'repeatWeeks', 'Enter 1 for a single session, or more for a weekly series');
  await refused(t, { repeatWeeks: '27' }, 'repeatWeeks', 'A series can run for at most 26 weeks');
  await refused(t, { repeatWeeks: 'six' }, 'repeatWeeks', 'Enter how many weeks as a whole number, from 1 to 26');
});

t.test('text longer than the field allows gets a message; a body over 64 KB gets a friendly 413 page', async (t) => {
  await refused(t, { accessNotes: 'a'.repeat(2001) }, 'accessNotes', 'Access notes must be 2,000 characters or fewer');
  await refused(t, { whatToBring: 'b'.repeat(1001) }, 'whatToBring', 'What to bring must be 1,000 characters or fewer');
  await refused(t, { facilitatorNote: 'c'.repeat(2001) }, 'facilitatorNote', 'Meet the facilitator must be 2,000 characters or fewer');

  const offers = await count(db, 'offers');
  const long = await visitor.post('/offers/new', { ...validOffer, description: 'd'.repeat(10_000) });
  t.equal(long.statusCode, 400);
  t.equal(fieldError(long.body, 'description'), 'Description must be 5,000 characters or fewer');

  const huge = await visitor.post('/offers/new', { ...validOffer, description: 'e'.repeat(1024 * 1024) });
  t.equal(huge.statusCode, 413);
  t.equal(heading(huge.body), 'What you sent is too large');
  t.notMatch(huge.body, /at .*\.ts:\d+/, 'no stack trace');
  t.match(huge.headers['content-type'], /text\/html/);
  const hugeSession = await visitor.post(newSession, sessionFields(venue.id, { accessNotes: 'f'.repeat(1024 * 1024) }));
  t.equal(hugeSession.statusCode, 413);
  t.equal(await count(db, 'offers'), offers, 'no offer stored');
});
