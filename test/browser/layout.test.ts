import t from 'tap';
import { createOrganisation, createUser, PASSWORD } from '../fixtures/builders.ts';
import { createTestDatabase } from '../helper.ts';
import { accessibilityViolations, signIn, startBrowserTest } from './helper.ts';

const database = await createTestDatabase();
const browser = await startBrowserTest(database);
t.teardown(async () => {
  await browser.close();
  await database.close();
});
const { db } = database;

const coordinator = await createUser(db, 'coordinator', { name: 'Chidi Okafor' });
const museum = await createOrganisation(db, { name: 'The Pitt Rivers Museum of Anthropology and World Archaeology' });
await createUser(db, 'provider', {
  name: 'Bartholomew Featherstonehaugh-Wolstenholme',
  email: 'bartholomew.featherstonehaugh-wolstenholme@pittriversmuseum.example',
  organisationId: museum.id,
});
const linkWorker = await createUser(db, 'link_worker', {
  name: 'Priya Patel',
  practice: 'Jericho Health Centre and Walton Street Surgery',
  pcn: 'Central Oxford Primary Care Network',
});

/**
 * Chevrons drawn in and around the back link: inline icons, and pseudo-elements the stylesheet
 * draws (nhsuk-frontend 10 draws its chevron with ::before on .nhsuk-back-link).
 */
// Run in the page (a string: the tests are typed without the DOM's types).
const chevronsInBackLink = `(() => {
  let drawn = 0;
  for (const element of document.querySelectorAll('.nhsuk-back-link, .nhsuk-back-link *')) {
    if (element.tagName.toLowerCase() === 'svg') drawn++;
    for (const pseudo of ['::before', '::after']) {
      const style = getComputedStyle(element, pseudo);
      if (style.content !== 'none' && style.display !== 'none' && Number.parseFloat(style.width) > 0) drawn++;
    }
  }
  return drawn;
})()`;

t.test('a back link shows one chevron, as the design system draws it', async (t) => {
  for (const [who, url] of [
    [linkWorker, '/account/data'],
    [coordinator, `/people/${linkWorker.id}`],
  ] as const) {
    const { page, context } = await browser.newPage();
    await signIn(page, who.email, PASSWORD);
    await page.goto(url);
    const back = page.getByRole('link', { name: /^Back/ });
    t.equal(await back.count(), 1, `${url}: one back link`);
    t.equal(await page.evaluate<number>(chevronsInBackLink), 1, `${url}: one chevron`);
    t.same(await accessibilityViolations(page), [], `${url}: no accessibility violations`);
    await context.close();
  }
});

t.test('the People page fits a 320px phone: nothing scrolls sideways and no column is cut off', async (t) => {
  const { page, context } = await browser.newPage({ phone: true });
  await signIn(page, coordinator.email, PASSWORD);
  await page.goto('/people');
  t.equal((await page.locator('h1').textContent())?.trim(), 'People');
  t.ok((await page.evaluate<number>('document.documentElement.scrollWidth')) <= 320, 'the page is no wider than the screen');
  // Every cell is on the screen, not hidden inside a box that scrolls sideways.
  // Column headings are hidden visually on a phone (each line carries its own): only the people.
  const offScreen = await page.evaluate<string[]>(`[...document.querySelectorAll('main tbody td, main tbody th')]
    .filter((cell) => {
      const box = cell.getBoundingClientRect();
      return box.width > 0 && (box.left < 0 || box.right > 320);
    })
    .map((cell) => cell.textContent.trim())`);
  t.same(offScreen, [], 'every cell is within the screen');
  for (const text of [
    'Bartholomew Featherstonehaugh-Wolstenholme',
    'The Pitt Rivers Museum of Anthropology and World Archaeology',
    'Central Oxford Primary Care Network',
  ]) {
    t.ok(await page.getByText(text).first().isVisible(), `${text} is shown`);
  }
  t.same(await accessibilityViolations(page), [], 'no accessibility violations at 320px');
  await context.close();

  // On a desktop it is still a table with its column headings.
  const desktop = await browser.newPage();
  await signIn(desktop.page, coordinator.email, PASSWORD);
  await desktop.page.goto('/people');
  t.equal(await desktop.page.getByRole('columnheader', { name: 'Organisation or practice' }).count(), 1, 'a column heading on a desktop');
  t.same(await accessibilityViolations(desktop.page), [], 'no accessibility violations on a desktop');
  await desktop.context.close();
});
