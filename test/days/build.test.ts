import t from 'tap';
import { londonParts } from '../../src/lib/london-time.ts';
import { createOrganisation, createVenue } from '../fixtures/builders.ts';
import { createDay } from '../fixtures/days.ts';
import { checkFormRejectsBadInput } from '../fixtures/forms.ts';
import { at } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading } from '../helper.ts';

/** A coordinator builds a taster day: the day, its programme in time order, the tasters of a slot; then publishes it. */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);
const coordinator = await signedIn(app, db, 'coordinator');
const host = await createOrganisation(db, { name: 'Riverside Museum' });
const venue = await createVenue(db, host.id, { name: 'Learning centre', stepFree: true });
const singers = await createOrganisation(db, { name: 'Community Singers' });

const dayDate = londonParts(at(21, 12));
const closes = londonParts(at(14, 12));
const validDay = {
  title: 'Knowledge-exchange day',
  description: 'Link workers and cultural-sector staff meet and try the arts.',
  venueId: venue.id,
  dateDay: dayDate.day,
  dateMonth: dayDate.month,
  dateYear: dayDate.year,
  startTime: '9:30am',
  endTime: '16:30',
  closesDay: closes.day,
  closesMonth: closes.month,
  closesYear: closes.year,
  closesTime: '17:00',
  linkWorkerPlaces: '30',
  culturalPlaces: '20',
};

t.test('a coordinator creates a day, builds its programme and publishes it', async (t) => {
  const { visitor } = coordinator;
  const form = await visitor.get('/days/new');
  t.equal(heading(form.body), 'Create a taster day');
  const created = await visitor.post('/days/new', validDay);
  t.equal(created.statusCode, 303);
  const id = /^\/days\/([0-9a-f-]{36})\?done=created$/.exec(String(created.headers.location))?.[1];
  t.ok(id, 'to the new day');
  const day = await db.selectFrom('tasterDays').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
  t.match(day, { title: 'Knowledge-exchange day', status: 'draft', linkWorkerPlaces: 30, culturalPlaces: 20, venueId: venue.id });
  t.equal(londonParts(day.startsAt).time, '09:30');
  t.equal(londonParts(day.endsAt).time, '16:30');

  // Publishing an empty day is refused with a reason.
  const empty = await visitor.post(`/days/${id}/publish`, {});
  t.equal(empty.statusCode, 400);
  t.same(errorSummary(empty.body), ['publish: Add the programme before publishing the day']);

  // The afternoon first, then the morning: the programme is shown in time order.
  t.equal((await visitor.post(`/days/${id}/items/new`, { kind: 'slot', title: 'Afternoon tasters', startTime: '2pm', endTime: '15:30' })).statusCode, 303);
  t.equal(
    (await visitor.post(`/days/${id}/items/new`, { kind: 'plenary', title: 'Welcome and research findings', startTime: '9:30', endTime: '10:30' })).statusCode,
    303,
  );
  const overlap = await visitor.post(`/days/${id}/items/new`, { kind: 'slot', title: 'Another slot', startTime: '15:00', endTime: '16:00' });
  t.equal(overlap.statusCode, 400);
  t.same(errorSummary(overlap.body), ['startTime: This overlaps the slot “Afternoon tasters”. Slots of tasters must not overlap, so nobody is in two at once']);
  const page = await visitor.get(`/days/${id}`);
  t.ok(page.body.indexOf('Welcome and research findings') < page.body.indexOf('Afternoon tasters'), 'in time order');

  const slot = await db.selectFrom('dayProgrammeItems').select('id').where('tasterDayId', '=', id!).where('kind', '=', 'slot').executeTakeFirstOrThrow();
  const plenary = await db.selectFrom('dayProgrammeItems').select('id').where('tasterDayId', '=', id!).where('kind', '=', 'plenary').executeTakeFirstOrThrow();
  const noTasters = await visitor.post(`/days/${id}/publish`, {});
  t.same(errorSummary(noTasters.body), ['publish: Add at least one taster to “Afternoon tasters” before publishing the day']);
  t.equal((await visitor.get(`/days/${id}/items/${plenary.id}/tasters/new`)).statusCode, 404, 'tasters go in slots, not in items for everyone');

  const taster = await visitor.post(`/days/${id}/items/${slot.id}/tasters/new`, {
    organisationId: singers.id,
    title: 'Singing for wellbeing',
    capacity: '10',
    room: 'Gallery 2',
    whatToBring: 'Water',
  });
  t.equal(taster.statusCode, 303);
  t.match(await db.selectFrom('dayTasters').selectAll().where('programmeItemId', '=', slot.id).executeTakeFirstOrThrow(), {
    organisationId: singers.id,
    title: 'Singing for wellbeing',
    capacity: 10,
    room: 'Gallery 2',
    whatToBring: 'Water',
  });

  // Link workers do not see the draft, in the list or at its address.
  const linkWorker = await signedIn(app, db, 'link_worker');
  t.notMatch((await linkWorker.visitor.get('/days')).body, /Knowledge-exchange day/);
  t.equal((await linkWorker.visitor.get(`/days/${id}`)).statusCode, 404);

  const published = await visitor.post(`/days/${id}/publish`, {});
  t.equal(published.statusCode, 303);
  t.equal((await db.selectFrom('tasterDays').select('status').where('id', '=', id!).executeTakeFirstOrThrow()).status, 'published');
  t.equal((await visitor.post(`/days/${id}/publish`, {})).statusCode, 303, 'publishing twice is harmless');
  const list = await linkWorker.visitor.get('/days');
  t.match(list.body, /Knowledge-exchange day/);
  const shown = await linkWorker.visitor.get(`/days/${id}`);
  t.match(shown.body, /Singing for wellbeing<\/strong>, run by Community Singers, in Gallery 2/);
  t.match(shown.body, /10 of 10 places left/);
  t.match(shown.body, /Step-free access: <strong>yes/);
  t.match(shown.body, /Register for this day/);
});

t.test('only coordinators build days', async (t) => {
  const day = await createDay(db, { status: 'draft' });
  for (const role of ['link_worker', 'provider'] as const) {
    const { visitor } = await signedIn(app, db, role);
    t.equal((await visitor.get('/days/new')).statusCode, 403, `${role}: the form`);
    t.equal((await visitor.post('/days/new', validDay)).statusCode, 403, `${role}: creating`);
    t.equal((await visitor.post(`/days/${day.id}/items/new`, { kind: 'plenary', title: 'x', startTime: '10:00', endTime: '11:00' })).statusCode, 403);
    t.equal((await visitor.post(`/days/${day.id}/publish`, {})).statusCode, 403);
  }
  t.equal((await db.selectFrom('tasterDays').select('status').where('id', '=', day.id).executeTakeFirstOrThrow()).status, 'draft');
});

t.test('the day form', async (t) => {
  checkFormRejectsBadInput(t, db, {
    open: async () => {
      await coordinator.visitor.get('/days/new');
      return { visitor: coordinator.visitor, url: '/days/new' };
    },
    valid: validDay,
    required: {
      title: 'Enter the title of the day',
      venueId: 'Select the venue',
      startTime: 'Enter the start time, like 9:30 or 9:30am',
      endTime: 'Enter the end time, like 16:30 or 4:30pm',
      linkWorkerPlaces: 'Enter how many places there are for link workers',
      culturalPlaces: 'Enter how many places there are for cultural-sector staff',
    },
    tooLong: { title: { length: 121, message: 'Title must be 120 characters or fewer' } },
    malformed: [
      { field: 'dateDay', value: '31', message: '' },
      { field: 'startTime', value: '25:00', message: 'Enter the start time in the correct format, like 9:30 or 9:30am' },
      { field: 'endTime', value: '8am', message: 'The end time must be after the start time' },
      { field: 'linkWorkerPlaces', value: 'thirty', message: 'Enter the places for link workers as a whole number, like 25' },
      { field: 'culturalPlaces', value: '-1', message: 'Places for cultural-sector staff cannot be below 0' },
      { field: 'culturalPlaces', value: '1001', message: 'There can be at most 1,000 places for cultural-sector staff' },
    ].filter((m) => m.message),
    kept: ['title', 'startTime', 'endTime', 'linkWorkerPlaces', 'culturalPlaces'],
    breaker: { title: '' },
    otherBreaker: { venueId: '' },
  });

  t.test('dates: in the past, registration closing after the start, no places at all', async (t) => {
    const past = londonParts(at(-3, 12));
    const inPast = await coordinator.visitor.post('/days/new', { ...validDay, dateDay: past.day, dateMonth: past.month, dateYear: past.year });
    t.same(errorSummary(inPast.body), ['date: The day must be in the future', 'bookingCloses: Registration must close before the day starts']);
    const late = londonParts(at(30, 12));
    const closesLate = await coordinator.visitor.post('/days/new', { ...validDay, closesDay: late.day, closesMonth: late.month, closesYear: late.year });
    t.same(errorSummary(closesLate.body), ['bookingCloses: Registration must close before the day starts']);
    const nobody = await coordinator.visitor.post('/days/new', { ...validDay, linkWorkerPlaces: '0', culturalPlaces: '0' });
    t.same(errorSummary(nobody.body), ['linkWorkerPlaces: Enter at least 1 place for link workers or cultural-sector staff']);
    const archived = await createVenue(db, host.id, { archivedAt: new Date() });
    const gone = await coordinator.visitor.post('/days/new', { ...validDay, venueId: archived.id });
    t.same(errorSummary(gone.body), ['venueId: Select the venue']);
  });
});

t.test('the programme item form', async (t) => {
  const day = await createDay(db, { status: 'draft' });
  checkFormRejectsBadInput(t, db, {
    open: async () => {
      await coordinator.visitor.get(`/days/${day.id}/items/new`);
      return { visitor: coordinator.visitor, url: `/days/${day.id}/items/new` };
    },
    valid: { kind: 'plenary', title: 'Group discussions', description: 'Barriers and opportunities', startTime: '11:00', endTime: '12:00' },
    required: {
      kind: 'Select whether this is for everyone or a choice of tasters',
      title: 'Enter the title of the item',
      startTime: 'Enter the start time, like 14:00 or 2pm',
      endTime: 'Enter the end time, like 15:30 or 3:30pm',
    },
    tooLong: { title: { length: 121, message: 'Title must be 120 characters or fewer' } },
    malformed: [
      { field: 'startTime', value: 'noon', message: 'Enter the start time in the correct format, like 14:00 or 2pm' },
      { field: 'startTime', value: '7:00', message: 'The item must start during the day' },
      { field: 'endTime', value: '18:00', message: 'The item must end by the end of the day' },
      { field: 'kind', value: 'party', message: 'Select whether this is for everyone or a choice of tasters' },
    ],
    kept: ['title', 'startTime', 'endTime'],
    breaker: { title: '' },
    otherBreaker: { kind: '' },
  });
});

t.test('the taster form', async (t) => {
  const day = await createDay(db, { status: 'draft' });
  checkFormRejectsBadInput(t, db, {
    open: async () => {
      await coordinator.visitor.get(`/days/${day.id}/items/${day.slotId}/tasters/new`);
      return { visitor: coordinator.visitor, url: `/days/${day.id}/items/${day.slotId}/tasters/new` };
    },
    valid: { organisationId: singers.id, title: 'Origami', description: 'Paper folding', capacity: '12', room: 'Studio', whatToBring: 'Nothing' },
    required: {
      organisationId: 'Select the organisation running the taster',
      title: 'Enter the title of the taster',
      capacity: 'Enter how many places the taster has',
    },
    tooLong: {
      title: { length: 121, message: 'Title must be 120 characters or fewer' },
      room: { length: 121, message: 'Room must be 120 characters or fewer' },
    },
    malformed: [
      { field: 'capacity', value: 'ten', message: 'Enter the number of places as a whole number, like 10' },
      { field: 'capacity', value: '0', message: 'There must be at least 1 place' },
      { field: 'organisationId', value: '00000000-0000-4000-8000-000000000000', message: 'Select the organisation running the taster' },
    ],
    kept: ['title', 'capacity', 'room'],
    breaker: { title: '' },
    otherBreaker: { capacity: '' },
  });
});

t.test('the registration form', async (t) => {
  const day = await createDay(db);
  const linkWorker = await signedIn(app, db, 'link_worker');
  checkFormRejectsBadInput(t, db, {
    open: async () => {
      await linkWorker.visitor.get(`/days/${day.id}/register`);
      return { visitor: linkWorker.visitor, url: `/days/${day.id}/register` };
    },
    valid: { [`slot-${day.slotId}`]: day.tasters[0]!.id, accessNeeds: 'Step-free seating', dietaryNeeds: 'Vegetarian', participantList: 'yes' },
    required: {},
    tooLong: {
      accessNeeds: { length: 1001, message: 'Access needs must be 1,000 characters or fewer' },
      dietaryNeeds: { length: 1001, message: 'Dietary needs must be 1,000 characters or fewer' },
    },
    kept: [],
    breaker: { dietaryNeeds: 'x'.repeat(1001) },
    otherBreaker: { accessNeeds: 'x'.repeat(1001) },
  });
});
