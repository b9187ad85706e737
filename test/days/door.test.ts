import t from 'tap';
import { moveDay } from '../fixtures/day-door.ts';
import { createDay, registrationBody } from '../fixtures/days.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading } from '../helper.ts';

/**
 * On the day (issue 15, item 6): the badge sheet and the day's door register for its organisers,
 * each taster's door register for them and the staff of the organisation running it; only people
 * with a confirmed place appear; marks are stored in the attendance columns, within the register's
 * window, and bad marks change nothing.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

/** A day with Priya and Omar (link workers) in the first taster, Mo (cultural staff), and Wendy waiting. */
async function dayWithPeople() {
  const day = await createDay(db, { linkWorkerPlaces: 2, tasterPlaces: [1, 10, 10] });
  const priya = await signedIn(app, db, 'link_worker', { name: 'Priya Patel', practice: 'Bridge Surgery', pcn: 'Riverside PCN' });
  const omar = await signedIn(app, db, 'link_worker', { name: 'Omar Osei', practice: 'Hill Surgery', pcn: 'Hill PCN' });
  const wendy = await signedIn(app, db, 'link_worker', { name: 'Wendy Waiting' });
  const mo = await signedIn(app, db, 'provider', { name: 'Mo Museum' });
  for (const who of [priya, omar, wendy]) {
    const response = await who.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
    if (response.statusCode !== 303) throw new Error(`registering failed: ${response.statusCode}`);
  }
  await mo.visitor.post(`/days/${day.id}/register`, {});
  const coordinator = await signedIn(app, db, 'coordinator');
  const registrationOf = async (userId: string) =>
    db
      .selectFrom('dayRegistrations')
      .select(['id', 'status', 'attendance'])
      .where('tasterDayId', '=', day.id)
      .where('userId', '=', userId)
      .executeTakeFirstOrThrow();
  const choiceOf = async (userId: string) =>
    db
      .selectFrom('dayTasterChoices as c')
      .innerJoin('dayRegistrations as r', 'r.id', 'c.registrationId')
      .select(['c.id', 'c.status', 'c.attendance'])
      .where('r.tasterDayId', '=', day.id)
      .where('r.userId', '=', userId)
      .executeTakeFirstOrThrow();
  return { day, priya, omar, wendy, mo, coordinator, registrationOf, choiceOf };
}

t.test('the badge sheet: everyone with a confirmed place, name, role and organisation or PCN, laid out 8 to an A4 sheet', async (t) => {
  const { day, coordinator, priya, mo } = await dayWithPeople();
  const page = await coordinator.visitor.get(`/days/${day.id}/badges`);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Name badges');
  t.match(page.body, /A4 sheets of 8 labels, 99.1 × 67.7 mm/);
  t.match(
    page.body,
    /tasters-badge__name">Priya Patel<\/p>\s*<p class="tasters-badge__role">Link worker<\/p>\s*<p class="tasters-badge__where">Bridge Surgery, Riverside PCN/,
  );
  t.match(page.body, /tasters-badge__name">Mo Museum<\/p>\s*<p class="tasters-badge__role">Cultural-sector staff/);
  t.notMatch(page.body, /Wendy Waiting/, 'someone on the waiting list has no place, so no badge');
  t.equal(page.body.match(/class="tasters-badge"/g)?.length, 3);
  t.equal(page.body.match(/class="tasters-badge-sheet"/g)?.length, 1);

  // Nine more people make twelve badges: two sheets.
  await db.updateTable('tasterDays').set({ linkWorkerPlaces: 20 }).where('id', '=', day.id).execute();
  for (let i = 0; i < 9; i++) {
    const more = await signedIn(app, db, 'link_worker', { name: `Extra Person ${i}` });
    await more.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[1]!.id }));
  }
  const twelve = await coordinator.visitor.get(`/days/${day.id}/badges`);
  t.equal(twelve.body.match(/class="tasters-badge"/g)?.length, 12, 'the three and nine more');
  t.equal(twelve.body.match(/class="tasters-badge-sheet"/g)?.length, 2);

  t.equal((await priya.visitor.get(`/days/${day.id}/badges`)).statusCode, 403, 'not for participants');
  t.equal((await mo.visitor.get(`/days/${day.id}/badges`)).statusCode, 403, 'not for provider staff');
});

t.test('the day’s door register: from the start of the day, confirmed people only, marks stored; htmx swaps the person', async (t) => {
  const { day, coordinator, priya, omar, wendy, mo, registrationOf } = await dayWithPeople();
  const priyaRegistration = await registrationOf(priya.user.id);
  const url = `/days/${day.id}/door`;

  // Before the day: the register is there to read, not to mark.
  const before = await coordinator.visitor.get(url);
  t.equal(before.statusCode, 200);
  t.match(before.body, /You can record attendance from the start of the day/);
  t.notMatch(before.body, /name="attendance"/);
  const early = await coordinator.visitor.post(`${url}/${priyaRegistration.id}`, { attendance: 'attended' });
  t.equal(early.statusCode, 400);
  t.same(errorSummary(early.body), ['register: You can record attendance from the start of the day']);
  t.equal((await registrationOf(priya.user.id)).attendance, null, 'nothing stored');

  await moveDay(db, day.id, 1);
  const page = await coordinator.visitor.get(url);
  t.equal(heading(page.body), `Door register: ${(await db.selectFrom('tasterDays').select('title').where('id', '=', day.id).executeTakeFirstOrThrow()).title}`);
  t.match(page.body, /Priya Patel/);
  t.match(page.body, /Mo Museum/);
  t.notMatch(page.body, /Wendy Waiting/, 'the waiting list is not on the door register');
  t.match(page.body, /0 people attended, 0 did not come, 3 not marked yet/);

  const marked = await coordinator.visitor.post(`${url}/${priyaRegistration.id}`, { attendance: 'attended' });
  t.equal(marked.statusCode, 303);
  t.equal(marked.headers.location, `${url}?done=marked#person-${priyaRegistration.id}`);
  const stored = await db
    .selectFrom('dayRegistrations')
    .select(['attendance', 'attendanceRecordedAt'])
    .where('id', '=', priyaRegistration.id)
    .executeTakeFirstOrThrow();
  t.equal(stored.attendance, 'attended');
  t.ok(stored.attendanceRecordedAt);

  const omarRegistration = await registrationOf(omar.user.id);
  const swapped = await coordinator.visitor.post(`${url}/${omarRegistration.id}`, { attendance: 'no_show' }, { headers: { 'hx-request': 'true' } });
  t.equal(swapped.statusCode, 200);
  t.match(swapped.body, new RegExp(`<li class="nhsuk-card nhsuk-u-margin-bottom-3" id="person-${omarRegistration.id}">`));
  t.match(swapped.body, /Omar Osei marked as did not come\./);
  t.match(swapped.body, /1 person attended, 1 did not come, 1 not marked yet/);
  t.equal((await registrationOf(omar.user.id)).attendance, 'no_show');

  // Malformed, hostile and somebody else's: a message or a 404, nothing changed.
  const malformed = await coordinator.visitor.post(`${url}/${omarRegistration.id}`, { attendance: 'maybe' });
  t.equal(malformed.statusCode, 400);
  t.same(errorSummary(malformed.body), ['register: Choose attended or did not attend']);
  const hostile = await coordinator.visitor.post(`${url}/${omarRegistration.id}`, { attendance: '<script>alert(1)</script>' });
  t.equal(hostile.statusCode, 400);
  t.equal((await registrationOf(omar.user.id)).attendance, 'no_show');
  const waiting = await registrationOf(wendy.user.id);
  t.equal(waiting.status, 'waitlisted');
  t.equal((await coordinator.visitor.post(`${url}/${waiting.id}`, { attendance: 'attended' })).statusCode, 404, 'no place, so not on the register');
  t.equal((await registrationOf(wendy.user.id)).attendance, null);
  const other = await createDay(db);
  await moveDay(db, other.id, 1);
  t.equal((await coordinator.visitor.post(`/days/${other.id}/door/${priyaRegistration.id}`, { attendance: 'no_show' })).statusCode, 404);
  t.equal((await registrationOf(priya.user.id)).attendance, 'attended');

  // Only the organisers.
  t.equal((await mo.visitor.get(url)).statusCode, 403);
  t.equal((await priya.visitor.post(`${url}/${priyaRegistration.id}`, { attendance: 'no_show' })).statusCode, 403);
  t.equal((await registrationOf(priya.user.id)).attendance, 'attended');

  // Fourteen days after the day it closes.
  await moveDay(db, day.id, 16 * 24);
  const late = await coordinator.visitor.post(`${url}/${priyaRegistration.id}`, { attendance: 'no_show' });
  t.equal(late.statusCode, 400);
  t.match(late.body, /Attendance can only be changed until 14 days after the day/);
  t.equal((await registrationOf(priya.user.id)).attendance, 'attended');
});

t.test('a taster’s door register: for its organisation’s staff and the organisers, confirmed places only', async (t) => {
  const { day, coordinator, priya, omar, mo, choiceOf } = await dayWithPeople();
  await moveDay(db, day.id, 5);
  const taster = day.tasters[0]!;
  const url = `/days/${day.id}/tasters/${taster.id}/door`;
  const staff = await signedIn(app, db, 'provider', { organisationId: taster.organisationId });
  const otherStaff = await signedIn(app, db, 'provider', { organisationId: day.tasters[1]!.organisationId });

  const page = await staff.visitor.get(url);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Door register: Singing taster');
  const priyaChoice = await choiceOf(priya.user.id);
  const omarChoice = await choiceOf(omar.user.id);
  t.equal(priyaChoice.status, 'confirmed');
  t.equal(omarChoice.status, 'waitlisted', 'the taster has one place');
  t.match(page.body, /Priya Patel/);
  t.notMatch(page.body, /Omar Osei/, 'waiting for the taster: not on its register');

  // The day's page leads the staff to it.
  const dayPage = await staff.visitor.get(`/days/${day.id}`);
  t.match(dayPage.body, new RegExp(`href="${url}">Door register: Singing taster`));

  const marked = await staff.visitor.post(`${url}/${priyaChoice.id}`, { attendance: 'attended' });
  t.equal(marked.statusCode, 303);
  t.equal((await choiceOf(priya.user.id)).attendance, 'attended');
  t.equal(
    (
      await db
        .selectFrom('dayRegistrations')
        .select('attendance')
        .where('userId', '=', priya.user.id)
        .where('tasterDayId', '=', day.id)
        .executeTakeFirstOrThrow()
    ).attendance,
    null,
    'the day’s own register is separate',
  );
  t.equal((await staff.visitor.post(`${url}/${omarChoice.id}`, { attendance: 'attended' })).statusCode, 404, 'a waiting choice cannot be marked');
  t.equal((await choiceOf(omar.user.id)).attendance, null);

  t.equal((await coordinator.visitor.get(url)).statusCode, 200, 'the organisers take any register');
  const organisersPage = await coordinator.visitor.get(`/days/${day.id}`);
  for (const other of day.tasters)
    t.match(organisersPage.body, `href="/days/${day.id}/tasters/${other.id}/door"`, 'the organisers are led to every taster’s register');
  t.notMatch(dayPage.body, `/tasters/${day.tasters[1]!.id}/door`, 'staff are led to their own taster’s only');
  t.equal((await otherStaff.visitor.get(url)).statusCode, 404, 'another organisation’s staff: not there');
  t.equal((await otherStaff.visitor.post(`${url}/${priyaChoice.id}`, { attendance: 'no_show' })).statusCode, 404);
  t.equal((await mo.visitor.get(url)).statusCode, 404, 'a participant from another organisation: not there');
  t.equal((await priya.visitor.get(url)).statusCode, 403, 'link workers: refused');
  t.equal((await choiceOf(priya.user.id)).attendance, 'attended', 'nothing changed by them');
  // A taster of another day under this day's address.
  const other = await createDay(db);
  t.equal((await coordinator.visitor.get(`/days/${day.id}/tasters/${other.tasters[0]!.id}/door`)).statusCode, 404);
});
