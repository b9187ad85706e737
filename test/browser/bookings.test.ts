import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import t from 'tap';
import { createBooking, createTaster, createUser, PASSWORD } from '../fixtures/builders.ts';
import { createTestDatabase } from '../helper.ts';
import { accessibilityViolations, scrollsSideways, signIn, startBrowserTest } from './helper.ts';

const database = await createTestDatabase();
const { db } = database;
const browser = await startBrowserTest(database);
t.teardown(async () => {
  await browser.close();
  await database.close();
});

// Dev's journey: find a singing taster in the afternoon, step-free, in his town; book it; join
// the waiting list of a full session; Sam releases her place and Dev gets it.
const singing = await createTaster(db, {
  title: 'Singing for wellbeing',
  description: 'Warm-ups and songs from around the world.',
  category: 'singing_music',
  organisationName: 'Riverside Museum',
  town: 'Oxford',
  postcode: 'OX1 2AB',
  stepFree: true,
  capacity: 12,
});
await createTaster(db, {
  title: 'Origami circle',
  description: 'Fold paper into cranes.',
  organisationName: 'Central Library',
  kind: 'library',
  town: 'Banbury',
  postcode: 'OX16 5AA',
});
const cartoons = await createTaster(db, {
  title: 'Cartoon drawing',
  category: 'drawing_painting',
  organisationName: 'Open Door Arts',
  kind: 'arts',
  postcode: 'OX4 1AA',
  capacity: 1,
});
const dev = await createUser(db, 'link_worker', { name: 'Dev Sharma' });
const sam = await createUser(db, 'link_worker', { name: 'Sam Green' });
await createBooking(db, cartoons.sessionId, sam.id);

/** Waits until the results region lists exactly these titles (after htmx has swapped it). */
async function resultsShow(page: Page, titles: string[]) {
  type Doc = { querySelectorAll: (selector: string) => Iterable<{ textContent: string | null }> };
  // A function, not a string: the page's CSP allows no eval.
  await page.waitForFunction(
    (expected) =>
      [...(globalThis as unknown as { document: Doc }).document.querySelectorAll('#find-results h3')].map((e) => (e.textContent ?? '').trim()).join('|') ===
      expected,
    titles.join('|'),
  );
  return titles;
}

/**
 * axe runs inside the page, so it cannot run where JavaScript is off: the same address is checked
 * in a JavaScript-enabled copy of the session (same cookies), as the server renders it alike.
 */
async function violationsWithoutJavaScript(context: BrowserContext, page: Page): Promise<string[]> {
  const checker = await browser.browser.newContext({ baseURL: browser.baseUrl, storageState: await context.storageState() });
  const copy = await checker.newPage();
  await copy.goto(page.url());
  const violations = await accessibilityViolations(copy);
  await checker.close();
  return violations;
}

t.test('without JavaScript: find with filters, book, and join a waiting list', async (t) => {
  const { page, context } = await browser.newPage({ javaScript: false });
  const accessibilityViolations = (p: Page) => violationsWithoutJavaScript(context, p);
  await signIn(page, dev.email, PASSWORD);
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Find tasters' }).click();
  t.equal(await page.locator('h1').textContent(), 'Find tasters');
  t.same(await accessibilityViolations(page), [], 'find page');

  await page.getByLabel('Search by activity or organisation').fill('singing');
  await page.getByLabel('Afternoon').check();
  await page.getByLabel('Step-free access').check();
  await page.getByLabel('Town or postcode district').fill('Oxford');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const url = new URL(page.url());
  t.equal(url.pathname, '/find');
  t.same(
    { q: url.searchParams.get('q'), time: url.searchParams.getAll('time'), stepFree: url.searchParams.get('stepFree'), place: url.searchParams.get('place') },
    { q: 'singing', time: ['afternoon'], stepFree: 'yes', place: 'Oxford' },
    'the filters are in the address, to share',
  );
  t.same(await page.locator('#find-results h3').allTextContents(), ['Singing for wellbeing']);
  t.same(await accessibilityViolations(page), [], 'filtered results');

  await page.getByLabel('Town or postcode district').fill('Oxford!');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  t.match(await page.title(), /^Error: /);
  t.equal(await page.locator('#place-error').textContent(), 'Error: Enter a town, like Oxford, or the first part of a postcode, like OX1');
  t.same(await accessibilityViolations(page), [], 'find page with a bad filter');

  await page.getByLabel('Town or postcode district').fill('');
  await page.getByLabel('Search by activity or organisation').fill('cartoon');
  await page.getByLabel('Afternoon').uncheck();
  await page.getByLabel('Step-free access').uncheck();
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('link', { name: /^Join the waiting list\s+for Cartoon drawing/ }).click();
  t.equal(await page.locator('h1').textContent(), 'Cartoon drawing');
  t.same(await accessibilityViolations(page), [], 'book page, session full');
  await page.getByRole('button', { name: 'Join the waiting list' }).click();
  t.match(await page.locator('h1').textContent(), /Cartoon drawing/);
  t.equal(await page.locator('#waiting-position').textContent(), '1');
  t.same(await accessibilityViolations(page), [], 'booking page, waiting list');
  await context.close();
});

t.test('with JavaScript: the results follow the filters, booking updates the panel, the .ics downloads', async (t) => {
  const { page, context } = await browser.newPage();
  await signIn(page, dev.email, PASSWORD);
  await page.goto('/find');
  t.equal((await page.locator('#find-results h3').allTextContents()).length, 3);
  await page.getByLabel('Search by activity or organisation').fill('origami');
  await resultsShow(page, ['Origami circle']);
  t.same(
    (await page.locator('#find-results h3').allTextContents()).map((h) => h.trim()),
    ['Origami circle'],
    'results updated without a button',
  );
  await page.locator('#find-results h2', { hasText: '1 taster session found' }).waitFor();
  t.equal((await page.locator('#find-status').textContent())?.trim(), '1 taster session found', 'the count is announced');
  t.match(await page.getByRole('link', { name: 'Link to these results' }).getAttribute('href'), /^\/find\?q=origami$/);
  t.same(await accessibilityViolations(page), [], 'results after an htmx swap');

  await page.getByLabel('Type of activity').selectOption({ label: 'Drawing and painting' });
  await page.locator('#find-results h2', { hasText: 'No taster sessions found' }).waitFor();
  t.match(await page.locator('#find-results').textContent(), /Clear the filters/);
  t.same(await accessibilityViolations(page), [], 'no results state');

  await page.getByLabel('Type of activity').selectOption({ label: 'Any activity' });
  await page.getByLabel('Search by activity or organisation').fill('');
  await page.getByLabel('Town or postcode district').fill('OX1');
  await page.getByLabel('Town or postcode district').blur();
  await resultsShow(page, ['Singing for wellbeing']);
  t.same(
    (await page.locator('#find-results h3').allTextContents()).map((h) => h.trim()),
    ['Singing for wellbeing'],
    'OX1, not OX16 or OX4',
  );

  await page.getByRole('link', { name: /^Book a place\s+for Singing for wellbeing/ }).click();
  t.equal(await page.locator('h1').textContent(), 'Singing for wellbeing');
  await page.getByLabel(/How confident do you feel today/).fill('3');
  await page.getByRole('button', { name: 'Book a place' }).click();
  await page.locator('#booking-panel h2', { hasText: 'You have a place' }).waitFor();
  t.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'booking-panel-heading', 'focus moves to the new panel');
  t.equal(new URL(page.url()).pathname, `/sessions/${singing.sessionId}/book`, 'no page load');
  t.same(await accessibilityViolations(page), [], 'panel after booking');
  const stored = await db
    .selectFrom('bookings')
    .select(['status', 'confidenceBefore'])
    .where('tasterSessionId', '=', singing.sessionId)
    .where('userId', '=', dev.id)
    .executeTakeFirstOrThrow();
  t.same(stored, { status: 'confirmed', confidenceBefore: 3 });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Add to your calendar/ }).click()]);
  const ics = await readFile((await download.path())!, 'utf8');
  t.match(ics, /BEGIN:VCALENDAR/);
  t.match(ics, /SUMMARY:Taster: Singing for wellbeing/);
  t.match(ics, /DTSTART;TZID=Europe\/London:\d{8}T140000/);

  await page.getByRole('link', { name: 'View your booking' }).click();
  t.match(await page.locator('#booking-status').textContent(), /Booked/);
  t.same(await accessibilityViolations(page), [], 'booking page, confirmed');
  await context.close();
});

t.test('Sam cancels on a phone and Dev, first on the waiting list, gets the place', async (t) => {
  const { page, context } = await browser.newPage({ phone: true });
  await signIn(page, sam.email, PASSWORD);
  await page.getByRole('link', { name: 'My bookings' }).last().click();
  t.equal(await page.locator('h1').textContent(), 'My bookings');
  t.notOk(await scrollsSideways(page), 'My bookings fits 320px');
  t.same(await accessibilityViolations(page), [], 'My bookings (Sam)');
  await page.getByRole('link', { name: 'Cartoon drawing', exact: true }).click();
  t.same(await accessibilityViolations(page), [], 'booking page before cancelling');
  await page.getByRole('button', { name: 'Cancel your place' }).click();
  const confirm = page.getByRole('dialog', { name: 'Cancel your place?' });
  t.ok(await confirm.isVisible(), 'with JavaScript, the confirmation opens as a dialog');
  t.same(await accessibilityViolations(page), [], 'the confirmation dialog');
  await confirm.getByRole('button', { name: 'Yes, cancel my place' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Your booking has been cancelled/);
  t.notOk(await scrollsSideways(page), 'booking page fits 320px');
  t.same(await accessibilityViolations(page), [], 'booking page after cancelling');
  await context.close();

  const devPage = await browser.newPage({ phone: true });
  await signIn(devPage.page, dev.email, PASSWORD);
  await devPage.page.goto('/my-bookings');
  const booked = devPage.page.locator('h2:has-text("Places booked") + ul');
  t.same((await booked.locator('h3').allTextContents()).sort(), ['Cartoon drawing', 'Singing for wellbeing'], 'Dev was promoted');
  t.match(await devPage.page.locator('body').textContent(), /You are not on any waiting lists/);
  t.same(await accessibilityViolations(devPage.page), [], 'My bookings (Dev) after promotion');
  await devPage.page.getByRole('link', { name: 'Set up a calendar feed' }).click();
  await devPage.page.getByRole('button', { name: 'Set up a calendar feed' }).click();
  const feedUrl = await devPage.page.getByLabel('Copy this address into your calendar').inputValue();
  t.match(feedUrl, /\/calendar\/[A-Za-z0-9_-]+\.ics$/);
  t.same(await accessibilityViolations(devPage.page), [], 'calendar feed page');
  await devPage.context.close();
});

t.test('coordinators find tasters and see who has booked', async (t) => {
  const coordinator = await createUser(db, 'coordinator');
  const { page, context } = await browser.newPage();
  await signIn(page, coordinator.email, PASSWORD);
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Find tasters' }).click();
  await page.getByRole('link', { name: /^See who has booked\s+for Cartoon drawing/ }).click();
  t.equal(await page.locator('h1').textContent(), 'Bookings: Cartoon drawing');
  t.match(await page.locator('main').textContent(), /Dev Sharma/);
  t.same(await accessibilityViolations(page), [], 'who has booked');
  await context.close();
});
