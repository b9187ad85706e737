import t from 'tap';
import { createOrganisation } from '../fixtures/builders.ts';
import { createDay, registrationBody } from '../fixtures/days.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading } from '../helper.ts';

/**
 * The registration rules of a taster day, through the app: each audience's own places and waiting
 * list, one taster per slot, each taster's own places and waiting list, the deadline, changing
 * choices, and cancelling promoting the next person — on both databases.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

async function registrations(dayId: string) {
  return db
    .selectFrom('dayRegistrations as r')
    .innerJoin('users as u', 'u.id', 'r.userId')
    .select(['r.id', 'r.userId', 'r.audience', 'r.status', 'u.name'])
    .where('r.tasterDayId', '=', dayId)
    .where('r.status', '<>', 'cancelled')
    .orderBy('r.createdAt')
    .execute();
}

async function choicesOf(userId: string, dayId: string) {
  return db
    .selectFrom('dayTasterChoices as c')
    .innerJoin('dayRegistrations as r', 'r.id', 'c.registrationId')
    .select(['c.dayTasterId', 'c.programmeItemId', 'c.status'])
    .where('r.userId', '=', userId)
    .where('r.tasterDayId', '=', dayId)
    .where('c.status', '<>', 'cancelled')
    .execute();
}

t.test('a link worker registers with a taster for the slot, and the page shows their place', async (t) => {
  const day = await createDay(db);
  const { user, visitor } = await signedIn(app, db, 'link_worker');
  const form = await visitor.get(`/days/${day.id}/register`);
  t.equal(form.statusCode, 200);
  t.equal(heading(form.body), 'Register for the day');
  const response = await visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[1]!.id }, { dietaryNeeds: 'Vegan' }));
  t.equal(response.statusCode, 303);
  t.equal(response.headers.location, `/days/${day.id}?done=registered`);
  t.match(await registrations(day.id), [{ userId: user.id, audience: 'link_worker', status: 'confirmed' }]);
  t.same(await choicesOf(user.id, day.id), [{ dayTasterId: day.tasters[1]!.id, programmeItemId: day.slotId, status: 'confirmed' }]);
  const page = await visitor.get(`/days/${day.id}?done=registered`);
  t.match(page.body, /You have a place, as: <strong>Link worker<\/strong>/);
  t.match(page.body, /Origami taster: Place confirmed/);
  // Registering again (a double click, a second tab) changes nothing.
  const again = await visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  t.equal(again.statusCode, 303);
  t.equal((await registrations(day.id)).length, 1);
  t.same(await choicesOf(user.id, day.id), [{ dayTasterId: day.tasters[1]!.id, programmeItemId: day.slotId, status: 'confirmed' }]);
});

t.test('a link worker must choose one of the slot’s tasters: clear messages, nothing stored', async (t) => {
  const day = await createDay(db, { morningSlot: true });
  const { visitor } = await signedIn(app, db, 'link_worker');
  const missing = await visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }, { accessNeeds: 'Step-free seating' }));
  t.equal(missing.statusCode, 400);
  t.same(errorSummary(missing.body), [`slot-${day.morningSlotId}: Choose a taster for “Morning tasters”`]);
  t.match(missing.body, /Step-free seating/, 'what they typed is kept');
  // A taster of the other slot in this slot's field, and something that is not a taster at all.
  const wrongSlot = await visitor.post(
    `/days/${day.id}/register`,
    registrationBody({ [day.slotId]: day.morningTasterIds![0]!, [day.morningSlotId!]: day.morningTasterIds![1]! }),
  );
  t.equal(wrongSlot.statusCode, 400);
  t.same(errorSummary(wrongSlot.body), [`slot-${day.slotId}: Choose one of the tasters listed for “Afternoon tasters”`]);
  const made_up = await visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: 'twelve', [day.morningSlotId!]: day.morningTasterIds![1]! }));
  t.equal(made_up.statusCode, 400);
  const tooLong = await visitor.post(
    `/days/${day.id}/register`,
    registrationBody({ [day.slotId]: day.tasters[0]!.id, [day.morningSlotId!]: day.morningTasterIds![1]! }, { dietaryNeeds: 'x'.repeat(1001) }),
  );
  t.equal(tooLong.statusCode, 400);
  t.same(errorSummary(tooLong.body), ['dietaryNeeds: Dietary needs must be 1,000 characters or fewer']);
  t.equal((await registrations(day.id)).length, 0, 'nothing stored');
  // Both slots chosen: two choices, one in each.
  const ok = await visitor.post(
    `/days/${day.id}/register`,
    registrationBody({ [day.slotId]: day.tasters[0]!.id, [day.morningSlotId!]: day.morningTasterIds![1]! }),
  );
  t.equal(ok.statusCode, 303);
  t.equal((await registrations(day.id)).length, 1);
});

t.test('the database itself refuses a second live choice in one slot', async (t) => {
  const day = await createDay(db);
  const { user, visitor } = await signedIn(app, db, 'link_worker');
  await visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  const registration = (await registrations(day.id)).find((r) => r.userId === user.id)!;
  await t.rejects(
    db
      .insertInto('dayTasterChoices')
      .values({ registrationId: registration.id, dayTasterId: day.tasters[1]!.id, programmeItemId: day.slotId, status: 'confirmed', confirmedAt: new Date() })
      .execute(),
    { code: '23505' },
  );
});

t.test('each audience has its own places and waiting list', async (t) => {
  const day = await createDay(db, { linkWorkerPlaces: 2, culturalPlaces: 1 });
  const lw = await Promise.all([1, 2, 3].map(() => signedIn(app, db, 'link_worker')));
  for (const { visitor } of lw) await visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  const cultural = await Promise.all([1, 2].map(() => signedIn(app, db, 'provider')));
  for (const { visitor } of cultural) t.equal((await visitor.post(`/days/${day.id}/register`, {})).statusCode, 303);
  const rows = await registrations(day.id);
  t.same(
    rows.map((r) => `${r.audience} ${r.status}`),
    ['link_worker confirmed', 'link_worker confirmed', 'link_worker waitlisted', 'cultural confirmed', 'cultural waitlisted'],
    'link workers filling their places leave the cultural places alone',
  );
  const waitingPage = await lw[2]!.visitor.get(`/days/${day.id}`);
  t.match(waitingPage.body, /waiting list for link worker places: number <strong id="waiting-position">1<\/strong>/);
  t.match(waitingPage.body, /Singing taster: Waiting for a place on the day first/);
  t.same(
    (await choicesOf(lw[2]!.user.id, day.id)).map((c) => c.status),
    ['waitlisted'],
    'the waiting person’s choice waits with them',
  );

  // The second link worker cancels: the third gets the day's place and, as the taster has room, their taster too.
  const cancelled = await lw[1]!.visitor.post(`/days/${day.id}/cancel`, {});
  t.equal(cancelled.statusCode, 303);
  const after = await registrations(day.id);
  t.same(
    after.filter((r) => r.audience === 'link_worker').map((r) => [r.userId, r.status]),
    [
      [lw[0]!.user.id, 'confirmed'],
      [lw[2]!.user.id, 'confirmed'],
    ],
  );
  t.same(
    (await choicesOf(lw[2]!.user.id, day.id)).map((c) => c.status),
    ['confirmed'],
  );
  t.same(await choicesOf(lw[1]!.user.id, day.id), [], 'the cancelled registration’s choices went with it');
  const promoted = await db
    .selectFrom('auditEvents')
    .select('details')
    .where('action', '=', 'day_registration_promoted')
    .where('subjectId', '=', day.id)
    .execute();
  t.equal(promoted.length, 1, 'the promotion is on the audit trail');
});

t.test('each taster has its own places and waiting list, served in order when someone moves or leaves', async (t) => {
  const day = await createDay(db, { tasterPlaces: [1, 5] });
  const [a, b, c] = await Promise.all([1, 2, 3].map(() => signedIn(app, db, 'link_worker')));
  for (const p of [a!, b!, c!]) await p.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  t.same(
    (await choicesOf(a!.user.id, day.id)).map((x) => x.status),
    ['confirmed'],
  );
  t.same(
    (await choicesOf(b!.user.id, day.id)).map((x) => x.status),
    ['waitlisted'],
  );
  const bPage = await b!.visitor.get(`/days/${day.id}`);
  t.match(bPage.body, /Singing taster: On the waiting list: number 1/);
  const cPage = await c!.visitor.get(`/days/${day.id}`);
  t.match(cPage.body, /Singing taster: On the waiting list: number 2/);

  // A changes to the other taster: B, first in the queue, gets A's place; A is confirmed on the other.
  const changed = await a!.visitor.post(`/days/${day.id}/choices`, registrationBody({ [day.slotId]: day.tasters[1]!.id }));
  t.equal(changed.statusCode, 303);
  t.same(
    (await choicesOf(a!.user.id, day.id)).map((x) => [x.dayTasterId, x.status]),
    [[day.tasters[1]!.id, 'confirmed']],
  );
  t.same(
    (await choicesOf(b!.user.id, day.id)).map((x) => x.status),
    ['confirmed'],
  );
  t.same(
    (await choicesOf(c!.user.id, day.id)).map((x) => x.status),
    ['waitlisted'],
  );
  // Changing back: the place is taken, so A waits behind C (no jumping the queue).
  await a!.visitor.post(`/days/${day.id}/choices`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  const aPage = await a!.visitor.get(`/days/${day.id}`);
  t.match(aPage.body, /Singing taster: On the waiting list: number 2/);
  // B cancels the whole registration: C, who waited longest, gets the taster.
  await b!.visitor.post(`/days/${day.id}/cancel`, {});
  t.same(
    (await choicesOf(c!.user.id, day.id)).map((x) => x.status),
    ['confirmed'],
  );
  t.same(
    (await choicesOf(a!.user.id, day.id)).map((x) => x.status),
    ['waitlisted'],
  );
  // Saving the same choice again keeps the place in the queue.
  await a!.visitor.post(`/days/${day.id}/choices`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  t.match((await a!.visitor.get(`/days/${day.id}`)).body, /Singing taster: On the waiting list: number 1/);
});

t.test('cultural staff choose another organisation’s taster only if places allow, or none', async (t) => {
  const day = await createDay(db, { tasterPlaces: [1, 5] });
  const { user: lw, visitor: lwVisitor } = await signedIn(app, db, 'link_worker');
  await lwVisitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  // Staff of the organisation running the second taster.
  const { user, visitor } = await signedIn(app, db, 'provider', { organisationId: day.tasters[1]!.organisationId });
  const form = await visitor.get(`/days/${day.id}/register`);
  t.match(form.body, /No taster in this slot/);
  t.notMatch(form.body, new RegExp(`value="${day.tasters[1]!.id}"`), 'their own organisation’s taster is not offered');
  const own = await visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[1]!.id }));
  t.equal(own.statusCode, 400);
  t.same(errorSummary(own.body), [`slot-${day.slotId}: Your organisation runs this taster: choose another organisation’s, or none`]);
  const full = await visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  t.equal(full.statusCode, 400);
  t.same(errorSummary(full.body), [`slot-${day.slotId}: “Singing taster” is full: its places go to link workers first`]);
  t.equal((await registrations(day.id)).length, 1, 'nothing stored for them');
  t.equal((await visitor.post(`/days/${day.id}/register`, {})).statusCode, 303, 'no taster is fine');
  t.same(await choicesOf(user.id, day.id), []);
  t.same(
    (await choicesOf(lw.id, day.id)).map((c) => c.status),
    ['confirmed'],
  );
  // Another organisation's staff with room on the taster.
  const other = await signedIn(app, db, 'provider', { organisationId: (await createOrganisation(db)).id });
  await other.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[1]!.id }));
  t.same(
    (await choicesOf(other.user.id, day.id)).map((c) => c.status),
    ['confirmed'],
  );
});

t.test('after registration closes: no registering and no changing choices; cancelling still works', async (t) => {
  const day = await createDay(db, { bookingClosesAt: new Date(Date.now() + 60_000) });
  const { user, visitor } = await signedIn(app, db, 'link_worker');
  await visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  await db
    .updateTable('tasterDays')
    .set({ bookingClosesAt: new Date(Date.now() - 60_000) })
    .where('id', '=', day.id)
    .execute();
  const late = await signedIn(app, db, 'link_worker');
  const page = await late.visitor.get(`/days/${day.id}/register`);
  t.equal(page.statusCode, 409);
  t.match(page.body, /Registration for this day has closed/);
  const post = await late.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  t.equal(post.statusCode, 409);
  t.equal((await registrations(day.id)).length, 1);
  const change = await visitor.post(`/days/${day.id}/choices`, registrationBody({ [day.slotId]: day.tasters[1]!.id }));
  t.equal(change.statusCode, 400);
  t.same(errorSummary(change.body), ['choices: Registration for this day has closed']);
  t.same(
    (await choicesOf(user.id, day.id)).map((c) => c.dayTasterId),
    [day.tasters[0]!.id],
  );
  t.notMatch((await visitor.get(`/days/${day.id}`)).body, /Save my choices/, 'the form is gone once closed');
  t.equal((await visitor.post(`/days/${day.id}/cancel`, {})).statusCode, 303);
  t.equal((await registrations(day.id)).length, 0);
});

t.test('drafts are not there for people registering; coordinators organise rather than register', async (t) => {
  const draft = await createDay(db, { status: 'draft' });
  const { visitor } = await signedIn(app, db, 'link_worker');
  t.equal((await visitor.get(`/days/${draft.id}`)).statusCode, 404);
  t.equal((await visitor.get(`/days/${draft.id}/register`)).statusCode, 404);
  t.equal((await visitor.post(`/days/${draft.id}/register`, registrationBody({ [draft.slotId]: draft.tasters[0]!.id }))).statusCode, 404);
  const day = await createDay(db);
  const coordinator = await signedIn(app, db, 'coordinator');
  t.equal((await coordinator.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }))).statusCode, 403);
  t.equal((await registrations(day.id)).length, 0);
});
