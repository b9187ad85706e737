import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import t from 'tap';
import { createBooking, createOffer, createOrganisation, createSession, createTaster, createUser, createVenue, PASSWORD } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { createTestDatabase } from '../helper.ts';
import { accessibilityViolations, signIn, startBrowserTest } from './helper.ts';

/**
 * What a provider running a series and the link workers booked on it do: confirming a cancellation
 * without JavaScript; changing the rest of a series in one go and messaging the people booked.
 */
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

t.test('a provider changes the rest of a series in one go, with an error first, and messages the people booked', async (t) => {
  const organisation = await createOrganisation(db, { name: 'Clayworks' });
  const studio = await createVenue(db, organisation.id, { name: 'The Clay Studio' });
  const annexe = await createVenue(db, organisation.id, { name: 'The Annexe' });
  const offer = await createOffer(db, organisation.id, { title: 'Throwing pots' });
  const seriesId = randomUUID();
  const weeks = [];
  for (let week = 0; week < 3; week++) {
    weeks.push(await createSession(db, offer.id, { venueId: studio.id, seriesId, capacity: 4, startsAt: at(5 + 7 * week, 14) }));
  }
  const worker = await createUser(db, 'link_worker', { name: 'Olu Adebayo' });
  for (const session of weeks) await createBooking(db, session.id, worker.id);
  const provider = await createUser(db, 'provider', { organisationId: organisation.id, name: 'Nia Roberts' });

  const { page, context } = await browser.newPage();
  const axe = async (where: string) => t.same(await accessibilityViolations(page), [], `no accessibility violations: ${where}`);
  await signIn(page, provider.email, PASSWORD);
  await page.goto(`/sessions/${weeks[1]!.id}`);
  await page.getByRole('link', { name: 'Change this and later sessions in the series' }).click();
  t.equal(await page.locator('h1').textContent(), 'Change this and later sessions');
  await axe('the series change form');
  await page.getByLabel('Start time').fill('16:00');
  await page.getByLabel('End time').fill('15:00');
  await page.getByRole('button', { name: 'Change all 2 sessions' }).click();
  t.match(await page.title(), /^Error: /);
  t.match(await page.locator('#endTime-error').textContent(), /The end time must be after the start time/);
  await axe('the series change form with an error');
  await page.getByLabel('End time').fill('17:30');
  await page.getByLabel('Venue (if at a venue)').selectOption({ label: 'The Annexe' });
  await page.getByRole('button', { name: 'Change all 2 sessions' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /every later one in the series are changed/);
  t.match(await page.locator('main').textContent(), /The Annexe/);
  await axe('the changed session');
  const rows = await db.selectFrom('tasterSessions').select(['id', 'venueId']).where('seriesId', '=', seriesId).orderBy('startsAt').execute();
  t.same(
    rows.map((r) => r.venueId),
    [studio.id, annexe.id, annexe.id],
    'the earlier session stays where it was',
  );
  const emails = await db.selectFrom('outboxMessages').select('kind').where('recipientId', '=', worker.id).where('kind', '=', 'series_changed').execute();
  t.equal(emails.length, 1, 'one email for the two sessions');

  await page.getByRole('link', { name: 'Message everyone booked or waiting' }).click();
  t.equal(await page.locator('h1').textContent(), 'Message the people on this session');
  await axe('the message form');
  await page.getByRole('button', { name: 'Send message' }).click();
  t.match(await page.locator('#message-error').textContent(), /Enter your message/);
  await axe('the message form with an error');
  await page.getByLabel('Your message').fill('We are in the Annexe from now on, through the side gate.');
  await page.getByRole('button', { name: 'Send message' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Message sent/);
  t.match(await page.locator('main').textContent(), /through the side gate/);
  await axe('the message history');
  await context.close();
});
