import t from 'tap';
import { tellShortSessions } from '../../src/minimum/service.ts';
import { createBooking, createTaster, createUser, PASSWORD } from '../fixtures/builders.ts';
import { HOUR } from '../fixtures/time.ts';
import { createTestDatabase } from '../helper.ts';
import { accessibilityViolations, signIn, startBrowserTest } from './helper.ts';

/**
 * A minimum to run (issue 16) in a real browser: provider staff set the bookings a session needs
 * (a mistake first), the check runs and marks it at risk on their dashboard and the session page,
 * and they choose to run it anyway. axe finds nothing on any page visited.
 */
const database = await createTestDatabase();
const { db } = database;
const browser = await startBrowserTest(database);
t.teardown(async () => {
  await browser.close();
  await database.close();
});

const CHECK_HOURS = browser.app.config.minimumCheckHours;
const inHours = (hours: number) => {
  const startsAt = new Date(Date.now() + hours * HOUR);
  return { startsAt, endsAt: new Date(startsAt.getTime() + 2 * HOUR), bookingClosesAt: new Date(startsAt.getTime() - HOUR) };
};

t.test('a provider sets a minimum, sees the session at risk once the check has run, and runs it anyway', async (t) => {
  const taster = await createTaster(db, { title: 'Singing for breath', capacity: 8, ...inHours(24 * 10) });
  const provider = await createUser(db, 'provider', { organisationId: taster.organisationId, name: 'Amira Hassan' });
  await createBooking(db, taster.sessionId, (await createUser(db, 'link_worker')).id);

  const { page, context } = await browser.newPage();
  const axe = async (where: string) => t.same(await accessibilityViolations(page), [], `no accessibility violations: ${where}`);
  await signIn(page, provider.email, PASSWORD);
  await page.goto(`/sessions/${taster.sessionId}`);
  t.match(await page.locator('main').textContent(), /No minimum: it runs however many book/);
  await axe('the session page with no minimum');

  await page.getByLabel('Bookings needed to run (optional)').fill('9');
  await page.getByRole('button', { name: 'Save minimum' }).click();
  t.match(await page.title(), /^Error: /);
  t.match(await page.locator('#minimumBookings-error').textContent(), /The session has 8 places: enter 8 or fewer/);
  await axe('the session page with the minimum in error');
  t.equal((await db.selectFrom('tasterSessions').select('minimumBookings').where('id', '=', taster.sessionId).executeTakeFirstOrThrow()).minimumBookings, null);

  await page.getByLabel('Bookings needed to run (optional)').fill('4');
  await page.getByRole('button', { name: 'Save minimum' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Minimum to run saved/);
  t.match(await page.locator('main').textContent(), /It needs 4 bookings to run; 1 so far/);
  await axe('the session page with a minimum');

  // The days pass until the check time: the session now starts within the check hours.
  await db
    .updateTable('tasterSessions')
    .set(inHours(CHECK_HOURS - 2))
    .where('id', '=', taster.sessionId)
    .execute();
  await tellShortSessions(db, { now: new Date(), hours: CHECK_HOURS, baseUrl: browser.baseUrl });
  const told = await db.selectFrom('outboxMessages').select('id').where('kind', '=', 'session_below_minimum').where('recipientId', '=', provider.id).execute();
  t.equal(told.length, 1, 'the provider is told by email');

  await page.goto('/provider');
  t.equal(await page.locator(`#at-risk-${taster.sessionId}`).textContent(), 'At risk: short of its minimum', 'the dashboard marks it at risk');
  await axe('the dashboard with a session at risk');

  await page.goto(`/sessions/${taster.sessionId}`);
  t.match(await page.locator('#minimum-at-risk').textContent(), /1 of the 4 bookings it needs to run/);
  await axe('the session page at risk');
  await page.getByRole('button', { name: 'Run it anyway' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /The session will run, however many have booked/);
  t.equal(await page.locator('#minimum-at-risk').count(), 0, 'no longer at risk');
  t.match(await page.locator('main').textContent(), /You chose to run it anyway/);
  await axe('the session page after running it anyway');
  t.ok((await db.selectFrom('tasterSessions').select('runAnywayAt').where('id', '=', taster.sessionId).executeTakeFirstOrThrow()).runAnywayAt);

  await page.goto('/provider');
  t.equal(await page.locator(`#at-risk-${taster.sessionId}`).count(), 0, 'the dashboard no longer marks it');
  await context.close();
});
