import { randomUUID } from 'node:crypto';
import t from 'tap';
import { createOffer, createOrganisation, createSession, createUser, createVenue, PASSWORD } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';
import { offerDetails, organisationDetails, venueDetails } from '../openreferral/fixtures.ts';

// An offer's public page (/activities/:id), where the feed's services point: readable without
// signing in, about the offer and never about a person, only for what the feed publishes.
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const museum = await createOrganisation(db, { ...organisationDetails(), name: 'Riverside Museum', description: 'Objects and stories of the river.' });
const quiet = await createOrganisation(db, { ...organisationDetails(), name: 'Quiet Gallery', publishesOpenData: false });
const hall = await createVenue(db, museum.id, { ...venueDetails(), name: 'Great Hall', addressLine1: '1 River Street', postcode: 'OX1 1AA', parking: false });
const annexe = await createVenue(db, museum.id, {
  ...venueDetails(),
  name: 'Annexe',
  stepFree: false,
  accessibleToilet: false,
  hearingLoop: false,
  seating: false,
  accessNotes: '',
  travelNotes: '',
});
const handling = await createOffer(db, museum.id, {
  ...offerDetails(),
  title: 'Object handling <b>club</b>',
  usualVenueId: hall.id,
  minAge: 18,
  isFree: false,
  costAmount: '2.50',
  costNote: 'tea included',
  howToRefer: 'Email the learning team with the person’s first name.',
  referralEmail: 'learning@riverside.example.org.uk',
  referralPhone: '01865 222222',
});
const facilitator = await createUser(db, 'provider', { organisationId: museum.id, name: 'Fenella Facilitator' });
const booker = await createUser(db, 'link_worker', { name: 'Bertie Booker' });
await createSession(db, handling.id, { venueId: hall.id, startsAt: at(3, 14), createdBy: facilitator.id, facilitatorNote: 'Fenella has the keys' });
await createSession(db, handling.id, { venueId: annexe.id, startsAt: at(10, 10) });
await createSession(db, handling.id, { isOnline: true, venueId: null, startsAt: at(12, 18) });
await createSession(db, handling.id, { venueId: hall.id, startsAt: at(-4, 14) });
await createSession(db, handling.id, { venueId: hall.id, startsAt: at(5, 9), status: 'draft' });
await createSession(db, handling.id, { venueId: hall.id, startsAt: at(6, 9), status: 'cancelled' });
const archived = await createOffer(db, museum.id, { ...offerDetails(), title: 'Retired printmaking', status: 'archived' });
const hidden = await createOffer(db, quiet.id, { ...offerDetails(), title: 'Quiet sketching' });

t.test('a signed-out visitor reads what the offer is, who runs it, where, when and how to join', async (t) => {
  const app = await buildTestApp(t, database);
  const page = await app.inject(`/activities/${handling.id}`);
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  t.equal(heading(page.body), 'Object handling &lt;b&gt;club&lt;/b&gt;', 'the title, shown as text');
  t.notMatch(page.body, '<b>club</b>');
  t.match(page.body, '<title>Object handling &lt;b&gt;club&lt;/b&gt; at Riverside Museum – Tasters</title>');
  for (const text of [
    'Riverside Museum',
    'Objects and stories of the river.',
    'Handle objects from the collection',
    '18 and over',
    '£2.50. tea included',
    'Every Thursday, 2pm to 3:30pm',
    'Great Hall',
    '1 River Street',
    'OX1 1AA',
    'Step-free access',
    'Hearing loop',
    'Step-free entrance on the side street.',
    'Buses 5 and 8 stop outside.',
    'Annexe',
    'No access features are recorded for this venue.',
    'Email the learning team',
    'href="mailto:learning@riverside.example.org.uk"',
    '01865 222222',
    'href="https://museum.example.org.uk/"',
  ]) {
    t.match(page.body, text, `shows ${text}`);
  }
  // The upcoming published tasters, in order: not the past, draft or cancelled ones.
  const rows = [...page.body.matchAll(/<tr class="nhsuk-table__row">\s*<td[^>]*>([^<]+)<\/td>\s*<td[^>]*>([^<]+)<\/td>\s*<td[^>]*>([^<]+)<\/td>/g)].map((m) => [
    m[2],
    m[3],
  ]);
  t.same(rows, [
    ['2pm to 4pm', 'Great Hall'],
    ['10am to 12pm', 'Annexe'],
    ['6pm to 8pm', 'Online'],
  ]);
  // Nothing about people: no staff, no link worker, no facilitator's note, no joining link.
  for (const secret of ['Fenella', facilitator.email, 'Bertie', booker.email, 'Fenella has the keys', 'example.org/join', 'places left']) {
    t.notMatch(page.body, secret, `does not show ${secret}`);
  }
  t.match(page.body, 'href="/sign-in"', 'the layout as for anyone signed out');
  t.notMatch(page.body, 'Sign out');
});

t.test('no session, no cookie, and it may be cached', async (t) => {
  const app = await buildTestApp(t, database);
  const page = await app.inject(`/activities/${handling.id}`);
  t.notOk(page.headers['set-cookie'], 'sets no cookie');
  t.equal(page.headers['cache-control'], 'public, max-age=300');
  t.match(page.headers['content-security-policy'], /script-src 'self'/, 'the security headers of every page');

  // Someone signed in sees the same public page: it never reads their session.
  const visitor = new Visitor(app);
  const user = await createUser(db, 'link_worker');
  await visitor.signIn(user.email, PASSWORD);
  const signedIn = await visitor.get(`/activities/${handling.id}`);
  t.equal(signedIn.statusCode, 200);
  t.notOk(signedIn.headers['set-cookie'], 'the session is neither read nor renewed');
  t.notMatch(signedIn.body, user.name, 'their name is not on it');
  t.equal(signedIn.headers['cache-control'], 'public, max-age=300');
});

t.test('only what the feed publishes: anything else is not found', async (t) => {
  const app = await buildTestApp(t, database);
  const cases: Array<[what: string, id: string]> = [
    ['an archived offer', archived.id],
    ['an offer of an organisation that does not publish open data', hidden.id],
    ['an unknown id', randomUUID()],
    ['not an id', 'not-an-id'],
  ];
  for (const [what, id] of cases) {
    const page = await app.inject(`/activities/${id}`);
    t.equal(page.statusCode, 404, what);
    t.equal(heading(page.body), 'Page not found', `${what}: the not-found page`);
    t.notMatch(page.body, /Retired printmaking|Quiet sketching/);
  }
  // The organisation's setting takes effect at once.
  await db.updateTable('organisations').set({ publishesOpenData: false }).where('id', '=', museum.id).execute();
  t.equal((await app.inject(`/activities/${handling.id}`)).statusCode, 404);
  await db.updateTable('organisations').set({ publishesOpenData: true }).where('id', '=', museum.id).execute();
  t.equal((await app.inject(`/activities/${handling.id}`)).statusCode, 200);
});

t.test('an offer with no venue and no dates says so', async (t) => {
  const app = await buildTestApp(t, database);
  const bare = await createOffer(db, museum.id, {
    ...offerDetails(),
    title: 'Letters home',
    usualVenueId: null,
    scheduleFrequency: null,
    scheduleDays: [],
    scheduleStartTime: null,
    scheduleEndTime: null,
    referralEmail: null,
  });
  const page = await app.inject(`/activities/${bare.id}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, 'No dates are published at the moment.');
  t.match(page.body, 'No venue is given.');
  t.match(page.body, 'No regular schedule given');
  t.notMatch(page.body, '<table');
});

t.test('the feed’s services point at it', async (t) => {
  const app = await buildTestApp(t, database);
  const service = (await app.inject(`/openreferral/services/${handling.id}`)).json() as { url: string };
  t.equal(service.url, `http://localhost:3000/activities/${handling.id}`);
  const page = await app.inject(new URL(service.url).pathname);
  t.equal(page.statusCode, 200, 'and it opens without signing in');
});
