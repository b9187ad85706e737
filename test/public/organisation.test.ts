import { randomUUID } from 'node:crypto';
import t from 'tap';
import { createBooking, createFeedback, createOffer, createOrganisation, createSession, createUser, createVenue, PASSWORD } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';
import { offerDetails, organisationDetails, venueDetails } from '../openreferral/fixtures.ts';

// An organisation's public page (/providers/:id) and the version its own website may frame
// (/providers/:id/embed): its active offers, never a person, a booking or feedback.
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const museum = await createOrganisation(db, {
  ...organisationDetails(),
  name: 'Riverside Museum',
  description: 'Objects and stories of the river.',
  contactEmail: 'hello@riverside.example.org.uk',
  contactPhone: '01865 111111',
  embedWebsites: ['https://www.riverside.example.org.uk', 'https://friends.riverside.example.org.uk'],
});
const quiet = await createOrganisation(db, {
  ...organisationDetails(),
  name: 'Quiet Gallery',
  publishesOpenData: false,
  embedWebsites: ['https://quiet.example.org'],
});
const hall = await createVenue(db, museum.id, { ...venueDetails(), name: 'Great Hall', town: 'Abingdon' });
const handling = await createOffer(db, museum.id, { ...offerDetails(), title: 'Object handling', usualVenueId: hall.id });
const walks = await createOffer(db, museum.id, { ...offerDetails(), title: 'River walks', usualVenueId: hall.id, isFree: true });
await createOffer(db, museum.id, { ...offerDetails(), title: 'Retired printmaking', status: 'archived' });
await createOffer(db, quiet.id, { ...offerDetails(), title: 'Quiet sketching' });
const staff = await createUser(db, 'provider', { organisationId: museum.id, name: 'Fenella Facilitator' });
const linkWorker = await createUser(db, 'link_worker', { name: 'Bertie Booker' });
const session = await createSession(db, handling.id, { venueId: hall.id, startsAt: at(-3, 14), createdBy: staff.id });
const booking = await createBooking(db, session.id, linkWorker.id, { attendance: 'attended' });
await createFeedback(db, booking.id, { comments: 'Loved the secret fossils' });

t.test('anyone reads an organisation’s activities, with a line for professionals, and nothing about people', async (t) => {
  const app = await buildTestApp(t, database);
  const page = await app.inject(`/providers/${museum.id}`);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Riverside Museum');
  t.match(page.body, '<title>Activities at Riverside Museum – Tasters</title>');
  t.match(page.body, '<meta name="description" content="Riverside Museum: Objects and stories of the river.">');
  t.match(page.body, `<link rel="canonical" href="http://localhost:3000/providers/${museum.id}">`);
  t.match(page.body, `href="/activities/${handling.id}"`);
  t.match(page.body, `href="/activities/${walks.id}"`);
  t.match(page.body, 'Abingdon', 'where each runs');
  t.match(page.body, 'Link workers can try these activities first — <a href="/sign-in">sign in to book a taster</a>');
  t.match(page.body, 'href="mailto:hello@riverside.example.org.uk"');
  for (const secret of [
    'Retired printmaking',
    'Quiet sketching',
    'Fenella',
    staff.email,
    'Bertie',
    linkWorker.email,
    'secret fossils',
    'places left',
    'Sign out',
  ]) {
    t.notMatch(page.body, secret, `does not show ${secret}`);
  }
  t.notOk(page.headers['set-cookie'], 'sets no cookie');
  t.equal(page.headers['cache-control'], 'public, max-age=300');
  t.match(page.headers['content-security-policy'], "frame-ancestors 'none'", 'the page itself cannot be framed');
  t.equal(page.headers['x-frame-options'], 'SAMEORIGIN');

  // Someone signed in gets the same public page: their session is neither read nor renewed.
  const visitor = new Visitor(app);
  await visitor.signIn(linkWorker.email, PASSWORD);
  const signedIn = await visitor.get(`/providers/${museum.id}`);
  t.equal(signedIn.statusCode, 200);
  t.notOk(signedIn.headers['set-cookie']);
  t.notMatch(signedIn.body, 'Bertie');
  t.equal(signedIn.headers['cache-control'], 'public, max-age=300');
});

t.test('an organisation that has not agreed to publish has no public pages; the setting shows at once', async (t) => {
  const app = await buildTestApp(t, database);
  for (const path of [
    `/providers/${quiet.id}`,
    `/providers/${quiet.id}/embed`,
    `/providers/${randomUUID()}`,
    '/providers/not-an-id',
    '/providers/not-an-id/embed',
  ]) {
    const page = await app.inject(path);
    t.equal(page.statusCode, 404, path);
    t.equal(heading(page.body), 'Page not found');
    t.notMatch(page.body, 'Quiet sketching');
    t.not(page.headers['cache-control'], 'public, max-age=300', `${path}: a refusal is not cached as a page`);
  }
  await db.updateTable('organisations').set({ publishesOpenData: false }).where('id', '=', museum.id).execute();
  t.equal((await app.inject(`/providers/${museum.id}`)).statusCode, 404);
  t.equal((await app.inject(`/providers/${museum.id}/embed`)).statusCode, 404);
  t.equal((await app.inject(`/activities/${handling.id}`)).statusCode, 404);
  await db.updateTable('organisations').set({ publishesOpenData: true }).where('id', '=', museum.id).execute();
  t.equal((await app.inject(`/providers/${museum.id}`)).statusCode, 200);

  // An offer archived leaves the organisation's page at once.
  await db.updateTable('offers').set({ status: 'archived' }).where('id', '=', walks.id).execute();
  t.notMatch((await app.inject(`/providers/${museum.id}`)).body, 'River walks');
  t.equal((await app.inject(`/activities/${walks.id}`)).statusCode, 404);
  await db.updateTable('offers').set({ status: 'active' }).where('id', '=', walks.id).execute();
  t.match((await app.inject(`/providers/${museum.id}`)).body, 'River walks');
});

t.test('the embed address may be framed only by the organisation’s own websites', async (t) => {
  const app = await buildTestApp(t, database);
  const embed = await app.inject(`/providers/${museum.id}/embed`);
  t.equal(embed.statusCode, 200);
  t.match(embed.body, `href="/activities/${handling.id}" target="_blank"`, 'its links open outside the frame');
  t.notMatch(embed.body, 'nhsuk-header', 'no header or footer of the service');
  const policy = String(embed.headers['content-security-policy']);
  t.match(policy, /(^|;)frame-ancestors https:\/\/www\.riverside\.example\.org\.uk https:\/\/friends\.riverside\.example\.org\.uk(;|$)/);
  const usual = String((await app.inject(`/providers/${museum.id}`)).headers['content-security-policy']);
  t.equal(policy.replace(/frame-ancestors [^;]*/, ''), usual.replace(/frame-ancestors [^;]*/, ''), 'the rest of the policy is unchanged');
  t.notOk(embed.headers['x-frame-options'], 'X-Frame-Options cannot name a site, so it goes');
  t.notOk(embed.headers['set-cookie']);

  // With no websites listed, nobody may frame it.
  await db.updateTable('organisations').set({ embedWebsites: [] }).where('id', '=', museum.id).execute();
  const closed = await app.inject(`/providers/${museum.id}/embed`);
  t.match(String(closed.headers['content-security-policy']), /(^|;)frame-ancestors 'none'(;|$)/);
  await db
    .updateTable('organisations')
    .set({ embedWebsites: ['https://www.riverside.example.org.uk'] })
    .where('id', '=', museum.id)
    .execute();
  const changed = await app.inject(`/providers/${museum.id}/embed`);
  t.match(String(changed.headers['content-security-policy']), /(^|;)frame-ancestors https:\/\/www\.riverside\.example\.org\.uk(;|$)/, 'a change shows at once');

  // Every other page keeps framing refused, the public ones included.
  for (const path of [`/providers/${museum.id}`, `/activities/${handling.id}`, '/activities', '/sign-in', '/']) {
    const page = await app.inject(path);
    t.match(String(page.headers['content-security-policy']), /(^|;)frame-ancestors 'none'(;|$)/, `${path}: frame-ancestors 'none'`);
    t.equal(page.headers['x-frame-options'], 'SAMEORIGIN', `${path}: X-Frame-Options as before`);
  }
});

t.test('provider staff find their public page, its embed code and the link to copy on their organisation page', async (t) => {
  const app = await buildTestApp(t, database);
  const visitor = new Visitor(app);
  await visitor.signIn(staff.email, PASSWORD);
  const page = await visitor.get('/organisation');
  t.equal(page.statusCode, 200);
  t.match(page.body, `http://localhost:3000/providers/${museum.id}`, 'the public page’s address');
  t.match(page.body, `&lt;iframe src=&quot;http://localhost:3000/providers/${museum.id}/embed&quot;`, 'the code for their website');
  t.match(page.body, 'https://www.riverside.example.org.uk', 'and which websites may show it');

  await db.updateTable('organisations').set({ publishesOpenData: false }).where('id', '=', museum.id).execute();
  const off = await visitor.get('/organisation');
  t.notMatch(off.body, `/providers/${museum.id}`, 'no public page to point at');
  t.match(off.body, 'Your offers have no public pages');
  await db.updateTable('organisations').set({ publishesOpenData: true }).where('id', '=', museum.id).execute();
});
