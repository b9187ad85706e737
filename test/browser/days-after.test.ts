import t from 'tap';
import { createOrganisation, createUser, createVenue, PASSWORD } from '../fixtures/builders.ts';
import { createDay } from '../fixtures/days.ts';
import { createDayFeedback, createDayRegistration } from '../fixtures/days-after.ts';
import { createTestDatabase } from '../helper.ts';
import { londonDate } from '../publishing/helpers.ts';
import { accessibilityViolations, signIn, startBrowserTest } from './helper.ts';

/**
 * Around a taster day, in a real browser: provider staff propose a day, a coordinator returns it
 * with a reason (a mistake first) and the proposer sees why; a link worker marked as attending
 * gives feedback on the day and on a taster; the coordinator opens the day's report. Attendance and
 * dates are set by fixtures where the app would need days to pass. axe finds nothing on any page.
 */
const database = await createTestDatabase();
const { db } = database;
const browser = await startBrowserTest(database);
t.teardown(async () => {
  await browser.close();
  await database.close();
});

const stamp = Date.now();
const coordinator = await createUser(db, 'coordinator', { name: 'Helen Okafor' });

t.test('a provider proposes a day; a coordinator returns it with a reason; the provider sees it', async (t) => {
  const museum = await createOrganisation(db, { name: `Riverside Museum ${stamp}` });
  const hall = await createVenue(db, museum.id, { name: 'Learning centre', town: 'Oxford', stepFree: true });
  const curator = await createUser(db, 'provider', { organisationId: museum.id, name: 'Tom Baker' });
  const title = `Museum objects and wellbeing ${stamp}`;
  const [dayYear, dayMonth, dayDay] = londonDate(30).split('-');
  const [closesYear, closesMonth, closesDay] = londonDate(20).split('-');

  const proposer = await browser.newPage();
  let page = proposer.page;
  const axe = async (where: string) => t.same(await accessibilityViolations(page), [], `no accessibility violations: ${where}`);
  await signIn(page, curator.email, PASSWORD);
  await page.goto('/days/proposals');
  await axe('the provider’s proposals, none yet');
  await page.getByRole('link', { name: 'Propose a taster day' }).click();
  t.equal(await page.locator('h1').textContent(), 'Propose a taster day');
  await axe('the proposal form');
  await page.locator('#title').fill(title);
  await page.locator('#venueId').selectOption(hall.id);
  await page.locator('#date').fill(dayDay!);
  await page.locator('#dateMonth').fill(dayMonth!);
  await page.locator('#dateYear').fill(dayYear!);
  await page.getByLabel('Start time').fill('9:30');
  await page.getByLabel('End time').fill('16:30');
  await page.locator('#bookingCloses').fill(closesDay!);
  await page.locator('#closesMonth').fill(closesMonth!);
  await page.locator('#closesYear').fill(closesYear!);
  await page.getByLabel('Time registration closes').fill('17:00');
  await page.getByLabel('Places for link workers').fill('20');
  await page.getByLabel('Places for cultural-sector staff').fill('10');
  await page.getByRole('button', { name: 'Send for approval' }).click();
  t.match(page.url(), /\/days\/proposals\/[0-9a-f-]{36}\?done=proposed$/);
  t.match(await page.locator('#proposal-status').textContent(), /Waiting for approval/);
  await axe('the proposal, waiting for approval');
  const dayId = /\/days\/proposals\/([0-9a-f-]{36})/.exec(page.url())![1]!;

  const reviewer = await browser.newPage();
  page = reviewer.page;
  await signIn(page, coordinator.email, PASSWORD);
  await page.goto('/days/proposals');
  await axe('the coordinator’s list of proposals');
  await page.getByRole('link', { name: title }).click();
  await axe('the proposal under review');
  await page.getByRole('button', { name: 'Return the proposal' }).click();
  t.match(await page.title(), /^Error: /);
  t.match(await page.locator('#reason-error').textContent(), /Enter why the proposal is being returned/);
  await axe('the proposal with the reason missing');
  await page.getByLabel('Why are you returning it?').fill('Please add a second taster slot after lunch.');
  await page.getByRole('button', { name: 'Return the proposal' }).click();
  await axe('the returned proposal, for the coordinator');
  await page.goto(`/days/${dayId}`);
  t.match(await page.locator('#publish').textContent(), /This proposal was returned to its proposer/, 'the day page says it cannot be published yet');
  await axe('the returned day’s page, for the coordinator');
  await reviewer.context.close();

  page = proposer.page;
  await page.goto('/days/proposals');
  await page.getByRole('link', { name: title }).click();
  t.match(await page.locator('#proposal-status').textContent(), /Returned to you/);
  t.match(await page.locator('main').textContent(), /Please add a second taster slot after lunch\./);
  await axe('the returned proposal, for its proposer');
  await proposer.context.close();
});

t.test('a link worker who attended gives feedback on the day and on a taster; the coordinator opens the day’s report', async (t) => {
  // A day that ended yesterday; the door registers would have marked the attendance.
  const day = await createDay(db, { inDays: -1, bookingClosesAt: new Date(Date.now() - 10 * 86_400_000) });
  const worker = await createUser(db, 'link_worker', { name: 'Priya Shah', pcn: 'Cherwell PCN' });
  const registration = await createDayRegistration(db, day.id, worker.id, {
    attendance: 'attended',
    choices: [{ tasterId: day.tasters[0]!.id, slotId: day.slotId, attendance: 'attended' }],
  });
  // Someone else's feedback, so that the report has figures beside this one.
  const other = await createUser(db, 'link_worker');
  const otherRegistration = await createDayRegistration(db, day.id, other.id, {
    attendance: 'attended',
    choices: [{ tasterId: day.tasters[1]!.id, slotId: day.slotId, attendance: 'attended' }],
  });
  await createDayFeedback(db, otherRegistration.id, null);
  await createDayFeedback(db, otherRegistration.id, otherRegistration.choiceIds[0]!);

  const { page, context } = await browser.newPage();
  const axe = async (where: string) => t.same(await accessibilityViolations(page), [], `no accessibility violations: ${where}`);
  await signIn(page, worker.email, PASSWORD);
  await page.goto(`/days/${day.id}/feedback`);
  t.equal(await page.locator('h1').textContent(), 'Feedback on the day');
  await axe('the feedback form for the day');
  await page.getByRole('button', { name: 'Send feedback' }).click();
  t.match(await page.title(), /^Error: /);
  await axe('the day’s feedback form with errors');
  for (const [name, value] of [
    ['confidenceBefore', '3'],
    ['confidenceAfter', '8'],
    ['rating', '5'],
  ]) {
    await page.locator(`input[name="${name}"][value="${value}"]`).check();
  }
  await page.getByLabel('Any other comments on the day (optional)').fill('A good mix of people');
  await page.getByRole('button', { name: 'Send feedback' }).click();
  t.match(page.url(), /\/feedback\?done=saved$/);
  await axe('the day’s feedback, sent');

  await page.getByRole('link', { name: 'Give feedback on Singing taster' }).click();
  t.equal(await page.locator('h1').textContent(), 'Feedback on Singing taster');
  await axe('the feedback form for a taster');
  for (const [name, value] of [
    ['confidenceBefore', '2'],
    ['confidenceAfter', '7'],
    ['rating', '4'],
    ['accessible', '5'],
    ['appropriate', '4'],
    ['adequate', 'dont_know'],
    ['affordable', '3'],
    ['available', '4'],
    ['intendsToRefer', 'yes'],
  ]) {
    await page.locator(`input[name="${name}"][value="${value}"]`).check();
  }
  await page.getByRole('button', { name: 'Send feedback' }).click();
  t.match(page.url(), /\?done=saved$/);
  await axe('the taster’s feedback, sent');
  const rows = await db.selectFrom('dayFeedback').select(['dayTasterChoiceId', 'rating']).where('registrationId', '=', registration.id).execute();
  t.same(rows.map((r) => r.rating).sort(), [4, 5], 'both stored');
  await context.close();

  const staff = await browser.newPage();
  const staffAxe = async (where: string) => t.same(await accessibilityViolations(staff.page), [], `no accessibility violations: ${where}`);
  await signIn(staff.page, coordinator.email, PASSWORD);
  await staff.page.goto(`/days/${day.id}`);
  await staff.page.getByRole('link', { name: 'Report: attendance, feedback and referrals' }).click();
  t.match(staff.page.url(), new RegExp(`/days/${day.id}/report$`));
  t.match(await staff.page.locator('#tasters').textContent(), /Tasters tried/);
  await staffAxe('the day’s report');
  await staff.context.close();
});
