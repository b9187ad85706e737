import jsQRModule from 'jsqr';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import t from 'tap';
import { createOffer, createOrganisation, createSession, createVenue } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { createTestDatabase } from '../helper.ts';
import { offerDetails, organisationDetails, venueDetails } from '../openreferral/fixtures.ts';
import { accessibilityViolations, scrollsSideways, startBrowserTest } from './helper.ts';

// The public pages as a patient opens them: on a phone, with no account, often without
// JavaScript; and the offer page as a link worker prints it to hand over in an appointment.
const database = await createTestDatabase();
const browser = await startBrowserTest(database);
t.teardown(async () => {
  await browser.close();
  await database.close();
});

const { db } = database;
// jsqr is CommonJS with its function as `default`: Node hands over the module object.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ?? jsQRModule) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string } | null;
const museum = await createOrganisation(db, {
  ...organisationDetails(),
  name: 'Riverside Museum',
  description: 'A museum of the river and the people who live and work beside it, with a café and a garden.',
  embedWebsites: ['https://www.riverside.example.org.uk'],
});
const hall = await createVenue(db, museum.id, {
  ...venueDetails(),
  name: 'Great Hall',
  addressLine1: '1 River Street',
  addressLine2: 'St Clement’s',
  parking: true,
  quietSpace: true,
  accessNotes: 'Step-free entrance on the side street, with a ramp and an automatic door. Lift to every floor. Chairs with arms are available in every room.',
  travelNotes: 'Buses 5 and 8 stop outside (stop name: River Street). Oxford station is a 15-minute walk. Two blue badge spaces in the museum car park.',
});
const annexe = await createVenue(db, museum.id, { ...venueDetails(), name: 'Annexe', town: 'Abingdon', parking: false, hearingLoop: false });
const offer = await createOffer(db, museum.id, {
  ...offerDetails(),
  title: 'Object handling and conversation',
  description:
    'Each week a small group meets in the Great Hall with one of our learning team. You will hold and look closely at objects from the collection — tools, toys, photographs and letters — and talk about what they remind you of. ' +
    'Nobody needs to know anything about history, and you can just listen if you prefer. There is tea, coffee and biscuits halfway through. Sessions are calm and friendly, and the same people tend to come each week, so it is a good way to meet others.',
  suits: 'Adults who feel lonely or low, who are new to the area, or who are caring for someone and want time for themselves.',
  usualVenueId: hall.id,
  isFree: false,
  costAmount: '2.50',
  costNote: 'Tea and biscuits included. Free for carers.',
  howToRefer:
    'Your link worker emails the learning team with your first name and a phone number. We ring you within a week to say hello, answer any questions and arrange your first visit. You are welcome to bring someone with you the first time.',
  referralPhone: '01865 222222',
});
for (const [days, venueId] of [
  [3, hall.id],
  [10, annexe.id],
  [17, hall.id],
  [24, hall.id],
] as const)
  await createSession(db, offer.id, { venueId, startsAt: at(days, 14) });
const bare = await createOffer(db, museum.id, { ...offerDetails(), title: 'Letters home', usualVenueId: null, scheduleFrequency: null, scheduleDays: [] });
const garden = await createOrganisation(db, { ...organisationDetails(), name: 'Botanic Garden', kind: 'garden' });
const glasshouse = await createVenue(db, garden.id, { ...venueDetails(), name: 'Glasshouse', town: 'Abingdon' });
await createOffer(db, garden.id, { ...offerDetails(), title: 'Growing together', category: 'gardening_nature', usualVenueId: glasshouse.id });

/** Content Security Policy violations the page reports, collected from the moment it starts loading. */
async function watchPolicy(page: Page) {
  // Written as text: these run in the page, and the tests are type-checked without the DOM's types.
  await page.addInitScript({
    content: `window.policyViolations = [];
      document.addEventListener('securitypolicyviolation', (event) => window.policyViolations.push(event.violatedDirective + ' ' + event.blockedURI));`,
  });
  return () => page.evaluate('window.policyViolations') as Promise<string[]>;
}

/**
 * axe runs as a script, which a page without JavaScript cannot run: it checks the same address in
 * a phone-sized page with JavaScript (the markup is the same; the script only adds behaviour).
 */
async function violationsAt(url: string): Promise<string[]> {
  const { page, context } = await browser.newPage({ phone: true });
  await page.goto(url);
  const violations = await accessibilityViolations(page);
  await context.close();
  return violations;
}

const pages = [
  [`/activities/${offer.id}`, 'Object handling and conversation'],
  [`/activities/${bare.id}`, 'Letters home'],
  [`/providers/${museum.id}`, 'Riverside Museum'],
  ['/activities', 'Activities you can be referred to'],
  [`/activities?town=Abingdon`, 'Activities you can be referred to'],
  [`/activities?town=Atlantis`, 'Activities you can be referred to'],
] as const;

t.test('the public pages without JavaScript, at 320px: they fit, pass the accessibility check and set no cookie', async (t) => {
  const { page, context } = await browser.newPage({ phone: true, javaScript: false });
  for (const [path, title] of pages) {
    const response = await page.goto(path);
    t.equal(response?.status(), path.includes('Atlantis') ? 400 : 200, path);
    t.equal((await page.locator('h1').textContent())?.trim(), title);
    t.notOk(await scrollsSideways(page), `${path}: fits 320px without sideways scrolling`);
    t.same(await violationsAt(page.url()), [], `${path}: no accessibility violations`);
  }
  // The embed, as a website shows it.
  const embed = await page.goto(`/providers/${museum.id}/embed`);
  t.equal(embed?.status(), 200);
  t.notOk(await scrollsSideways(page), 'the embed fits 320px');
  t.same(await violationsAt(page.url()), [], 'the embed: no accessibility violations');

  // The filter form works as a plain GET form.
  await page.goto('/activities');
  await page.getByLabel('Type of activity').selectOption({ label: 'Gardening and nature' });
  await page.getByRole('button', { name: 'Show activities' }).click();
  await page.waitForURL(/category=gardening_nature/);
  t.same(await page.locator('.tasters-offers h3').allTextContents(), ['Growing together']);
  t.same(await context.cookies(), [], 'no cookie was set');
  await context.close();
});

t.test('with JavaScript: the schema.org data breaks no policy, and the filters refresh the results in place', async (t) => {
  const { page, context } = await browser.newPage();
  const violations = await watchPolicy(page);
  for (const [path] of pages.slice(0, 3)) {
    await page.goto(path);
    t.equal(await page.locator('script[type="application/ld+json"]').count(), 1, `${path}: has its structured data`);
    t.same(await violations(), [], `${path}: no Content Security Policy violation`);
  }
  // The check can fail: an inline script is refused and reported.
  await page.evaluate(`{ const script = document.createElement('script'); script.textContent = 'window.ran = true'; document.body.append(script); }`);
  await page.waitForFunction('window.policyViolations.length > 0');
  t.match((await violations())[0], /^script-src/, 'an inline script would be reported');

  await page.goto(`/activities/${offer.id}`);
  t.ok(await page.getByRole('button', { name: 'Print this page' }).isVisible(), 'a print button where JavaScript can press it');

  await page.goto('/activities');
  const refreshed = page.waitForResponse((response) => response.url().includes('town=Abingdon') && response.request().headers()['hx-request'] === 'true');
  await page.getByLabel('Town').selectOption('Abingdon');
  await refreshed;
  await page.waitForURL(/town=Abingdon/);
  await page.locator('#activity-status', { hasText: '2 activities found' }).waitFor({ state: 'attached' });
  t.same((await page.locator('.tasters-offers h3').allTextContents()).sort(), ['Growing together', 'Object handling and conversation']);
  t.same(await accessibilityViolations(page), [], 'after the swap: no accessibility violations');
  t.same(await context.cookies(), [], 'no cookie was set');
  await context.close();
});

t.test('the printout: one A4 page, with a QR code that opens the page', async (t) => {
  const { page, context } = await browser.newPage({ javaScript: false });
  const address = `${browser.baseUrl}/activities/${offer.id}`;
  await page.goto(address);
  await page.emulateMedia({ media: 'print' });
  t.notOk(await page.locator('.nhsuk-header').isVisible(), 'no header in print');
  t.ok(await page.getByText('stop name: River Street', { exact: false }).isVisible(), 'getting there is printed');
  t.ok(await page.getByText(address).isVisible(), 'the address is printed under the code');

  const shot = PNG.sync.read(await page.locator('#page-qr').screenshot());
  const code = jsQR(new Uint8ClampedArray(shot.data), shot.width, shot.height);
  t.equal(code?.data, address, 'the QR code opens this page');

  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  const pageCount = pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g)?.length ?? 0;
  t.equal(pageCount, 1, 'fits one A4 sheet');

  // The test can fail: the same page with its upcoming dates and a long description runs over.
  await page.evaluate(`{
    for (const element of document.querySelectorAll('.tasters-no-print')) element.classList.remove('tasters-no-print');
    const description = document.querySelector('.tasters-message');
    description.textContent = (description.textContent + ' ').repeat(6);
  }`);
  const longer = await page.pdf({ format: 'A4', printBackground: true });
  t.ok((longer.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g)?.length ?? 0) > 1, 'a longer page counts more than one');
  await context.close();
});
