import type { BrowserContext, Page } from 'playwright-core';
import t from 'tap';
import { createBooking, createTaster, createUser, PASSWORD } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { createTestDatabase } from '../helper.ts';
import { accessibilityViolations, signIn, startBrowserTest } from './helper.ts';

/** What a provider running a series and the link workers booked on it do: confirming a cancellation without JavaScript. */
const database = await createTestDatabase();
const { db } = database;
const browser = await startBrowserTest(database);
t.teardown(async () => {
  await browser.close();
  await database.close();
});

/**
 * axe runs as a script in the page, so a JavaScript-free page is checked in a JavaScript-enabled
 * copy of the session (same cookies), which the server renders alike. Only for GET pages.
 */
async function violationsWithoutJavaScript(context: BrowserContext, page: Page): Promise<string[]> {
  const checker = await browser.browser.newContext({ baseURL: browser.baseUrl, storageState: await context.storageState() });
  const copy = await checker.newPage();
  await copy.goto(page.url());
  const violations = await accessibilityViolations(copy);
  await checker.close();
  return violations;
}

t.test('without JavaScript, cancelling a place and cancelling a session each go through a confirmation page', async (t) => {
  const taster = await createTaster(db, { title: 'Clay and conversation', startsAt: at(6, 14), status: 'published' });
  const worker = await createUser(db, 'link_worker', { name: 'Rhiannon Price' });
  const booking = await createBooking(db, taster.sessionId, worker.id);

  const { page, context } = await browser.newPage({ phone: true, javaScript: false });
  const axe = async (where: string) => t.same(await violationsWithoutJavaScript(context, page), [], `no accessibility violations: ${where}`);
  await signIn(page, worker.email, PASSWORD);
  await page.goto(`/bookings/${booking.id}`);
  await page.getByRole('button', { name: 'Cancel your place' }).click();
  t.equal(await page.locator('h1').textContent(), 'Cancel your place?', 'a page of its own');
  await axe('the booking confirmation page');
  t.equal((await db.selectFrom('bookings').select('status').where('id', '=', booking.id).executeTakeFirstOrThrow()).status, 'confirmed');
  await page.getByRole('link', { name: 'No, keep my place' }).click();
  t.match(page.url(), new RegExp(`/bookings/${booking.id}$`), '"No" goes back to the booking');
  await page.getByRole('button', { name: 'Cancel your place' }).click();
  await page.getByRole('button', { name: 'Yes, cancel my place' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Your booking has been cancelled/);
  await axe('the cancelled booking');
  await context.close();

  const provider = await createUser(db, 'provider', { organisationId: taster.organisationId });
  const staff = await browser.newPage({ javaScript: false });
  await signIn(staff.page, provider.email, PASSWORD);
  await staff.page.goto(`/sessions/${taster.sessionId}`);
  await staff.page.getByRole('link', { name: 'Cancel session' }).click();
  t.equal(await staff.page.locator('h1').textContent(), 'Cancel this taster session');
  t.same(await violationsWithoutJavaScript(staff.context, staff.page), [], 'the session confirmation page');
  await staff.page.getByLabel('Why is it cancelled?').fill('The kiln is broken');
  await staff.page.getByRole('button', { name: 'Yes, cancel the session' }).click();
  t.match(await staff.page.locator('main').textContent(), /This session is cancelled[\s\S]*The kiln is broken/);
  await staff.context.close();
});
