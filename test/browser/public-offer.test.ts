import t from 'tap';
import { createOffer, createOrganisation, createSession, createVenue } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { createTestDatabase } from '../helper.ts';
import { offerDetails, organisationDetails, venueDetails } from '../openreferral/fixtures.ts';
import { accessibilityViolations, scrollsSideways, startBrowserTest } from './helper.ts';

// An offer's public page, as a patient opens it from a directory: on a phone, with no account.
const database = await createTestDatabase();
const browser = await startBrowserTest(database);
t.teardown(async () => {
  await browser.close();
  await database.close();
});

t.test('an offer’s public page fits a 320px phone and passes the accessibility check', async (t) => {
  const { db } = database;
  const museum = await createOrganisation(db, { ...organisationDetails(), name: 'Riverside Museum' });
  const hall = await createVenue(db, museum.id, { ...venueDetails(), name: 'Great Hall' });
  const offer = await createOffer(db, museum.id, { ...offerDetails(), title: 'Object handling', usualVenueId: hall.id, referralPhone: '01865 222222' });
  await createSession(db, offer.id, { venueId: hall.id, startsAt: at(3, 14) });
  await createSession(db, offer.id, { isOnline: true, venueId: null, startsAt: at(9, 18) });
  const bare = await createOffer(db, museum.id, { ...offerDetails(), title: 'Letters home', usualVenueId: null, scheduleFrequency: null, scheduleDays: [] });

  const { page, context } = await browser.newPage({ phone: true });
  for (const [id, title] of [
    [offer.id, 'Object handling'],
    [bare.id, 'Letters home'],
  ] as const) {
    const response = await page.goto(`/activities/${id}`);
    t.equal(response?.status(), 200);
    t.equal((await page.locator('h1').textContent())?.trim(), title);
    t.notOk(await scrollsSideways(page), `${title}: fits 320px without sideways scrolling`);
    t.same(await accessibilityViolations(page), [], `${title}: no accessibility violations`);
  }
  t.same(await context.cookies(), [], 'no cookie was set');
  await context.close();
});
