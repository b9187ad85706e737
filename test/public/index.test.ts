import t from 'tap';
import { createOffer, createOrganisation, createSession, createVenue } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { buildTestApp, createTestDatabase, decodeHtml, errorSummary, fieldError, heading } from '../helper.ts';
import { offerDetails, organisationDetails, venueDetails } from '../openreferral/fixtures.ts';

// The public index (/activities): every published offer, by type of activity and town, a plain
// GET form that htmx refreshes (the results alone, from the same partial).
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const museum = await createOrganisation(db, { ...organisationDetails(), name: 'Riverside Museum' });
const garden = await createOrganisation(db, { ...organisationDetails(), name: 'Botanic Garden', kind: 'garden' });
const quiet = await createOrganisation(db, { ...organisationDetails(), name: 'Quiet Gallery', publishesOpenData: false });
const hall = await createVenue(db, museum.id, { ...venueDetails(), name: 'Great Hall', town: 'Oxford' });
const glasshouse = await createVenue(db, garden.id, { ...venueDetails(), name: 'Glasshouse', town: 'Abingdon', stepFree: false });
const annexe = await createVenue(db, museum.id, { ...venueDetails(), name: 'Annexe', town: ' banbury ' });
await createOffer(db, museum.id, { ...offerDetails(), title: 'Object handling', usualVenueId: hall.id });
await createOffer(db, garden.id, { ...offerDetails(), title: 'Growing together', category: 'gardening_nature', usualVenueId: glasshouse.id });
// Runs in Banbury only through an upcoming taster there.
const sketching = await createOffer(db, museum.id, { ...offerDetails(), title: 'Sketching the river', category: 'arts_crafts', usualVenueId: hall.id });
await createSession(db, sketching.id, { venueId: annexe.id, startsAt: at(4, 10) });
await createOffer(db, museum.id, { ...offerDetails(), title: 'Retired printmaking', status: 'archived', usualVenueId: hall.id });
await createOffer(db, quiet.id, { ...offerDetails(), title: 'Quiet sketching' });

const titles = (html: string) => [...html.matchAll(/<h3 class="nhsuk-heading-s[^"]*"><a href="\/activities\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);

t.test('everything published, in title order, with a form that works without JavaScript', async (t) => {
  const app = await buildTestApp(t, database);
  const page = await app.inject('/activities');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Activities you can be referred to');
  t.match(page.body, '<meta name="description" content="Arts, culture, nature and community activities near you');
  t.same(titles(page.body), ['Growing together', 'Object handling', 'Sketching the river']);
  t.match(page.body, '<form action="/activities" method="get"');
  t.match(page.body, 'data-hx-get="/activities"');
  t.match(page.body, '3 activities found');
  for (const town of ['Abingdon', 'banbury', 'Oxford']) t.match(page.body, `<option value="${town}">${town}</option>`, `${town} is a choice`);
  t.notMatch(page.body, 'Quiet sketching');
  t.notMatch(page.body, 'Retired printmaking');
  t.notOk(page.headers['set-cookie']);
  t.equal(page.headers['cache-control'], 'public, max-age=300');
});

t.test('by type of activity and by town, shareable, and as a fragment for htmx', async (t) => {
  const app = await buildTestApp(t, database);
  t.same(titles((await app.inject('/activities?category=gardening_nature')).body), ['Growing together']);
  t.same(titles((await app.inject('/activities?town=oxford')).body), ['Object handling', 'Sketching the river']);
  t.same(titles((await app.inject('/activities?town=Banbury')).body), ['Sketching the river'], 'a town where an upcoming taster runs');
  t.same(titles((await app.inject('/activities?town=Oxford&category=arts_crafts')).body), ['Sketching the river']);
  const none = await app.inject('/activities?town=Abingdon&category=arts_crafts');
  t.equal(none.statusCode, 200);
  t.match(none.body, 'No activities match these filters.');

  const fragment = await app.inject({ url: '/activities?town=Oxford', headers: { 'hx-request': 'true' } });
  t.equal(fragment.statusCode, 200);
  t.notMatch(fragment.body, '<html', 'the results alone');
  t.same(titles(fragment.body), ['Object handling', 'Sketching the river']);
  t.match(fragment.body, '<hx-partial data-hx-target="#activity-status" data-hx-swap="innerHTML">2 activities found</hx-partial>', 'announced');
});

t.test('filters that are not in the list get a message beside the field', async (t) => {
  const app = await buildTestApp(t, database);
  const cases: Array<[query: string, field: string, message: string]> = [
    ['category=knitting', 'category', 'Select a type of activity from the list'],
    ['town=Atlantis', 'town', 'Select a town from the list'],
    [`town=${'x'.repeat(100)}`, 'town', 'Select a town from the list'],
    ['town=Oxford%00', 'town', 'Town must not contain hidden characters'],
  ];
  for (const [query, field, message] of cases) {
    const page = await app.inject(`/activities?${query}`);
    t.equal(page.statusCode, 400, query.slice(0, 40));
    t.match(decodeHtml(fieldError(page.body, field) ?? ''), message);
    t.match(errorSummary(page.body)[0], `${field}: `);
    t.match(page.body, '<title>Error: Activities you can be referred to – Tasters</title>');
    t.same(titles(page.body), [], 'no results until it is corrected');
  }
  t.equal((await app.inject('/activities?page=banana')).statusCode, 200, 'a broken page number starts at the first page');
});

t.test('more than a page: previous and next links keep the filters', async (t) => {
  const app = await buildTestApp(t, database);
  const many = await createOrganisation(db, { ...organisationDetails(), name: 'Many Things Trust' });
  const barn = await createVenue(db, many.id, { ...venueDetails(), name: 'Barn', town: 'Witney' });
  for (let i = 0; i < 21; i++)
    await createOffer(db, many.id, { ...offerDetails(), title: `Witney activity ${String(i).padStart(2, '0')}`, usualVenueId: barn.id });
  const first = await app.inject('/activities?town=Witney');
  t.equal(titles(first.body).length, 20);
  t.match(first.body, 'href="/activities?town=Witney&amp;page=2"');
  const second = await app.inject('/activities?town=Witney&page=2');
  t.same(titles(second.body), ['Witney activity 20']);
  t.match(second.body, 'href="/activities?town=Witney"', 'back to the first page');
});
