import t from 'tap';
import { createOffer, createVenue } from '../fixtures/builders.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading } from '../helper.ts';
import { count, validOffer, validVenue } from './helpers.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);
const { visitor, user } = await signedIn(app, db, 'provider');
const organisationId = user.organisationId!;

t.test('a venue is added with its postcode written the standard way and its access information', async (t) => {
  const form = await visitor.get('/venues/new');
  t.equal(heading(form.body), 'Add a venue');
  const response = await visitor.post('/venues/new', { ...validVenue, name: 'Main building', accessNotes: 'Step-free entrance on the side street' });
  t.equal(response.statusCode, 303);
  t.equal(response.headers.location, '/provider?done=venue');
  const venue = await db
    .selectFrom('venues')
    .selectAll()
    .where('organisationId', '=', organisationId)
    .where('name', '=', 'Main building')
    .executeTakeFirstOrThrow();
  t.equal(venue.postcode, 'OX1 3BG');
  t.same([venue.stepFree, venue.accessibleToilet, venue.hearingLoop, venue.seating, venue.parking, venue.quietSpace], [true, false, true, false, false, false]);
  t.equal(venue.accessNotes, 'Step-free entrance on the side street');
  t.equal(venue.latitude, null, 'no geocoding: coordinates stay empty');

  const edit = await visitor.get(`/venues/${venue.id}/edit`);
  t.match(edit.body, /id="stepFree" name="stepFree" type="checkbox" value="yes" checked/);
  const saved = await visitor.post(`/venues/${venue.id}/edit`, { ...validVenue, postcode: 'sw1a1aa', quietSpace: 'yes' });
  t.equal(saved.statusCode, 303);
  const after = await db.selectFrom('venues').selectAll().where('id', '=', venue.id).executeTakeFirstOrThrow();
  t.equal(after.postcode, 'SW1A 1AA');
  t.equal(after.quietSpace, true);

  const archived = await visitor.post(`/venues/${venue.id}/archive`);
  t.equal(archived.statusCode, 303);
  t.ok((await db.selectFrom('venues').select('archivedAt').where('id', '=', venue.id).executeTakeFirstOrThrow()).archivedAt);
  await visitor.post(`/venues/${venue.id}/restore`);
  t.equal((await db.selectFrom('venues').select('archivedAt').where('id', '=', venue.id).executeTakeFirstOrThrow()).archivedAt, null);
  const actions = await db.selectFrom('auditEvents').select('action').where('subjectId', '=', venue.id).execute();
  t.same(actions.map((a) => a.action).sort(), ['venue_archived', 'venue_created', 'venue_restored', 'venue_updated']);
});

t.test('venue form errors: bad postcodes and missing fields', async (t) => {
  const before = await count(db, 'venues');
  const empty = await visitor.post('/venues/new', {});
  t.equal(empty.statusCode, 400);
  t.same(errorSummary(empty.body), [
    'name: Enter the name of the venue',
    'addressLine1: Enter the first line of the address',
    'town: Enter the town or city',
    'postcode: Enter the postcode',
  ]);
  for (const postcode of ['OX1', 'ABC 123', '12345', 'OX1 3BGG', 'not a postcode at all']) {
    const response = await visitor.post('/venues/new', { ...validVenue, postcode });
    t.equal(response.statusCode, 400, `"${postcode}"`);
    t.equal(fieldError(response.body, 'postcode'), 'Enter a real UK postcode, like OX1 3BG');
    t.match(response.body, new RegExp(`name="postcode" type="text" value="${postcode}"`), 'the postcode typed is kept');
  }
  const long = await visitor.post('/venues/new', { ...validVenue, travelNotes: 't'.repeat(2001) });
  t.equal(fieldError(long.body, 'travelNotes'), 'Getting there must be 2,000 characters or fewer');
  t.equal(await count(db, 'venues'), before, 'nothing stored');
});

t.test('an offer is added with its structured schedule, cost and referral details', async (t) => {
  const venue = await createVenue(db, organisationId);
  const response = await visitor.post('/offers/new', {
    ...validOffer,
    scheduleDays: ['TU', 'TH'],
    scheduleStartTime: '2pm',
    scheduleEndTime: '3:30pm',
    scheduleNote: 'Not in August',
    usualVenueId: venue.id,
    cost: 'charged',
    costAmount: '£3.50',
    costNote: 'Concessions available',
    referralPhone: '01865 123456',
    minAge: '18',
    maxAge: '',
  });
  t.equal(response.statusCode, 303);
  const id = /\/offers\/([0-9a-f-]{36})\?done=created/.exec(String(response.headers.location))![1]!;
  const offer = await db.selectFrom('offers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.equal(offer.scheduleFrequency, 'weekly');
  t.same(offer.scheduleDays, ['TU', 'TH']);
  t.equal(offer.scheduleStartTime, '14:00:00');
  t.equal(offer.scheduleEndTime, '15:30:00');
  t.equal(offer.isFree, false);
  t.equal(Number(offer.costAmount), 3.5);
  t.equal(offer.minAge, 18);
  t.equal(offer.maxAge, null);
  t.equal(offer.usualVenueId, venue.id);
  t.equal(offer.volunteeringRequirements, null);

  const page = await visitor.get(`/offers/${id}`);
  t.match(page.body, /Every Tuesday and Thursday, 2pm to 3:30pm. Not in August/);
  t.match(page.body, /£3.50. Concessions available/);
  t.match(page.body, /18 and over/);
  const edit = await visitor.get(`/offers/${id}/edit`);
  t.match(edit.body, /name="scheduleStartTime" type="text" value="14:00"/, 'times come back as typed times');
  t.match(edit.body, /value="TU" checked/);

  const archived = await visitor.post(`/offers/${id}/archive`);
  t.equal(archived.statusCode, 303);
  t.equal((await db.selectFrom('offers').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status, 'archived');
  await visitor.post(`/offers/${id}/restore`);
  t.equal((await db.selectFrom('offers').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status, 'active');
  const actions = await db.selectFrom('auditEvents').select('action').where('subjectId', '=', id).execute();
  t.same(actions.map((a) => a.action).sort(), ['offer_archived', 'offer_created', 'offer_restored']);
});

t.test('offer rules: schedule, cost, ages and volunteering requirements', async (t) => {
  const before = await count(db, 'offers');
  const cases: Array<[Record<string, string>, string, string]> = [
    [{ title: '' }, 'title', 'Enter the name of the activity'],
    [{ category: 'knitting' }, 'category', 'Select the kind of activity'],
    [{ description: '' }, 'description', 'Enter a description of the activity'],
    [{ scheduleDays: '' }, 'scheduleDays', 'Select the day or days the activity runs'],
    [{ scheduleFrequency: 'monthly' }, 'scheduleWeekOfMonth', 'Select which week of the month the activity runs'],
    [{ scheduleStartTime: '15:00', scheduleEndTime: '14:00' }, 'scheduleEndTime', 'The usual end time must be after the start time'],
    [{ scheduleStartTime: 'after lunch' }, 'scheduleStartTime', 'Enter the usual start time, like 14:00 or 2pm'],
    [{ scheduleEndTime: '' }, 'scheduleEndTime', 'Enter the usual end time, or leave both times blank'],
    [{ cost: 'charged' }, 'costAmount', 'Enter the cost, or describe it in the cost note'],
    [{ cost: 'charged', costAmount: 'three pounds' }, 'costAmount', 'Enter the cost in pounds, like 3.50'],
    [{ cost: '' }, 'cost', 'Select whether the activity is free'],
    [{ howToRefer: '' }, 'howToRefer', 'Enter how a link worker refers someone'],
    [{ referralEmail: 'learning team' }, 'referralEmail', 'Enter a referral email address in the correct format, like learning@example.org'],
    [{ referralPhone: 'call us' }, 'referralPhone', 'Enter a UK phone number for referrals, like 01865 123456'],
    [{ minAge: 'adult' }, 'minAge', 'Youngest age must be a whole number, like 18'],
    [{ minAge: '65', maxAge: '18' }, 'maxAge', 'Oldest age must be the same as or more than the youngest age'],
    [{ maxAge: '200' }, 'maxAge', 'Oldest age must be 120 or less'],
    [{ category: 'volunteering' }, 'volunteeringRequirements', 'Enter what the volunteering placement needs, such as an induction, time commitment or checks'],
    [{ title: 'x'.repeat(151) }, 'title', 'Name of the activity must be 150 characters or fewer'],
  ];
  for (const [overrides, field, message] of cases) {
    const response = await visitor.post('/offers/new', { ...validOffer, ...overrides });
    t.equal(response.statusCode, 400, `${field}: 400`);
    t.equal(fieldError(response.body, field), message, message);
  }
  t.equal(await count(db, 'offers'), before, 'nothing stored');

  const volunteering = await visitor.post('/offers/new', {
    ...validOffer,
    title: 'Garden volunteering',
    category: 'volunteering',
    scheduleFrequency: 'monthly',
    scheduleDays: 'SA',
    scheduleWeekOfMonth: '-1',
    volunteeringRequirements: 'A two-hour induction; three months, one morning a week; no checks needed',
  });
  t.equal(volunteering.statusCode, 303);
  const offer = await db.selectFrom('offers').selectAll().where('title', '=', 'Garden volunteering').executeTakeFirstOrThrow();
  t.equal(offer.scheduleWeekOfMonth, -1);
  t.match(offer.volunteeringRequirements, /induction/);
  const page = await visitor.get(String(volunteering.headers.location));
  t.match(page.body, /Last Saturday of the month/);
});

t.test('the offer page lists its sessions; the edit keeps what was chosen', async (t) => {
  const offer = await createOffer(db, organisationId, { title: 'Singing for wellbeing' });
  const page = await visitor.get(`/offers/${offer.id}`);
  t.equal(heading(page.body), 'Singing for wellbeing');
  t.match(page.body, new RegExp(`href="/offers/${offer.id}/sessions/new"`));
  t.match(page.body, /There are no taster sessions of this offer yet/);
});
