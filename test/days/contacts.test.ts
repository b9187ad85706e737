import t from 'tap';
import { SYSTEM } from '../../src/audit/actor.ts';
import { erasePerson } from '../../src/privacy/erase.ts';
import { moveDay } from '../fixtures/day-door.ts';
import { createDay, registrationBody } from '../fixtures/days.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading } from '../helper.ts';

/**
 * Sharing work emails after the day (issue 15, item 5): only people who agreed see each other's
 * names, roles, organisations and emails; nothing is shared without the choice; withdrawing takes
 * effect at once; someone who did not agree appears on no list and in no export.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

/** The page's main content: the header names the person signed in. */
const main = (html: string) => /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '';

async function dayWithPeople() {
  const day = await createDay(db, { linkWorkerPlaces: 3 });
  const priya = await signedIn(app, db, 'link_worker', { name: 'Priya Sharer', practice: 'Bridge Surgery', pcn: 'Riverside PCN' });
  const dan = await signedIn(app, db, 'link_worker', { name: 'Dan Declines' });
  const nina = await signedIn(app, db, 'link_worker', { name: 'Nina Noshow' });
  const wendy = await signedIn(app, db, 'link_worker', { name: 'Wendy Waiting' });
  const mo = await signedIn(app, db, 'provider', { name: 'Mo Museum' });
  for (const who of [priya, dan, nina, wendy]) await who.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  await mo.visitor.post(`/days/${day.id}/register`, {});
  const coordinator = await signedIn(app, db, 'coordinator');
  const sharing = async (userId: string) =>
    (await db.selectFrom('dayRegistrations').select('shareEmail').where('tasterDayId', '=', day.id).where('userId', '=', userId).executeTakeFirstOrThrow())
      .shareEmail;
  return { day, priya, dan, nina, wendy, mo, coordinator, sharing };
}

t.test('before the day nothing is offered, and nothing can be shared', async (t) => {
  const { day, priya, sharing } = await dayWithPeople();
  const page = await priya.visitor.get(`/days/${day.id}`);
  t.notMatch(page.body, /Share my work email/);
  const early = await priya.visitor.post(`/days/${day.id}/share-email`, { shareEmail: 'yes' });
  t.equal(early.statusCode, 400);
  t.same(errorSummary(early.body), ['shareEmail: You can share your email with the people you met from the start of the day']);
  t.equal(await sharing(priya.user.id), false);
});

t.test('people who agreed see each other; nobody else appears, and withdrawing takes effect at once', async (t) => {
  const { day, priya, dan, nina, wendy, mo, coordinator, sharing } = await dayWithPeople();
  await moveDay(db, day.id, 8);
  const contacts = `/days/${day.id}/contacts`;

  // Nina was recorded as not coming: not offered, and never listed.
  const ninaRegistration = await db
    .selectFrom('dayRegistrations')
    .select('id')
    .where('userId', '=', nina.user.id)
    .where('tasterDayId', '=', day.id)
    .executeTakeFirstOrThrow();
  t.equal((await coordinator.visitor.post(`/days/${day.id}/door/${ninaRegistration.id}`, { attendance: 'no_show' })).statusCode, 303);
  const refusedNina = await nina.visitor.post(`/days/${day.id}/share-email`, { shareEmail: 'yes' });
  t.equal(refusedNina.statusCode, 400);
  t.match(refusedNina.body, /You were recorded as not coming to the day/);
  // Even if her choice were somehow on, she would not be listed.
  await db.updateTable('dayRegistrations').set({ shareEmail: true }).where('id', '=', ninaRegistration.id).execute();

  const offered = await priya.visitor.get(`/days/${day.id}`);
  t.match(offered.body, /<button class="nhsuk-button nhsuk-button--secondary" type="submit" id="shareEmail">Share my work email<\/button>/);
  // Before agreeing, Priya sees nobody.
  const notYet = await priya.visitor.get(contacts);
  t.equal(heading(notYet.body), 'People you met');
  t.match(notYet.body, /You see the others who agreed once you agree too/);
  t.notMatch(main(notYet.body), /@/);

  const agreed = await priya.visitor.post(`/days/${day.id}/share-email`, { shareEmail: 'yes' });
  t.equal(agreed.statusCode, 303);
  t.equal(agreed.headers.location, `${contacts}?done=shared`);
  t.equal(await sharing(priya.user.id), true);
  t.match((await priya.visitor.get(contacts)).body, /Nobody else has agreed yet/);
  t.equal((await mo.visitor.post(`/days/${day.id}/share-email`, { shareEmail: 'yes' })).statusCode, 303);

  const priyaSees = main((await priya.visitor.get(contacts)).body);
  t.match(
    priyaSees,
    new RegExp(
      `Mo Museum</td><td class="nhsuk-table__cell">Cultural-sector staff</td><td class="nhsuk-table__cell tasters-break">[^<]+</td><td class="nhsuk-table__cell tasters-break"><a href="mailto:${mo.user.email}">`,
    ),
  );
  const moSees = main((await mo.visitor.get(contacts)).body);
  t.match(moSees, /Priya Sharer<\/td><td class="nhsuk-table__cell">Link worker<\/td><td class="nhsuk-table__cell tasters-break">Bridge Surgery, Riverside PCN/);
  t.match(moSees, priya.user.email);
  for (const [who, page] of [
    ['Priya', priyaSees],
    ['Mo', moSees],
  ] as const) {
    for (const person of [dan, nina, wendy]) {
      t.notMatch(page, person.user.name, `${who} does not see ${person.user.name}`);
      t.notMatch(page, person.user.email, `${who} does not see ${person.user.name}'s email`);
    }
  }
  t.notMatch(priyaSees, priya.user.email, 'nor themselves');

  // Dan did not agree: he sees nobody, and nobody's email.
  const danSees = main((await dan.visitor.get(contacts)).body);
  t.notMatch(danSees, /Priya Sharer|Mo Museum|@/);
  // Wendy has no place: not offered.
  t.match(main((await wendy.visitor.get(contacts)).body), /Only people with a place on the day can share their email/);
  t.equal((await wendy.visitor.post(`/days/${day.id}/share-email`, { shareEmail: 'yes' })).statusCode, 400);
  // Coordinators are not among the people met: the list is not theirs.
  t.equal((await coordinator.visitor.get(contacts)).statusCode, 403);
  // No other list or export of the day carries Dan's email.
  for (const url of [`/days/${day.id}/participants`, `/days/${day.id}/discussion`, `/days/${day.id}/discussion.csv`, `/days/${day.id}/badges`]) {
    t.notMatch((await coordinator.visitor.get(url)).body, dan.user.email, `${url} has no email of Dan's`);
  }

  // Mo withdraws: gone from Priya's list at once, and sees nobody's.
  const withdrawn = await mo.visitor.post(`/days/${day.id}/share-email`, { shareEmail: 'no' });
  t.equal(withdrawn.statusCode, 303);
  t.equal(withdrawn.headers.location, `/days/${day.id}?done=email-withdrawn`);
  t.equal(await sharing(mo.user.id), false);
  t.notMatch(main((await priya.visitor.get(contacts)).body), /Mo Museum/);
  t.notMatch(main((await mo.visitor.get(contacts)).body), /Priya Sharer/);
  t.match((await mo.visitor.get(`/days/${day.id}?done=email-withdrawn`)).body, /You are no longer sharing your email: nobody sees it now/);

  // A malformed choice changes nothing.
  const bad = await priya.visitor.post(`/days/${day.id}/share-email`, { shareEmail: 'everyone' });
  t.equal(bad.statusCode, 400);
  t.same(errorSummary(bad.body), ['shareEmail: Select whether to share your email with the people you met']);
  t.equal(await sharing(priya.user.id), true);
});

t.test('an erased person leaves every contact list', async (t) => {
  const { day, priya, mo } = await dayWithPeople();
  await moveDay(db, day.id, 8);
  await priya.visitor.post(`/days/${day.id}/share-email`, { shareEmail: 'yes' });
  await mo.visitor.post(`/days/${day.id}/share-email`, { shareEmail: 'yes' });
  t.match((await mo.visitor.get(`/days/${day.id}/contacts`)).body, /Priya Sharer/);
  await db.transaction().execute((tx) => erasePerson(tx, SYSTEM, priya.user.id));
  t.notMatch(main((await mo.visitor.get(`/days/${day.id}/contacts`)).body), /Priya Sharer|Erased|mailto/);
});
