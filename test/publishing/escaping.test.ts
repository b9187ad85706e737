import t, { type Test } from 'tap';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase } from '../helper.ts';
import { dateFields, londonDate, sessionIdFrom, validOffer, validVenue } from './helpers.ts';

// Script and markup typed into every text field of the publishing forms is shown as text on every
// page that shows it: never as a tag, an attribute or an htmx instruction.

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const attacks = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', '<div hx-get="/x" hx-trigger="load">'];
const hostile = (label: string) => `${label} ${attacks.join(' ')}`;
const raw = [/<script>alert/, /<img src=x onerror/, /<div hx-get="\/x"/];

function assertEscaped(t: Test, body: string, where: string) {
  for (const pattern of raw) t.notMatch(body, pattern, `${where}: no raw ${pattern}`);
  t.match(body, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/, `${where}: the script is shown as text`);
}

t.test('every text field of organisation, venue, offer, session and cancellation is escaped everywhere', async (t) => {
  const { visitor: coordinator } = await signedIn(app, db, 'coordinator');
  const createdOrganisation = await coordinator.post('/organisations/new', {
    name: hostile('Org'),
    kind: 'museum',
    description: hostile('Description'),
  });
  t.equal(createdOrganisation.statusCode, 303);
  const organisationId = /\/organisations\/([0-9a-f-]{36})/.exec(String(createdOrganisation.headers.location))![1]!;
  const { visitor: provider } = await signedIn(app, db, 'provider', { organisationId: organisationId });

  t.equal(
    (
      await provider.post('/venues/new', {
        ...validVenue,
        name: hostile('Venue'),
        addressLine1: hostile('Line 1'),
        addressLine2: hostile('Line 2'),
        town: hostile('Town'),
        accessNotes: hostile('Access'),
        travelNotes: hostile('Travel'),
      })
    ).statusCode,
    303,
  );
  const venue = await db.selectFrom('venues').select('id').where('organisationId', '=', organisationId).executeTakeFirstOrThrow();

  const offerResponse = await provider.post('/offers/new', {
    ...validOffer,
    title: hostile('Title'),
    description: hostile('Offer description'),
    suits: hostile('Suits'),
    scheduleNote: hostile('Schedule'),
    cost: 'charged',
    costNote: hostile('Cost'),
    howToRefer: hostile('Refer'),
    category: 'volunteering',
    volunteeringRequirements: hostile('Requirements'),
    usualVenueId: venue.id,
  });
  t.equal(offerResponse.statusCode, 303);
  const offerId = /\/offers\/([0-9a-f-]{36})/.exec(String(offerResponse.headers.location))![1]!;

  const sessionResponse = await provider.post(`/offers/${offerId}/sessions/new`, {
    ...dateFields(londonDate(10)),
    startTime: '14:00',
    endTime: '15:00',
    where: 'venue',
    venueId: venue.id,
    capacity: '10',
    whatToBring: hostile('Bring'),
    accessNotes: hostile('Session access'),
    facilitatorNote: hostile('Facilitator'),
  });
  t.equal(sessionResponse.statusCode, 303);
  const sessionId = sessionIdFrom(sessionResponse.headers.location);
  const onlineResponse = await provider.post(`/offers/${offerId}/sessions/new`, {
    ...dateFields(londonDate(11)),
    startTime: '14:00',
    endTime: '15:00',
    where: 'online',
    joiningInstructions: hostile('Joining'),
    capacity: '10',
  });
  const onlineId = sessionIdFrom(onlineResponse.headers.location);
  await provider.post(`/sessions/${sessionId}/publish`);
  await provider.post(`/sessions/${onlineId}/publish`);

  const providerPages = [
    '/provider',
    '/organisation',
    '/organisation/edit',
    `/venues/${venue.id}/edit`,
    `/offers/${offerId}`,
    `/offers/${offerId}/edit`,
    `/offers/${offerId}/sessions/new?copy=${sessionId}`,
    `/sessions/${sessionId}`,
    `/sessions/${onlineId}`,
    `/sessions/${sessionId}/edit`,
    `/sessions/${onlineId}/edit`,
    `/sessions/${sessionId}/cancel`,
  ];
  for (const url of providerPages) {
    const page = await provider.get(url);
    t.equal(page.statusCode, 200, `GET ${url}`);
    assertEscaped(t, page.body, url);
  }
  for (const url of ['/organisations', `/organisations/${organisationId}`, `/organisations/${organisationId}/edit`]) {
    const page = await coordinator.get(url);
    assertEscaped(t, page.body, url);
  }

  // The text of each field reaches the page (so the test would notice if it stopped being shown).
  const sessionPage = (await provider.get(`/sessions/${sessionId}`)).body;
  for (const label of [
    'Org',
    'Line 1',
    'Town',
    'Access',
    'Travel',
    'Title',
    'Offer description',
    'Suits',
    'Schedule',
    'Cost',
    'Refer',
    'Requirements',
    'Bring',
    'Session access',
    'Facilitator',
  ]) {
    t.match(sessionPage, new RegExp(`${label} &lt;script&gt;`), `${label} is on the session page, escaped`);
  }
  t.match((await provider.get(`/sessions/${onlineId}`)).body, /Joining &lt;script&gt;/);
  t.match((await provider.get(`/organisation`)).body, /Description &lt;script&gt;/);
  t.match((await provider.get(`/venues/${venue.id}/edit`)).body, /Line 2 &lt;script&gt;/);

  const htmx = await provider.post(`/sessions/${sessionId}/publish`, {}, { headers: { 'hx-request': 'true' } });
  assertEscaped(t, htmx.body, 'htmx publish fragment');

  const cancelled = await provider.post(`/sessions/${sessionId}/cancel`, { reason: hostile('Reason') });
  t.equal(cancelled.statusCode, 303);
  const { visitor: linkWorker } = await signedIn(app, db, 'link_worker');
  const seen = await linkWorker.get(`/sessions/${sessionId}`);
  assertEscaped(t, seen.body, 'cancelled session seen by a link worker');
  t.match(seen.body, /Reason &lt;script&gt;/);

  // Form errors re-render what was typed, escaped too.
  const invalid = await provider.post('/venues/new', { ...validVenue, name: hostile('Typed'), postcode: 'nope' });
  t.equal(invalid.statusCode, 400);
  assertEscaped(t, invalid.body, 'venue form with an error');
});
