import t from 'tap';
import { createTaster, createUser, PASSWORD } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { createTestDatabase } from '../helper.ts';
import { accessibilityViolations, signIn, startBrowserTest } from './helper.ts';

/**
 * Places kept for PCNs (issue 16) in a real browser: a provider keeps places of a session for one
 * PCN (a mistake first) and gives them back; link workers of that PCN and of another see what they
 * can book on the session page and in find; a coordinator follows "offer places to this PCN" from
 * the coverage report. axe finds nothing on any page visited.
 */
const database = await createTestDatabase();
const { db } = database;
const browser = await startBrowserTest(database);
t.teardown(async () => {
  await browser.close();
  await database.close();
});

const stamp = Date.now();
const BANBURY = `Banbury PCN ${stamp}`;
const CHERWELL = `Cherwell PCN ${stamp}`;

t.test('a provider keeps places for a PCN; link workers of it and of another see what they can book; places are given back', async (t) => {
  const taster = await createTaster(db, { title: `Clay and conversation ${stamp}`, capacity: 3, startsAt: at(10, 14), status: 'published' });
  const provider = await createUser(db, 'provider', { organisationId: taster.organisationId, name: 'Nia Roberts' });
  const banbury = await createUser(db, 'link_worker', { name: 'Priya Shah', pcn: BANBURY });
  const cherwell = await createUser(db, 'link_worker', { name: 'Olu Adebayo', pcn: CHERWELL });

  const staff = await browser.newPage();
  let page = staff.page;
  const axe = async (where: string) => t.same(await accessibilityViolations(page), [], `no accessibility violations: ${where}`);
  await signIn(page, provider.email, PASSWORD);
  await page.goto(`/sessions/${taster.sessionId}`);
  t.match(await page.locator('main').textContent(), /No places are kept for a PCN/);
  await page.getByRole('link', { name: 'Offer places to a PCN' }).click();
  t.equal(await page.locator('h1').textContent(), 'Offer places to a PCN');
  t.equal(await page.getByLabel('Taster session').inputValue(), taster.sessionId, 'the session is chosen');
  await axe('the form to keep places');

  await page.getByLabel('PCN', { exact: true }).selectOption(BANBURY);
  await page.getByLabel('Number of places to keep').fill('5');
  await page.getByRole('button', { name: 'Keep places' }).click();
  t.match(await page.title(), /^Error: /);
  t.match(await page.locator('#places-error').textContent(), /Only 3 places are free to keep/);
  await axe('the form with more places than fit');
  t.equal((await db.selectFrom('sessionReservations').select('id').where('tasterSessionId', '=', taster.sessionId).execute()).length, 0, 'nothing kept');

  await page.getByLabel('Number of places to keep').fill('2');
  await page.getByRole('button', { name: 'Keep places' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Places kept for the PCN until their release/);
  t.match(await page.locator('#pcn-places').textContent(), new RegExp(`2 places for ${BANBURY} \\(0 booked by its link workers\\):\\s+kept until`));
  await axe('the session page listing the places kept');

  const search = `/find?q=${encodeURIComponent(taster.title)}&available=yes`;
  const ofPcn = await browser.newPage();
  page = ofPcn.page;
  await signIn(page, banbury.email, PASSWORD);
  await page.goto(`/sessions/${taster.sessionId}`);
  t.match(await page.locator('main').textContent(), /3 places left/, 'all three for a link worker of the PCN');
  t.match(await page.locator('#held-for-you').textContent(), new RegExp(`2 places are of these kept for link workers of ${BANBURY} until`));
  await axe('the session page for a link worker of the PCN');
  await page.goto(search);
  t.match(await page.locator('main').textContent(), /3 places left/);
  await axe('find for a link worker of the PCN');
  await ofPcn.context.close();

  const ofOther = await browser.newPage();
  page = ofOther.page;
  await signIn(page, cherwell.email, PASSWORD);
  await page.goto(`/sessions/${taster.sessionId}`);
  t.match(await page.locator('main').textContent(), /1 place left/, 'one for a link worker of another PCN');
  t.equal(await page.locator('#held-for-you').count(), 0);
  await axe('the session page for a link worker of another PCN');
  await page.goto(search);
  t.match(await page.locator('main').textContent(), /1 place left/);
  await axe('find for a link worker of another PCN');
  await ofOther.context.close();

  page = staff.page;
  await page.reload();
  await page.getByRole('button', { name: `Give back now the places kept for ${BANBURY}` }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Places given back: anyone can book them now/);
  t.match(await page.locator('main').textContent(), /No places are kept for a PCN/);
  await axe('the session page after giving the places back');
  t.equal((await db.selectFrom('sessionReservations').select('id').where('tasterSessionId', '=', taster.sessionId).execute()).length, 0, 'given back');
  await staff.context.close();
});

t.test('a coordinator follows "offer places to this PCN" from the coverage report to the form with the PCN chosen', async (t) => {
  const pcn = `Nowhere Else PCN ${stamp}`;
  await createUser(db, 'link_worker', { pcn });
  const taster = await createTaster(db, { title: `Weekly drawing ${stamp}`, capacity: 6, startsAt: at(8, 10), status: 'published' });
  const coordinator = await createUser(db, 'coordinator', { name: 'Helen Okafor' });

  const { page, context } = await browser.newPage();
  const axe = async (where: string) => t.same(await accessibilityViolations(page), [], `no accessibility violations: ${where}`);
  await signIn(page, coordinator.email, PASSWORD);
  await page.goto('/reports');
  await page.getByRole('link', { name: `offer places to this PCN (${pcn})` }).click();
  t.equal(await page.locator('h1').textContent(), 'Offer places to a PCN');
  t.equal(await page.getByLabel('PCN', { exact: true }).inputValue(), pcn, 'the PCN is chosen');
  await axe('the form opened from the coverage report');

  await page.getByLabel('Taster session').selectOption(taster.sessionId);
  await page.getByLabel('Number of places to keep').fill('2');
  await page.getByRole('button', { name: 'Keep places' }).click();
  t.match(page.url(), new RegExp(`/sessions/${taster.sessionId}\\?done=places-kept$`));
  t.match(await page.locator('#pcn-places').textContent(), new RegExp(`2 places for ${pcn}`));
  await axe('the session page for the coordinator');
  await context.close();
});
