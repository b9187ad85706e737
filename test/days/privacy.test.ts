import t from 'tap';
import { SYSTEM } from '../../src/audit/actor.ts';
import { erasePerson } from '../../src/privacy/erase.ts';
import { applyRetention } from '../../src/privacy/retention.ts';
import { createDay, registrationBody } from '../fixtures/days.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, heading } from '../helper.ts';

/**
 * What people share on a taster day: the participant list holds only those who agreed and have a
 * place, withdrawing takes them off at once; access and dietary needs are for the organisers only
 * and are gone after the retention run that follows the day.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

/** The page's main content: the header names the person signed in, who may be the one we look for. */
const main = (html: string) => /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '';

t.test('only people with a place who agreed are on the participant list, and withdrawing takes them off at once', async (t) => {
  const day = await createDay(db, { linkWorkerPlaces: 2 });
  const choice = { [day.slotId]: day.tasters[0]!.id };
  const agreed = await signedIn(app, db, 'link_worker', { name: 'Priya Agreed', pcn: 'Riverside PCN', practice: 'Bridge Surgery' });
  const declined = await signedIn(app, db, 'link_worker', { name: 'Dan Declined' });
  const waiting = await signedIn(app, db, 'link_worker', { name: 'Wendy Waiting' });
  const museum = await signedIn(app, db, 'provider', { name: 'Mo Museum' });
  await agreed.visitor.post(`/days/${day.id}/register`, registrationBody(choice, { participantList: 'yes' }));
  await declined.visitor.post(`/days/${day.id}/register`, registrationBody(choice));
  await waiting.visitor.post(`/days/${day.id}/register`, registrationBody(choice, { participantList: 'yes' }));
  await museum.visitor.post(`/days/${day.id}/register`, { participantList: 'yes' });
  const coordinator = await signedIn(app, db, 'coordinator');

  for (const [who, visitor] of [
    ['a participant who declined', declined.visitor],
    ['cultural staff', museum.visitor],
    ['the coordinator', coordinator.visitor],
  ] as const) {
    const list = await visitor.get(`/days/${day.id}/participants`);
    t.equal(list.statusCode, 200, `${who} sees the list`);
    t.match(
      list.body,
      /Priya Agreed<\/td><td class="nhsuk-table__cell">Link worker<\/td><td class="nhsuk-table__cell tasters-break">Bridge Surgery, Riverside PCN/,
    );
    t.match(list.body, /Mo Museum<\/td><td class="nhsuk-table__cell">Cultural-sector staff/);
    t.notMatch(main(list.body), /Dan Declined/, `${who}: someone who did not agree is not on it`);
    t.notMatch(main(list.body), /Wendy Waiting/, `${who}: someone without a place yet is not on it`);
  }
  const refused = await waiting.visitor.get(`/days/${day.id}/participants`);
  t.equal(refused.statusCode, 403, 'the list is for people with a place');
  t.equal(heading(refused.body), 'You cannot use this page');
  const stranger = await signedIn(app, db, 'link_worker');
  t.equal((await stranger.visitor.get(`/days/${day.id}/participants`)).statusCode, 403, 'and not for people not registered');

  // Priya withdraws: off the list for everyone at once.
  const off = await agreed.visitor.post(`/days/${day.id}/participant-list`, { participantList: 'no' });
  t.equal(off.statusCode, 303);
  t.notMatch((await museum.visitor.get(`/days/${day.id}/participants`)).body, /Priya Agreed/);
  t.notMatch((await coordinator.visitor.get(`/days/${day.id}/participants`)).body, /Priya Agreed/);
  t.match((await agreed.visitor.get(`/days/${day.id}`)).body, /You are not on the participant list/);
  // A malformed choice changes nothing.
  const bad = await agreed.visitor.post(`/days/${day.id}/participant-list`, { participantList: 'maybe' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /Select whether to appear on the participant list/);
  // Declined Dan agrees later: on at once.
  await declined.visitor.post(`/days/${day.id}/participant-list`, { participantList: 'yes' });
  t.match((await museum.visitor.get(`/days/${day.id}/participants`)).body, /Dan Declined/);
});

t.test('access and dietary needs: shown to the organisers only, gone after the retention run that follows the day', async (t) => {
  const day = await createDay(db);
  const person = await signedIn(app, db, 'link_worker', { name: 'Nadia Needs' });
  const tasterStaff = await signedIn(app, db, 'provider', { organisationId: day.tasters[0]!.organisationId });
  await person.visitor.post(
    `/days/${day.id}/register`,
    registrationBody({ [day.slotId]: day.tasters[0]!.id }, { accessNeeds: 'Wheelchair user', dietaryNeeds: 'Coeliac', participantList: 'yes' }),
  );
  await tasterStaff.visitor.post(`/days/${day.id}/register`, { participantList: 'yes' });
  const coordinator = await signedIn(app, db, 'coordinator');
  const organisers = await coordinator.visitor.get(`/days/${day.id}/registrations`);
  t.equal(organisers.statusCode, 200);
  t.match(organisers.body, /Wheelchair user/);
  t.match(organisers.body, /Coeliac/);
  // Staff of an organisation running a taster are not the day's organisers.
  t.equal((await tasterStaff.visitor.get(`/days/${day.id}/registrations`)).statusCode, 403);
  for (const url of [`/days/${day.id}`, `/days/${day.id}/participants`]) {
    const page = await tasterStaff.visitor.get(url);
    t.notMatch(page.body, /Wheelchair user|Coeliac/, `not on ${url} for other participants`);
  }

  // Before the day has ended the retention run keeps them; after it, they are gone.
  const policy = app.config.retention;
  await applyRetention(db, new Date(), policy);
  t.match(await db.selectFrom('dayRegistrations').select(['accessNeeds', 'dietaryNeeds']).where('userId', '=', person.user.id).executeTakeFirstOrThrow(), {
    accessNeeds: 'Wheelchair user',
    dietaryNeeds: 'Coeliac',
  });
  await db
    .updateTable('tasterDays')
    .set({
      startsAt: new Date(Date.now() - 30 * 3_600_000),
      endsAt: new Date(Date.now() - 23 * 3_600_000),
      bookingClosesAt: new Date(Date.now() - 80 * 3_600_000),
    })
    .where('id', '=', day.id)
    .execute();
  const result = await applyRetention(db, new Date(), policy);
  t.equal(result.dayNeedsRemoved, 1);
  const row = await db.selectFrom('dayRegistrations').selectAll().where('userId', '=', person.user.id).executeTakeFirstOrThrow();
  t.equal(row.accessNeeds, null);
  t.equal(row.dietaryNeeds, null);
  t.ok(row.needsRemovedAt, 'when they went is recorded');
  t.equal(row.status, 'confirmed', 'the registration itself stays, for the day’s figures');
  t.notMatch((await coordinator.visitor.get(`/days/${day.id}/registrations`)).body, /Wheelchair user|Coeliac/);
  t.equal((await applyRetention(db, new Date(), policy)).dayNeedsRemoved, 0, 'running it again changes nothing');
});

t.test('erasing a person removes their needs and takes them off every participant list', async (t) => {
  const day = await createDay(db);
  const person = await signedIn(app, db, 'link_worker', { name: 'Erin Erased' });
  await person.visitor.post(
    `/days/${day.id}/register`,
    registrationBody({ [day.slotId]: day.tasters[0]!.id }, { accessNeeds: 'Hearing loop', participantList: 'yes' }),
  );
  await db.transaction().execute((tx) => erasePerson(tx, SYSTEM, person.user.id));
  const row = await db.selectFrom('dayRegistrations').selectAll().where('userId', '=', person.user.id).executeTakeFirstOrThrow();
  t.match(row, { accessNeeds: null, dietaryNeeds: null, onParticipantList: false });
  const coordinator = await signedIn(app, db, 'coordinator');
  t.notMatch((await coordinator.visitor.get(`/days/${day.id}/participants`)).body, /Erin Erased|Erased person/);
});
