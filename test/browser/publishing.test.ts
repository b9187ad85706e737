import t from 'tap';
import { createOffer, createOrganisation, createSession, createUser, createVenue, PASSWORD } from '../fixtures/builders.ts';
import { createTestDatabase } from '../helper.ts';
import { londonDate } from '../publishing/helpers.ts';
import { accessibilityViolations, scrollsSideways, signIn, startBrowserTest } from './helper.ts';

const database = await createTestDatabase();
const browser = await startBrowserTest(database);
t.teardown(async () => {
  await browser.close();
  await database.close();
});
const { db } = database;

const [year, month, day] = londonDate(14).split('-');

t.test('a provider adds a venue, an offer and a weekly series, then publishes, edits, copies and cancels', async (t) => {
  const organisation = await createOrganisation(db, { name: `Riverside Museum ${Date.now()}` });
  const provider = await createUser(db, 'provider', { organisationId: organisation.id, name: 'Amira Haddad' });
  const { page, context } = await browser.newPage();
  const axe = async (where: string) => t.same(await accessibilityViolations(page), [], `no accessibility violations: ${where}`);

  await signIn(page, provider.email, PASSWORD);
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Your sessions' }).click();
  t.equal(await page.locator('h1').textContent(), 'Your sessions');
  await axe('empty dashboard');

  // A venue, with a postcode typed wrongly first.
  await page
    .getByRole('button', { name: 'Add a venue' })
    .or(page.getByRole('link', { name: 'Add a venue' }))
    .first()
    .click();
  await axe('venue form');
  await page.getByLabel('Name of the venue').fill('Main building');
  await page.getByLabel('Address line 1').fill('Broad Street');
  await page.getByLabel('Town or city').fill('Oxford');
  await page.getByLabel('Postcode').fill('OX1 3B');
  await page.getByLabel('Step-free access').check();
  await page.getByLabel('Accessible toilet').check();
  await page.getByLabel('Hearing loop').check();
  await page.getByLabel('Access notes (optional)').fill('The step-free entrance is on the side street.');
  await page.getByRole('button', { name: 'Add venue' }).click();
  t.match(await page.title(), /^Error: /);
  t.equal((await page.locator('#postcode-error').textContent())?.trim(), 'Error: Enter a real UK postcode, like OX1 3BG');
  await axe('venue form with an error');
  await page.getByLabel('Postcode').fill('ox1 3bg');
  await page.getByRole('button', { name: 'Add venue' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Venue saved/);
  t.match(await page.locator('main').textContent(), /OX1 3BG/);

  // An offer.
  await page
    .getByRole('button', { name: 'Add an offer' })
    .or(page.getByRole('link', { name: 'Add an offer' }))
    .first()
    .click();
  await axe('offer form');
  await page.getByLabel('Name of the activity').fill('Object handling and conversation');
  await page.getByLabel('Kind of activity').selectOption({ label: 'Heritage and museums' });
  await page.getByLabel('Description').fill('Handle objects from the collection and talk about them over tea.');
  await page.getByLabel('Who it suits (optional)').fill('Adults who are isolated');
  await page.getByLabel('Every week').check();
  await page.getByLabel('Thursday').check();
  await page.getByLabel('Usual start time (optional)').fill('2pm');
  await page.getByLabel('Usual end time (optional)').fill('3:30pm');
  await page.getByLabel('Free', { exact: true }).check();
  await page.getByLabel('How to refer someone').fill('Email the learning team');
  await page.getByRole('button', { name: 'Add offer' }).click();
  t.equal(await page.locator('h1').textContent(), 'Object handling and conversation');
  t.match(await page.locator('main').textContent(), /Every Thursday, 2pm to 3:30pm/);
  await axe('offer page');

  // A weekly series of three.
  await page
    .getByRole('button', { name: 'Add a taster session' })
    .or(page.getByRole('link', { name: 'Add a taster session' }))
    .first()
    .click();
  await axe('session form');
  const date = page.getByRole('group', { name: 'Date', exact: true });
  await date.getByLabel('Day').fill(String(Number(day)));
  await date.getByLabel('Month').fill(String(Number(month)));
  await date.getByLabel('Year').fill(year!);
  await page.getByLabel('Start time').fill('14:00');
  await page.getByLabel('End time').fill('15:30');
  await page.getByLabel('Repeat weekly for how many weeks').fill('3');
  await page.getByLabel('At a venue', { exact: true }).check();
  await page.getByLabel('Venue (if at a venue)').selectOption({ label: 'Main building' });
  await page.getByLabel('Number of places').fill('0');
  await page.getByRole('button', { name: 'Save as draft' }).click();
  t.equal((await page.locator('#capacity-error').textContent())?.trim(), 'Error: There must be at least 1 place');
  await axe('session form with an error');
  await page.getByLabel('Number of places').fill('12');
  await page.getByLabel('What to bring (optional)').fill('Wear comfortable shoes; tea provided.');
  await page.getByRole('button', { name: 'Save as draft' }).click();
  // A series shows its dates first, bank holidays ticked to skip; the provider checks them and saves.
  const dates = page.getByRole('group', { name: 'Check the dates of the series: tick any to skip' });
  t.equal(await dates.getByRole('checkbox').count(), 3, 'the three dates are listed');
  await axe('the dates of the series to check');
  await page.getByRole('button', { name: 'Save as draft' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Draft sessions saved, one a week/);
  t.match(await page.locator('main').textContent(), /2pm to 3:30pm/);
  await axe('draft session page');

  // Publish the first from the dashboard: htmx swaps the row, the live region says so.
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Your sessions' }).click();
  const rows = page.locator('tbody tr');
  t.equal(await rows.count(), 3, 'three sessions on the dashboard');
  const firstRow = rows.first();
  await firstRow.getByRole('button', { name: /^Publish / }).click();
  await firstRow.getByText('Published', { exact: true }).waitFor();
  t.equal(page.url().endsWith('/provider'), true, 'published without leaving the page');
  t.match(await page.locator('#dashboard-status').textContent(), /Published: Object handling and conversation/);
  await axe('dashboard after publishing with htmx');

  // Publish the rest of the series from a session page.
  await rows
    .nth(1)
    .getByRole('link', { name: /^Wednesday|^Monday|^Tuesday|^Thursday|^Friday|^Saturday|^Sunday/ })
    .click();
  await page.getByRole('button', { name: 'Publish all 2 drafts in this series' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Every draft in this series is published/);

  // Edit: more places.
  await page.getByRole('link', { name: 'Edit session' }).click();
  await axe('edit session form');
  await page.getByLabel('Number of places').fill('15');
  await page.getByRole('button', { name: 'Save changes' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Session saved/);
  t.match(await page.locator('#booking-panel').textContent(), /0 of 15 places booked/);

  // Copy to a new session a week later.
  await page.getByRole('link', { name: 'Copy to a new session' }).click();
  t.equal(await page.locator('h1').textContent(), 'Copy a taster session');
  t.equal(await page.getByLabel('Number of places').inputValue(), '15', 'the copy is prefilled');
  await page.getByRole('button', { name: 'Save as draft' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Draft session saved/);

  // Cancel a published one, with a reason.
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Your sessions' }).click();
  t.equal(await rows.count(), 4, 'the copy is on the dashboard');
  await rows
    .first()
    .getByRole('link', { name: /^Cancel / })
    .click();
  await axe('cancel form');
  await page.getByRole('button', { name: 'Yes, cancel the session' }).click();
  t.equal((await page.locator('#reason-error').textContent())?.trim(), 'Error: Enter why the session is cancelled');
  await page.getByLabel('Why is it cancelled?').fill('The facilitator is unwell');
  await page.getByRole('button', { name: 'Yes, cancel the session' }).click();
  t.match(await page.locator('main').textContent(), /This session is cancelled[\s\S]*The facilitator is unwell/);
  await axe('cancelled session page');

  const statuses = await db
    .selectFrom('tasterSessions')
    .innerJoin('offers', 'offers.id', 'tasterSessions.offerId')
    .select(['tasterSessions.status', 'tasterSessions.capacity'])
    .where('offers.organisationId', '=', organisation.id)
    .orderBy('tasterSessions.startsAt')
    .execute();
  t.same(statuses.map((s) => s.status).sort(), ['cancelled', 'draft', 'published', 'published']);
  await context.close();
});

t.test('on a phone the pages fit and pass axe; without JavaScript publishing is a plain form post', async (t) => {
  const organisation = await createOrganisation(db, { name: `Botanic Garden ${Date.now()}` });
  const provider = await createUser(db, 'provider', { organisationId: organisation.id });
  const offer = await createOffer(db, organisation.id, { title: 'Therapeutic gardening' });
  const draft = await createSession(db, offer.id, { venueId: (await createVenue(db, organisation.id)).id, status: 'draft' });

  const phone = await browser.newPage({ phone: true });
  await signIn(phone.page, provider.email, PASSWORD);
  for (const url of [
    '/provider',
    `/sessions/${draft.id}`,
    `/sessions/${draft.id}/edit`,
    `/offers/${offer.id}`,
    '/venues/new',
    '/offers/new',
    '/organisation',
  ]) {
    await phone.page.goto(url);
    t.notOk(await scrollsSideways(phone.page), `${url} fits 320px`);
    t.same(await accessibilityViolations(phone.page), [], `${url}: no accessibility violations on a phone`);
  }
  await phone.context.close();

  const { page, context } = await browser.newPage({ phone: true, javaScript: false });
  await signIn(page, provider.email, PASSWORD);
  await page.goto('/provider');
  await page.getByRole('button', { name: /^Publish / }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Session published/, 'a plain form post and a redirect');
  t.equal((await db.selectFrom('tasterSessions').select('status').where('id', '=', draft.id).executeTakeFirstOrThrow()).status, 'published');
  await context.close();
});

t.test('a coordinator adds an organisation and invites its staff', async (t) => {
  const coordinator = await createUser(db, 'coordinator');
  const { page, context } = await browser.newPage();
  const axe = async (where: string) => t.same(await accessibilityViolations(page), [], `no accessibility violations: ${where}`);
  await signIn(page, coordinator.email, PASSWORD);
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Organisations' }).click();
  t.equal(await page.locator('h1').textContent(), 'Organisations');
  await axe('organisations list');
  await page
    .getByRole('button', { name: 'Add an organisation' })
    .or(page.getByRole('link', { name: 'Add an organisation' }))
    .first()
    .click();
  await axe('new organisation form');
  await page.getByRole('button', { name: 'Add organisation' }).click();
  t.match(await page.title(), /^Error: /);
  await axe('organisation form with errors');
  const name = `Central Library ${Date.now()}`;
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Kind of organisation').selectOption({ label: 'Library' });
  await page.getByLabel('Description').fill('The town centre library.');
  await page.getByLabel('Public contact email (optional)').fill('events@central-library.example.org');
  t.ok(await page.getByLabel('Publish our offers in the open-data directory feed').isChecked(), 'open data is on by default');
  await page.getByRole('button', { name: 'Add organisation' }).click();
  t.equal(await page.locator('h1').textContent(), name);
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /Organisation added/);
  await axe('organisation page');

  await page
    .getByRole('button', { name: /^Invite staff/ })
    .or(page.getByRole('link', { name: /^Invite staff/ }))
    .first()
    .click();
  t.ok(await page.getByLabel('Provider staff', { exact: true }).isChecked(), 'provider role chosen');
  t.equal(await page.getByLabel('Organisation (for provider staff)').locator('option:checked').textContent(), name, 'the organisation chosen');
  await axe('invite page');
  await page.getByLabel('Email address').fill('librarian@central-library.example.org');
  await page.getByRole('button', { name: 'Create invitation' }).click();
  t.match((await page.locator('#invitation-link').textContent())!, /\/invitations\//);
  await axe('invitation created');

  await page.goto('/organisations');
  await page.getByRole('link', { name }).click();
  t.match(await page.locator('main').textContent(), /librarian@central-library.example.org/, 'the invitation is listed with the organisation');
  await context.close();
});
