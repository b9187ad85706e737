import t from 'tap';
import { createOffer, createOrganisation, createVenue } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase } from '../helper.ts';
import { offerDetails, organisationDetails, venueDetails } from '../openreferral/fixtures.ts';

// What search engines and directories read: a sitemap of the public pages, robots.txt naming it,
// and schema.org data on each offer's and organisation's page.
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const museum = await createOrganisation(db, {
  ...organisationDetails(),
  name: 'Riverside Museum',
  description: 'Objects </script><script>alert(1)</script> & stories',
  website: 'museum.example.org.uk',
});
const quiet = await createOrganisation(db, { ...organisationDetails(), name: 'Quiet Gallery', publishesOpenData: false });
const hall = await createVenue(db, museum.id, { ...venueDetails(), name: 'Great Hall', addressLine1: '1 River Street', town: 'Oxford', postcode: 'OX1 1AA' });
const handling = await createOffer(db, museum.id, {
  ...offerDetails(),
  title: 'Object handling </script><!--',
  usualVenueId: hall.id,
  isFree: false,
  costAmount: '2.50',
  referralPhone: '01865 222222',
});
const archived = await createOffer(db, museum.id, { ...offerDetails(), title: 'Retired printmaking', status: 'archived' });
const hidden = await createOffer(db, quiet.id, { ...offerDetails(), title: 'Quiet sketching' });

/** The page's JSON-LD block, parsed; it must be the only script element that is not our module. */
function structuredData(html: string): Record<string, unknown> {
  const blocks = [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)];
  if (blocks.length !== 1) throw new Error(`${blocks.length} JSON-LD blocks`);
  return JSON.parse(blocks[0]![1]!) as Record<string, unknown>;
}

t.test('the sitemap lists the index and every public page, and nothing else', async (t) => {
  const app = await buildTestApp(t, database);
  const sitemap = await app.inject('/sitemap.xml');
  t.equal(sitemap.statusCode, 200);
  t.match(sitemap.headers['content-type'], /^application\/xml/);
  t.equal(sitemap.headers['cache-control'], 'public, max-age=300');
  t.notOk(sitemap.headers['set-cookie']);
  t.match(sitemap.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
  const addresses = [...sitemap.body.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
  t.same(
    addresses.sort(),
    ['http://localhost:3000/activities', `http://localhost:3000/activities/${handling.id}`, `http://localhost:3000/providers/${museum.id}`].sort(),
  );
  t.match(sitemap.body, new RegExp(`<loc>http://localhost:3000/activities/${handling.id}</loc><lastmod>\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z</lastmod>`));
  for (const address of addresses) t.equal((await app.inject(new URL(address!).pathname)).statusCode, 200, `${address} opens`);
  for (const id of [archived.id, hidden.id, quiet.id]) t.notMatch(sitemap.body, id);

  const robots = await app.inject('/robots.txt');
  t.equal(robots.statusCode, 200);
  t.match(robots.headers['content-type'], /^text\/plain/);
  t.match(robots.body, 'Sitemap: http://localhost:3000/sitemap.xml');
});

t.test('an offer’s page describes it as a schema.org Service, with a title and description', async (t) => {
  const app = await buildTestApp(t, database);
  const page = await app.inject(`/activities/${handling.id}`);
  t.notMatch(page.body, '</script><!--', 'text in the data cannot end its block');
  t.match(
    page.body,
    '<meta name="description" content="Object handling &lt;/script&gt;&lt;!--: Handle objects from the collection and talk about them over tea.">',
  );
  t.match(page.body, `<link rel="canonical" href="http://localhost:3000/activities/${handling.id}">`);
  const data = structuredData(page.body);
  t.match(data, {
    '@context': 'https://schema.org',
    '@type': 'Service',
    url: `http://localhost:3000/activities/${handling.id}`,
    name: 'Object handling </script><!--',
    description: 'Handle objects from the collection and talk about them over tea.',
    serviceType: 'Heritage and museums',
    provider: {
      '@type': 'Organization',
      name: 'Riverside Museum',
      url: `http://localhost:3000/providers/${museum.id}`,
      sameAs: 'https://museum.example.org.uk/',
    },
    availableChannel: [
      {
        '@type': 'ServiceChannel',
        serviceLocation: {
          '@type': 'Place',
          name: 'Great Hall',
          address: { '@type': 'PostalAddress', streetAddress: '1 River Street', addressLocality: 'Oxford', postalCode: 'OX1 1AA', addressCountry: 'GB' },
          amenityFeature: [{ name: 'Step-free access', value: true }],
        },
      },
    ],
    offers: { '@type': 'Offer', price: 2.5, priceCurrency: 'GBP' },
    telephone: '01865 222222',
  });
});

t.test('an organisation’s page describes it as a schema.org Organization with its services', async (t) => {
  const app = await buildTestApp(t, database);
  const page = await app.inject(`/providers/${museum.id}`);
  t.notMatch(page.body, '<script>alert(1)</script>');
  const data = structuredData(page.body);
  t.match(data, {
    '@context': 'https://schema.org',
    '@type': 'Organization',
    url: `http://localhost:3000/providers/${museum.id}`,
    name: 'Riverside Museum',
    description: 'Objects </script><script>alert(1)</script> & stories',
    makesOffer: [
      { '@type': 'Offer', itemOffered: { '@type': 'Service', name: 'Object handling </script><!--', url: `http://localhost:3000/activities/${handling.id}` } },
    ],
  });
  t.equal((data.makesOffer as unknown[]).length, 1, 'only its published offers');
});
