import t from 'tap';
import { renderPendingMessages } from '../../src/delivery/render.ts';
import { londonParts } from '../../src/lib/london-time.ts';
import { onlyEvent } from '../bookings/calendar/parse.ts';
import { createOrganisation, createVenue } from '../fixtures/builders.ts';
import { createDay, registrationBody, type TestDay } from '../fixtures/days.ts';
import { checkFormRejectsBadInput } from '../fixtures/forms.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading } from '../helper.ts';

/**
 * A coordinator changes a published day: its time, venue, deadline and places, its programme items
 * and tasters, or cancels it. Everyone affected is emailed (facts written by the delivery worker);
 * lowering places never removes anyone; raising them promotes in the same transaction.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const BASE_URL = 'https://tasters.test';
const app = await buildTestApp(t, database, { baseUrl: BASE_URL });
const coordinator = await signedIn(app, db, 'coordinator');
const host = await createOrganisation(db, { name: 'Riverside Museum' });
const newVenue = await createVenue(db, host.id, { name: 'The Print Room', town: 'Abingdon' });

async function dayRow(id: string) {
  return db.selectFrom('tasterDays').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** The day form filled in with the day as it is, each field overridable. */
async function dayBody(id: string, changes: Record<string, string> = {}): Promise<Record<string, string>> {
  const day = await dayRow(id);
  const date = londonParts(day.startsAt);
  const closes = londonParts(day.bookingClosesAt);
  return {
    title: day.title,
    description: day.description,
    venueId: day.venueId,
    dateDay: date.day,
    dateMonth: date.month,
    dateYear: date.year,
    startTime: date.time,
    endTime: londonParts(day.endsAt).time,
    closesDay: closes.day,
    closesMonth: closes.month,
    closesYear: closes.year,
    closesTime: closes.time,
    linkWorkerPlaces: String(day.linkWorkerPlaces),
    culturalPlaces: String(day.culturalPlaces),
    ...changes,
  };
}

async function messagesTo(userId: string) {
  await renderPendingMessages(db, { recipientId: userId });
  return db.selectFrom('outboxMessages').selectAll().where('recipientId', '=', userId).orderBy('createdAt').orderBy('id').execute();
}

async function register(day: TestDay, role: 'link_worker' | 'provider', tasterIndex = 0) {
  const person = await signedIn(app, db, role);
  const body = role === 'link_worker' ? registrationBody({ [day.slotId]: day.tasters[tasterIndex]!.id }) : {};
  t.equal((await person.visitor.post(`/days/${day.id}/register`, body)).statusCode, 303);
  return person;
}

t.test('moving the day moves its programme and emails everyone registered or waiting, a place with the updated event', async (t) => {
  const day = await createDay(db, { linkWorkerPlaces: 1 });
  const ada = await register(day, 'link_worker');
  const bo = await register(day, 'link_worker');
  const before = await dayRow(day.id);
  const [registered] = await messagesTo(ada.user.id);
  const firstEvent = onlyEvent(registered!.attachments[0]!.content);

  const form = await coordinator.visitor.get(`/days/${day.id}/edit`);
  t.equal(form.statusCode, 200);
  t.equal(heading(form.body), `Change ${before.title}`);
  t.match(form.body, `value="${before.title}"`, 'the form shows the day as it is');

  const response = await coordinator.visitor.post(
    `/days/${day.id}/edit`,
    await dayBody(day.id, { startTime: '10:30', endTime: '17:30', venueId: newVenue.id }),
  );
  t.equal(response.statusCode, 303);
  t.equal(response.headers.location, `/days/${day.id}?done=changed`);
  const after = await dayRow(day.id);
  t.equal(londonParts(after.startsAt).time, '10:30');
  t.equal(after.venueId, newVenue.id);
  const welcome = await db.selectFrom('dayProgrammeItems').select('startsAt').where('id', '=', day.plenaryId).executeTakeFirstOrThrow();
  t.equal(londonParts(welcome.startsAt).time, '10:30', 'the programme moved with the day');

  const [, changed] = await messagesTo(ada.user.id);
  t.equal(changed!.kind, 'day_changed');
  t.match(changed!.subject, /^Changed: /);
  t.match(changed!.textBody, /The day was: .*9:30am to 4:30pm/);
  t.match(changed!.textBody, /It was at:/);
  t.match(changed!.textBody, /The Print Room/);
  const event = onlyEvent(changed!.attachments[0]!.content);
  t.equal(event.method, 'REQUEST');
  t.equal(event.uid, firstEvent.uid, 'the same event');
  t.ok(event.sequence > firstEvent.sequence, 'a later version of it');
  t.equal(event.startUtc, new Date(after.startsAt).toISOString());
  const waiting = await messagesTo(bo.user.id);
  t.same(
    waiting.map((m) => m.kind),
    ['day_registered', 'day_changed'],
  );
  t.same(waiting[1]!.attachments, [], 'no event for someone waiting');

  // Changing only the description tells nobody.
  await coordinator.visitor.post(`/days/${day.id}/edit`, await dayBody(day.id, { description: 'Now with lunch.' }));
  t.equal((await messagesTo(ada.user.id)).length, 2);
});

t.test('lowering places keeps everyone who has one; raising them promotes the longest-waiting, who is emailed', async (t) => {
  const day = await createDay(db, { linkWorkerPlaces: 2 });
  const [a, b, c] = [await register(day, 'link_worker'), await register(day, 'link_worker'), await register(day, 'link_worker')];
  const statuses = async () =>
    (await db.selectFrom('dayRegistrations').select(['userId', 'status']).where('tasterDayId', '=', day.id).orderBy('createdAt').execute()).map(
      (r) => r.status,
    );
  t.equal((await coordinator.visitor.post(`/days/${day.id}/edit`, await dayBody(day.id, { linkWorkerPlaces: '1' }))).statusCode, 303);
  t.same(await statuses(), ['confirmed', 'confirmed', 'waitlisted'], 'nobody loses a place');
  t.equal((await b.visitor.post(`/days/${day.id}/cancel`, {})).statusCode, 303);
  t.same(await statuses(), ['confirmed', 'cancelled', 'waitlisted'], 'a freed place above the new number is not handed on');
  t.equal((await coordinator.visitor.post(`/days/${day.id}/edit`, await dayBody(day.id, { linkWorkerPlaces: '3' }))).statusCode, 303);
  t.same(await statuses(), ['confirmed', 'cancelled', 'confirmed']);
  t.same(
    (await messagesTo(c.user.id)).map((m) => m.kind),
    ['day_registered', 'day_promoted'],
  );
  t.same(
    (await messagesTo(a.user.id)).map((m) => m.kind),
    ['day_registered'],
  );
});

t.test('a move that leaves the programme outside the day is refused, and nothing changes', async (t) => {
  const day = await createDay(db);
  const before = await dayRow(day.id);
  const response = await coordinator.visitor.post(`/days/${day.id}/edit`, await dayBody(day.id, { endTime: '11:00' }));
  t.equal(response.statusCode, 400);
  t.match(errorSummary(response.body)[0], /^endTime: “Afternoon tasters” would fall outside 9:30am to 11am/);
  t.same(await dayRow(day.id), before);
  const slot = await db.selectFrom('dayProgrammeItems').select('startsAt').where('id', '=', day.slotId).executeTakeFirstOrThrow();
  t.equal(londonParts(slot.startsAt).time, '13:30', 'the programme did not move');
});

t.test('the change form', async (t) => {
  const day = await createDay(db);
  checkFormRejectsBadInput(t, db, {
    open: async () => {
      await coordinator.visitor.get(`/days/${day.id}/edit`);
      return { visitor: coordinator.visitor, url: `/days/${day.id}/edit` };
    },
    valid: await dayBody(day.id),
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
      { field: 'startTime', value: '25:00', message: 'Enter the start time in the correct format, like 9:30 or 9:30am' },
      { field: 'endTime', value: '8am', message: 'The end time must be after the start time' },
      { field: 'linkWorkerPlaces', value: 'thirty', message: 'Enter the places for link workers as a whole number, like 25' },
      { field: 'culturalPlaces', value: '-1', message: 'Places for cultural-sector staff cannot be below 0' },
    ],
    kept: ['title', 'startTime', 'endTime', 'linkWorkerPlaces', 'culturalPlaces'],
    breaker: { title: '' },
    otherBreaker: { venueId: '' },
  });
});

t.test('the programme item and taster change forms', async (t) => {
  const day = await createDay(db);
  t.test('a programme item', async (t) => {
    checkFormRejectsBadInput(t, db, {
      open: async () => {
        await coordinator.visitor.get(`/days/${day.id}/items/${day.plenaryId}/edit`);
        return { visitor: coordinator.visitor, url: `/days/${day.id}/items/${day.plenaryId}/edit` };
      },
      valid: { title: 'Welcome', description: 'Coffee first', startTime: '9:30', endTime: '10:30' },
      required: {
        title: 'Enter the title of the item',
        startTime: 'Enter the start time, like 14:00 or 2pm',
        endTime: 'Enter the end time, like 15:30 or 3:30pm',
      },
      tooLong: { title: { length: 121, message: 'Title must be 120 characters or fewer' } },
      malformed: [
        { field: 'startTime', value: 'noon', message: 'Enter the start time in the correct format, like 14:00 or 2pm' },
        { field: 'endTime', value: '18:00', message: 'The item must end by the end of the day' },
      ],
      kept: ['title', 'startTime', 'endTime'],
      breaker: { title: '' },
      otherBreaker: { startTime: '' },
    });
  });
  t.test('a taster', async (t) => {
    const taster = day.tasters[0]!;
    checkFormRejectsBadInput(t, db, {
      open: async () => {
        await coordinator.visitor.get(`/days/${day.id}/tasters/${taster.id}/edit`);
        return { visitor: coordinator.visitor, url: `/days/${day.id}/tasters/${taster.id}/edit` };
      },
      valid: { organisationId: taster.organisationId, title: 'Singing taster', description: '', capacity: '12', room: 'Hall', whatToBring: 'Water' },
      required: {
        organisationId: 'Select the organisation running the taster',
        title: 'Enter the title of the taster',
        capacity: 'Enter how many places the taster has',
      },
      tooLong: { room: { length: 121, message: 'Room must be 120 characters or fewer' } },
      malformed: [{ field: 'capacity', value: '0', message: 'There must be at least 1 place' }],
      kept: ['title', 'capacity', 'room'],
      breaker: { title: '' },
      otherBreaker: { capacity: '' },
    });
  });
});

t.test('changing a slot’s time or a taster’s room emails those who chose its tasters, and nobody else', async (t) => {
  const day = await createDay(db);
  const singer = await register(day, 'link_worker', 0);
  const folder = await register(day, 'link_worker', 1);
  const moved = await coordinator.visitor.post(`/days/${day.id}/items/${day.slotId}/edit`, {
    title: 'Afternoon tasters',
    startTime: '14:00',
    endTime: '15:30',
  });
  t.equal(moved.statusCode, 303);
  const [, slotMoved] = await messagesTo(singer.user.id);
  t.equal(slotMoved!.kind, 'day_changed');
  t.match(slotMoved!.textBody, /Singing taster was: 1:30pm to 3pm/);
  t.match(slotMoved!.textBody, /2pm to 3:30pm/);

  const taster = day.tasters[1]!;
  const room = await coordinator.visitor.post(`/days/${day.id}/tasters/${taster.id}/edit`, {
    organisationId: taster.organisationId,
    title: 'Origami taster',
    capacity: '10',
    room: 'Studio 4',
  });
  t.equal(room.statusCode, 303);
  const folderMessages = await messagesTo(folder.user.id);
  t.same(
    folderMessages.map((m) => m.kind),
    ['day_registered', 'day_changed', 'day_changed'],
    'the slot moved, then the room',
  );
  t.match(folderMessages[2]!.textBody, /Origami taster was: room Room 2/);
  t.match(folderMessages[2]!.textBody, /Room: Studio 4/);
  t.equal((await messagesTo(singer.user.id)).length, 2, 'the singer chose another taster, so is not told of its room');

  const bad = await coordinator.visitor.post(`/days/${day.id}/tasters/${taster.id}/edit`, {
    organisationId: taster.organisationId,
    title: '',
    capacity: 'ten',
    room: 'x'.repeat(121),
  });
  t.equal(bad.statusCode, 400);
  t.same(errorSummary(bad.body), [
    'title: Enter the title of the taster',
    'capacity: Enter the number of places as a whole number, like 10',
    'room: Room must be 120 characters or fewer',
  ]);
  const stored = await db.selectFrom('dayTasters').select(['title', 'room']).where('id', '=', taster.id).executeTakeFirstOrThrow();
  t.same(stored, { title: 'Origami taster', room: 'Studio 4' }, 'nothing changed');
});

t.test('raising a taster’s places promotes those waiting for it', async (t) => {
  const day = await createDay(db, { tasterPlaces: [1, 5] });
  await register(day, 'link_worker', 0);
  const waiting = await register(day, 'link_worker', 0);
  const taster = day.tasters[0]!;
  await coordinator.visitor.post(`/days/${day.id}/tasters/${taster.id}/edit`, {
    organisationId: taster.organisationId,
    title: 'Singing taster',
    capacity: '2',
    room: 'Room 1',
  });
  t.same(
    (await messagesTo(waiting.user.id)).map((m) => m.kind),
    ['day_registered', 'day_taster_promoted'],
  );
});

t.test('removing a taster asks first, tells those who chose it, and a slot keeps at least one', async (t) => {
  const day = await createDay(db, { tasterPlaces: [10, 10] });
  const chose = await register(day, 'link_worker', 0);
  const other = await register(day, 'link_worker', 1);
  const ask = await coordinator.visitor.get(`/days/${day.id}/tasters/${day.tasters[0]!.id}/remove`);
  t.equal(ask.statusCode, 200);
  t.equal(heading(ask.body), 'Remove Singing taster?');
  t.equal((await coordinator.visitor.post(`/days/${day.id}/tasters/${day.tasters[0]!.id}/remove`, {})).statusCode, 303);
  t.notOk(await db.selectFrom('dayTasters').select('id').where('id', '=', day.tasters[0]!.id).executeTakeFirst(), 'gone');
  const [, removed] = await messagesTo(chose.user.id);
  t.equal(removed!.kind, 'day_taster_removed');
  t.match(removed!.subject, /^Singing taster will not run: /);
  t.match(removed!.textBody, /Afternoon tasters: no taster chosen/);
  t.equal((await messagesTo(other.user.id)).length, 1, 'the other taster’s people are not told');

  const last = await coordinator.visitor.post(`/days/${day.id}/tasters/${day.tasters[1]!.id}/remove`, {});
  t.equal(last.statusCode, 400);
  t.same(errorSummary(last.body), ['remove: “Afternoon tasters” needs at least one taster. To drop it, remove “Afternoon tasters” from the programme instead']);
  t.ok(await db.selectFrom('dayTasters').select('id').where('id', '=', day.tasters[1]!.id).executeTakeFirst(), 'kept');
});

t.test('removing a slot takes its tasters and tells everyone who chose one', async (t) => {
  const day = await createDay(db);
  const person = await register(day, 'link_worker', 2);
  t.equal((await coordinator.visitor.get(`/days/${day.id}/items/${day.slotId}/remove`)).statusCode, 200);
  t.equal((await coordinator.visitor.post(`/days/${day.id}/items/${day.slotId}/remove`, {})).statusCode, 303);
  t.same(
    (await messagesTo(person.user.id)).map((m) => m.kind),
    ['day_registered', 'day_taster_removed'],
  );
  const last = await coordinator.visitor.post(`/days/${day.id}/items/${day.plenaryId}/remove`, {});
  t.equal(last.statusCode, 400);
  t.match(errorSummary(last.body)[0], /^remove: A published day needs its programme/);
});

t.test('cancelling the day asks first, then emails everyone with the reason and cancels their calendar event', async (t) => {
  const day = await createDay(db, { culturalPlaces: 1 });
  const linkWorker = await register(day, 'link_worker');
  const staff = await register(day, 'provider');
  const waiting = await register(day, 'provider');
  const ask = await coordinator.visitor.get(`/days/${day.id}/cancel-day`);
  t.equal(ask.statusCode, 200);
  t.match(heading(ask.body), /^Cancel Knowledge-exchange day/);

  const tooLong = await coordinator.visitor.post(`/days/${day.id}/cancel-day`, { reason: 'x'.repeat(501) });
  t.equal(tooLong.statusCode, 400);
  t.same(errorSummary(tooLong.body), ['reason: Reason must be 500 characters or fewer']);
  const hostile = await coordinator.visitor.post(`/days/${day.id}/cancel-day`, { reason: 'before\u0000after' });
  t.equal(hostile.statusCode, 400);
  t.equal((await dayRow(day.id)).status, 'published', 'nothing changed');

  const done = await coordinator.visitor.post(`/days/${day.id}/cancel-day`, { reason: 'The venue has flooded' });
  t.equal(done.statusCode, 303);
  const row = await dayRow(day.id);
  t.equal(row.status, 'cancelled');
  t.equal(row.cancellationReason, 'The venue has flooded');
  for (const person of [linkWorker, staff, waiting]) {
    const messages = await messagesTo(person.user.id);
    t.same(
      messages.map((m) => m.kind),
      ['day_registered', 'day_cancelled'],
    );
    t.match(messages[1]!.textBody, /Reason: The venue has flooded/);
  }
  const [registered, cancelled] = await messagesTo(linkWorker.user.id);
  const event = onlyEvent(cancelled!.attachments[0]!.content);
  t.equal(event.method, 'CANCEL');
  t.equal(event.status, 'CANCELLED');
  t.equal(event.uid, onlyEvent(registered!.attachments[0]!.content).uid);
  t.ok(event.sequence > onlyEvent(registered!.attachments[0]!.content).sequence);
  t.same((await messagesTo(waiting.user.id))[1]!.attachments, [], 'no event for someone waiting');

  const page = await linkWorker.visitor.get(`/days/${day.id}`);
  t.match(page.body, /This day has been cancelled: The venue has flooded/);
  t.equal((await coordinator.visitor.get(`/days/${day.id}/edit`)).statusCode, 404, 'a cancelled day is not changed');
  t.equal((await coordinator.visitor.post(`/days/${day.id}/cancel-day`, {})).statusCode, 404);
});

t.test('only coordinators change or cancel a day', async (t) => {
  const day = await createDay(db);
  const { visitor } = await signedIn(app, db, 'provider');
  t.equal((await visitor.get(`/days/${day.id}/edit`)).statusCode, 403);
  t.equal((await visitor.post(`/days/${day.id}/cancel-day`, {})).statusCode, 403);
  t.equal((await visitor.post(`/days/${day.id}/tasters/${day.tasters[0]!.id}/remove`, {})).statusCode, 403);
  t.equal((await dayRow(day.id)).status, 'published');
});

t.test('a taster renamed and moved to another room at once: those who chose it are told the room it was in', async (t) => {
  const day = await createDay(db);
  const folder = await register(day, 'link_worker', 1);
  const taster = day.tasters[1]!;
  const changed = await coordinator.visitor.post(`/days/${day.id}/tasters/${taster.id}/edit`, {
    organisationId: taster.organisationId,
    title: 'Paper folding taster',
    capacity: '10',
    room: 'Studio 5',
  });
  t.equal(changed.statusCode, 303);
  const [, told] = await messagesTo(folder.user.id);
  t.equal(told?.kind, 'day_changed');
  t.match(told?.textBody, /Origami taster was: room Room 2/, 'the taster is matched by what it is, not by its title');
  t.match(told?.textBody, /Room: Studio 5/);
});
