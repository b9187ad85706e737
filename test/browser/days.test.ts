import t from 'tap';
import { createOrganisation, createUser, createVenue, PASSWORD } from '../fixtures/builders.ts';
import { createTestDatabase } from '../helper.ts';
import { londonDate } from '../publishing/helpers.ts';
import { accessibilityViolations, signIn, startBrowserTest } from './helper.ts';

/**
 * Issue 15's main journey in a real browser: a coordinator builds a day with a morning plenary and
 * an afternoon slot of three tasters side by side and publishes it; a link worker and a member of
 * cultural-sector staff register and choose; the one who agreed to the participant list appears on
 * it and the other does not. axe finds nothing on any page visited.
 */
const database = await createTestDatabase();
const browser = await startBrowserTest(database);
t.teardown(async () => {
  await browser.close();
  await database.close();
});
const { db } = database;

const stamp = Date.now();
const host = await createOrganisation(db, { name: `Riverside Museum ${stamp}` });
await createVenue(db, host.id, { name: 'Learning centre', town: 'Oxford', stepFree: true });
const singers = await createOrganisation(db, { name: `Community Singers ${stamp}` });
const folders = await createOrganisation(db, { name: `Paper Folders ${stamp}` });
const cartoonists = await createOrganisation(db, { name: `Cartoon Club ${stamp}` });
const coordinator = await createUser(db, 'coordinator', { name: 'Helen Okafor' });
const linkWorker = await createUser(db, 'link_worker', { name: 'Priya Shah', pcn: 'Cherwell PCN' });
const staff = await createUser(db, 'provider', { name: 'Tom Baker', organisationId: singers.id });

const [dayYear, dayMonth, dayDay] = londonDate(21).split('-');
const [closesYear, closesMonth, closesDay] = londonDate(14).split('-');

t.test('a coordinator builds and publishes a day; a link worker and cultural staff register, and the participant list shows only who agreed', async (t) => {
  const coordinatorPage = await browser.newPage();
  let page = coordinatorPage.page;
  const axe = async (where: string) => t.same(await accessibilityViolations(page), [], `no accessibility violations: ${where}`);

  // The coordinator creates the day.
  await signIn(page, coordinator.email, PASSWORD);
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Taster days' }).click();
  t.equal(await page.locator('h1').textContent(), 'Taster days');
  await axe('the list of days');
  await page.getByRole('link', { name: 'Create a taster day' }).click();
  await axe('the day form');
  await page.getByLabel('Title').fill(`Knowledge-exchange day ${stamp}`);
  await page.getByLabel('Description (optional)').fill('Link workers and cultural-sector staff meet and try the arts.');
  await page.getByLabel('Venue').selectOption({ label: `Learning centre, Oxford (Riverside Museum ${stamp})` });
  await page.locator('#date').fill(dayDay!);
  await page.locator('#dateMonth').fill(dayMonth!);
  await page.locator('#dateYear').fill(dayYear!);
  await page.getByLabel('Start time').fill('9:30');
  await page.getByLabel('End time').fill('16:30');
  await page.locator('#bookingCloses').fill(closesDay!);
  await page.locator('#closesMonth').fill(closesMonth!);
  await page.locator('#closesYear').fill(closesYear!);
  await page.getByLabel('Time registration closes').fill('17:00');
  await page.getByLabel('Places for link workers').fill('');
  await page.getByLabel('Places for cultural-sector staff').fill('20');
  await page.getByRole('button', { name: 'Save as draft' }).click();
  t.match(await page.title(), /^Error: /, 'a missing number of places is refused');
  await axe('the day form with an error');
  await page.getByLabel('Places for link workers').fill('30');
  await page.getByRole('button', { name: 'Save as draft' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Day created/);
  await axe('the draft day');

  // The morning plenary.
  await page.getByRole('link', { name: 'Add to the programme' }).click();
  await axe('the programme item form');
  await page.getByLabel('For everyone').check();
  await page.getByLabel('Title').fill('Welcome and research findings');
  await page.getByLabel('Start time').fill('9:30');
  await page.getByLabel('End time').fill('11:00');
  await page.getByRole('button', { name: 'Add to the programme' }).click();
  // The afternoon slot and its three tasters.
  await page.getByRole('link', { name: 'Add to the programme' }).click();
  await page.getByLabel('A choice of tasters').check();
  await page.getByLabel('Title').fill('Afternoon tasters');
  await page.getByLabel('Start time').fill('14:00');
  await page.getByLabel('End time').fill('15:30');
  await page.getByRole('button', { name: 'Add to the programme' }).click();
  for (const [organisation, title, room] of [
    [singers, 'Singing for wellbeing', 'Music room'],
    [folders, 'Origami', 'Studio'],
    [cartoonists, 'Cartoon drawing', 'Gallery 2'],
  ] as const) {
    await page.getByRole('link', { name: 'Add a taster to Afternoon tasters' }).click();
    if (title === 'Singing for wellbeing') await axe('the taster form');
    await page.getByLabel('Organisation running it').selectOption({ label: organisation.name });
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Number of places').fill('10');
    await page.getByLabel('Room (optional)').fill(room);
    await page.getByLabel('What to bring (optional)').fill('Nothing but curiosity');
    await page.getByRole('button', { name: 'Add taster' }).click();
    t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Taster added/);
  }
  const programme = await page.locator('#programme').textContent();
  t.ok(programme!.indexOf('Welcome and research findings') < programme!.indexOf('Afternoon tasters'), 'the programme in time order');
  await page.getByRole('button', { name: 'Publish the day' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Day published/);
  await axe('the published day, for its coordinator');
  const dayUrl = new URL(page.url()).pathname;
  await coordinatorPage.context.close();

  // A link worker registers, chooses origami, and agrees to the participant list.
  const linkWorkerPage = await browser.newPage({ phone: true });
  page = linkWorkerPage.page;
  await signIn(page, linkWorker.email, PASSWORD);
  await page.goto(dayUrl);
  await axe('the day, for a link worker');
  await page.getByRole('link', { name: 'Register for this day' }).click();
  await axe('the registration form');
  await page.getByRole('button', { name: 'Register' }).click();
  t.match(await page.title(), /^Error: /, 'a link worker must choose a taster');
  await axe('the registration form with an error');
  await page.getByLabel(`Origami, run by Paper Folders ${stamp}`).check();
  await page.getByLabel('Dietary needs (optional)').fill('Vegetarian');
  await page.getByLabel('Put me on the participant list').check();
  await page.getByRole('button', { name: 'Register' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /You are registered/);
  t.match(await page.locator('#registration-status').textContent(), /You have a place, as: Link worker/);
  t.match(await page.locator('#my-choices').textContent(), /Origami: Place confirmed/);
  await axe('the day, registered');

  // Cultural-sector staff register, try another organisation's taster, and do not join the list.
  const staffPage = await browser.newPage();
  page = staffPage.page;
  await signIn(page, staff.email, PASSWORD);
  await page.goto(dayUrl);
  await page.getByRole('link', { name: 'Register for this day' }).click();
  t.equal(await page.getByLabel(`Singing for wellbeing, run by Community Singers ${stamp}`).count(), 0, 'not their own organisation’s taster');
  await page.getByLabel(`Cartoon drawing, run by Cartoon Club ${stamp}`).check();
  await page.getByRole('button', { name: 'Register' }).click();
  t.match(await page.locator('#registration-status').textContent(), /You have a place, as: Cultural-sector staff/);
  t.match(await page.locator('#list-choice').textContent(), /You are not on the participant list/);
  await axe('the day, registered as cultural-sector staff');

  // The participant list: the link worker who agreed is on it; the staff member who did not is not.
  await page.getByRole('link', { name: 'See who else is coming' }).click();
  t.equal(await page.locator('h1').textContent(), 'Participants');
  const listed = await page.locator('#participants').textContent();
  t.match(listed, /Priya Shah/);
  t.match(listed, /Cherwell PCN/);
  t.notMatch(listed, /Tom Baker/);
  await axe('the participant list');
  await staffPage.context.close();

  page = linkWorkerPage.page;
  await page.goto(`${dayUrl}/participants`);
  t.notMatch(await page.locator('main').textContent(), /Tom Baker/);
  await axe('the participant list on a phone');
  await linkWorkerPage.context.close();

  // The coordinator looks at changing the day, then cancels it after the confirmation page.
  const again = await browser.newPage();
  page = again.page;
  await signIn(page, coordinator.email, PASSWORD);
  await page.goto(dayUrl);
  await page.getByRole('link', { name: 'Change the day' }).click();
  t.equal(await page.getByLabel('Places for link workers').inputValue(), '30', 'the form shows the day as it is');
  await axe('the change form');
  await page.goto(dayUrl);
  await page.getByRole('link', { name: 'Cancel the day' }).click();
  await axe('the cancellation page');
  await page.getByLabel('Reason (optional)').fill('The venue has flooded');
  await page.getByRole('button', { name: 'Yes, cancel the day' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Day cancelled/);
  t.match(await page.locator('#day-cancelled').textContent(), /This day has been cancelled: The venue has flooded/);
  await axe('the cancelled day');
  const told = await db.selectFrom('outboxMessages').select('recipientId').where('kind', '=', 'day_cancelled').execute();
  t.same(told.map((m) => m.recipientId).sort(), [linkWorker.id, staff.id].sort(), 'both people registered are emailed');
  await again.context.close();
});
