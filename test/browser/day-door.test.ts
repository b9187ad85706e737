import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import t from 'tap';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { moveDay } from '../fixtures/day-door.ts';
import { createDay } from '../fixtures/days.ts';
import { createTestDatabase } from '../helper.ts';
import { signIn, startBrowserTest } from './helper.ts';

/*
 * A taster day on the day (issue 15, item 6): the organiser prints the name badges on A4 sheets of
 * 8 labels, then takes the door register on a phone (375 × 667); a museum's learning officer takes
 * their taster's register. axe (WCAG 2.2 AA) on every page and state visited, leaving out the
 * shared header menu, which does not wrap on a phone yet (see test/browser/attendance.test.ts).
 */
const HEADER_MENU = '.nhsuk-header__navigation';

async function accessibilityViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).exclude(HEADER_MENU).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

const pdfPages = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g)?.length ?? 0;

const database = await createTestDatabase();
const { db } = database;
const browser = await startBrowserTest(database);
t.teardown(async () => {
  await browser.close();
  await database.close();
});

const day = await createDay(db, { linkWorkerPlaces: 40, culturalPlaces: 20 });
const helen = await createUser(db, 'coordinator', { name: 'Helen Okafor' });
const amira = await createUser(db, 'provider', { name: 'Amira Haddad', organisationId: day.tasters[0]!.organisationId });

/** Someone with a confirmed place on the day (and in the first taster, for link workers). */
async function confirmed(name: string, role: 'link_worker' | 'provider') {
  const person = await createUser(db, role, { name, practice: 'Jericho Health Centre', pcn: 'Central Oxford PCN' });
  const registration = await db
    .insertInto('dayRegistrations')
    .values({
      tasterDayId: day.id,
      userId: person.id,
      audience: role === 'provider' ? 'cultural' : 'link_worker',
      status: 'confirmed',
      confirmedAt: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (role === 'link_worker') {
    await db
      .insertInto('dayTasterChoices')
      .values({ registrationId: registration.id, dayTasterId: day.tasters[0]!.id, programmeItemId: day.slotId, status: 'confirmed', confirmedAt: new Date() })
      .execute();
  }
  return { person, registrationId: registration.id };
}

const dev = await confirmed('Dev Sharma', 'link_worker');
const sam = await confirmed('Sam Green', 'link_worker');
for (let i = 1; i <= 8; i++) await confirmed(`Link Worker ${i}`, 'link_worker');
for (let i = 1; i <= 2; i++) await confirmed(`Gallery Educator ${i}`, 'provider');
await moveDay(db, day.id, 1);

t.test('the badge sheet prints on A4 sheets of 8 labels: twelve people, two pages', async (t) => {
  const { page, context } = await browser.newPage();
  await signIn(page, helen.email, PASSWORD);
  await page.goto(`/days/${day.id}`);
  await page.getByRole('link', { name: 'Name badges to print' }).click();
  t.equal(await page.locator('h1').textContent(), 'Name badges');
  t.match(await page.locator('#label-sheet').textContent(), /8 labels, 99.1 × 67.7 mm/);
  t.same(await accessibilityViolations(page), [], 'badge page on screen');

  await page.emulateMedia({ media: 'print' });
  t.notOk(await page.locator('.nhsuk-header').isVisible(), 'no header in print');
  t.notOk(await page.locator('h1').isVisible(), 'no instructions in print');
  const label = await page.locator('.tasters-badge').first().boundingBox();
  const mm = 96 / 25.4;
  t.ok(
    label && Math.abs(label.width - 99.1 * mm) < 1 && Math.abs(label.height - 67.7 * mm) < 1,
    `a label is 99.1 × 67.7 mm (${label?.width} × ${label?.height} px)`,
  );
  t.equal(pdfPages(await page.pdf({ format: 'A4', printBackground: true })), 2, 'twelve badges: two sheets of eight');

  // The count can fail: five more people make seventeen badges, three sheets.
  for (let i = 1; i <= 5; i++) await confirmed(`Late Registrant ${i}`, 'link_worker');
  await page.reload();
  t.equal(await page.locator('.tasters-badge').count(), 17);
  t.equal(pdfPages(await page.pdf({ format: 'A4', printBackground: true })), 3, 'seventeen badges: three sheets');
  await context.close();
});

t.test('the door register on a phone: one tap marks attendance, stored and announced', async (t) => {
  const context = await browser.browser.newContext({ baseURL: browser.baseUrl, viewport: { width: 375, height: 667 } });
  const page = await context.newPage();
  await signIn(page, helen.email, PASSWORD);
  await page.goto(`/days/${day.id}`);
  await page.getByRole('link', { name: 'Door register for the day' }).click();
  t.match(await page.locator('h1').textContent(), /^Door register: /);
  t.same(await accessibilityViolations(page), [], 'door register');
  const width = await page.evaluate('document.querySelector("main").scrollWidth <= document.documentElement.clientWidth');
  t.ok(width, 'the register fits the phone’s width');

  const attended = page.getByRole('button', { name: 'Attended (Dev Sharma)' });
  const box = await attended.boundingBox();
  t.ok(box && box.height >= 44 && box.width >= 44, `a large target (${box?.width}×${box?.height})`);
  await attended.click();
  await page.locator('#register-announcement', { hasText: 'Dev Sharma marked as attended.' }).waitFor();
  t.equal(new URL(page.url()).pathname, `/days/${day.id}/door`, 'no page load: htmx swapped the card');
  t.match(await page.locator(`#person-${dev.registrationId}`).textContent(), /Attended/);
  t.same(await accessibilityViolations(page), [], 'after a swap');

  await page.getByRole('button', { name: 'Did not come (Sam Green)' }).click();
  await page.locator('#register-announcement', { hasText: 'Sam Green marked as did not come.' }).waitFor();
  t.match(await page.locator('#register-counts').textContent(), /1 person attended, 1 did not come/);
  const stored = await db.selectFrom('dayRegistrations').select(['id', 'attendance']).where('id', 'in', [dev.registrationId, sam.registrationId]).execute();
  t.same(Object.fromEntries(stored.map((r) => [r.id, r.attendance])), { [dev.registrationId]: 'attended', [sam.registrationId]: 'no_show' });
  await context.close();
});

t.test('the taster’s register, taken by the museum’s learning officer on her phone', async (t) => {
  const context = await browser.browser.newContext({ baseURL: browser.baseUrl, viewport: { width: 375, height: 667 } });
  const page = await context.newPage();
  await signIn(page, amira.email, PASSWORD);
  await page.goto(`/days/${day.id}`);
  await page.getByRole('link', { name: 'Door register: Singing taster' }).click();
  t.equal(await page.locator('h1').textContent(), 'Door register: Singing taster');
  t.same(await accessibilityViolations(page), [], 'taster register');
  await page.getByRole('button', { name: 'Attended (Dev Sharma)' }).click();
  await page.locator('#register-announcement', { hasText: 'Dev Sharma marked as attended.' }).waitFor();
  const choice = await db.selectFrom('dayTasterChoices').select('attendance').where('registrationId', '=', dev.registrationId).executeTakeFirstOrThrow();
  t.equal(choice.attendance, 'attended');
  t.same(await accessibilityViolations(page), [], 'taster register after a swap');
  await context.close();
});
