import t from 'tap';
import { createOffer, createOrganisation, createSession, createVenue } from '../fixtures/builders.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, Visitor } from '../helper.ts';
import { sessionFields, validOffer, validVenue } from './helpers.ts';

// Staff of organisation A try every route on organisation B's venue, offer and sessions by id.
// Every answer is 403 or 404, and B's rows and audit trail are exactly as they were.

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const a = await createOrganisation(db, { name: `Organisation A ${Date.now()}` });
const b = await createOrganisation(db, { name: `Organisation B ${Date.now()}` });
const { visitor: staffOfA, user: userOfA } = await signedIn(app, db, 'provider', { organisationId: a.id });
const venueOfA = await createVenue(db, a.id);
const offerOfA = await createOffer(db, a.id);
const venueOfB = await createVenue(db, b.id);
const offerOfB = await createOffer(db, b.id, { usualVenueId: venueOfB.id });
const draftOfB = await createSession(db, offerOfB.id, { venueId: venueOfB.id, status: 'draft' });
const publishedOfB = await createSession(db, offerOfB.id, { venueId: venueOfB.id, status: 'published' });
const seriesOfB = await createSession(db, offerOfB.id, { venueId: venueOfB.id, status: 'draft', seriesId: crypto.randomUUID() });

async function snapshotOfB() {
  const [organisation, venues, offers, sessions, audits] = await Promise.all([
    db.selectFrom('organisations').selectAll().where('id', '=', b.id).execute(),
    db.selectFrom('venues').selectAll().where('organisationId', '=', b.id).orderBy('id').execute(),
    db.selectFrom('offers').selectAll().where('organisationId', '=', b.id).orderBy('id').execute(),
    db.selectFrom('tasterSessions').selectAll().where('offerId', '=', offerOfB.id).orderBy('id').execute(),
    db.selectFrom('auditEvents').select(['action', 'subjectId']).where('actorId', '=', userOfA.id).execute(),
  ]);
  return JSON.stringify({ organisation, venues, offers, sessions, audits });
}

t.test("every page and action on another organisation's rows answers 403 or 404 and changes nothing", async (t) => {
  const before = await snapshotOfB();
  const gets = [
    `/organisations/${b.id}`,
    `/organisations/${b.id}/edit`,
    `/venues/${venueOfB.id}/edit`,
    `/venues/new?organisationId=${b.id}`,
    `/offers/${offerOfB.id}`,
    `/offers/${offerOfB.id}/edit`,
    `/offers/${offerOfB.id}/sessions/new`,
    `/offers/${offerOfB.id}/sessions/new?copy=${publishedOfB.id}`,
    `/offers/${offerOfA.id}/sessions/new?copy=${publishedOfB.id}`,
    `/sessions/${draftOfB.id}`,
    `/sessions/${publishedOfB.id}`,
    `/sessions/${publishedOfB.id}/edit`,
    `/sessions/${draftOfB.id}/edit`,
    `/sessions/${publishedOfB.id}/cancel`,
    `/sessions/${draftOfB.id}/delete`,
  ];
  for (const url of gets) {
    const response = await staffOfA.get(url);
    if (url.startsWith('/venues/new')) {
      // Provider staff always add to their own organisation; the query is ignored.
      t.equal(response.statusCode, 200, `GET ${url} shows their own organisation's form`);
      t.notMatch(response.body, new RegExp(b.id), 'and nothing of B');
      continue;
    }
    t.ok([403, 404].includes(response.statusCode), `GET ${url}: ${response.statusCode}`);
    t.notMatch(response.body, new RegExp(offerOfB.title), `GET ${url} shows nothing of B`);
  }

  const posts: Array<[string, Record<string, string>]> = [
    [`/organisations/${b.id}/edit`, { name: 'Taken over', kind: 'museum' }],
    [`/venues/${venueOfB.id}/edit`, { ...validVenue, name: 'Taken over' }],
    [`/venues/${venueOfB.id}/archive`, {}],
    [`/venues/${venueOfB.id}/restore`, {}],
    [`/offers/${offerOfB.id}/edit`, { ...validOffer, title: 'Taken over' }],
    [`/offers/${offerOfB.id}/archive`, {}],
    [`/offers/${offerOfB.id}/restore`, {}],
    [`/offers/${offerOfB.id}/sessions/new`, sessionFields(venueOfB.id)],
    [`/sessions/${draftOfB.id}/edit`, sessionFields(venueOfB.id, { capacity: '99' })],
    [`/sessions/${publishedOfB.id}/edit`, sessionFields(venueOfB.id, { capacity: '99' })],
    [`/sessions/${draftOfB.id}/publish`, {}],
    [`/sessions/${seriesOfB.id}/publish-series`, {}],
    [`/sessions/${publishedOfB.id}/cancel`, { reason: 'Taken over' }],
    [`/sessions/${draftOfB.id}/delete`, {}],
  ];
  for (const [url, form] of posts) {
    const response = await staffOfA.post(url, form);
    t.ok([403, 404].includes(response.statusCode), `POST ${url}: ${response.statusCode}`);
  }
  // The htmx version of publishing gets the same answer, not a fragment of B's row.
  const fragment = await staffOfA.post(`/sessions/${draftOfB.id}/publish`, {}, { headers: { 'hx-request': 'true' } });
  t.equal(fragment.statusCode, 404, 'htmx publish: 404');
  t.notMatch(fragment.body, /session-row-/);

  t.equal(await snapshotOfB(), before, "B's organisation, venues, offers, sessions unchanged; no audit entry by A");
});

t.test('ids of another organisation hidden in forms are ignored or refused', async (t) => {
  const venues = await staffOfA.post('/venues/new', { ...validVenue, name: `Smuggled ${Date.now()}`, organisationId: b.id });
  t.equal(venues.statusCode, 303);
  const venue = await db.selectFrom('venues').select('organisationId').where('name', 'like', 'Smuggled%').executeTakeFirstOrThrow();
  t.equal(venue.organisationId, a.id, "a venue always goes to the person's own organisation");

  const offers = await staffOfA.post('/offers/new', { ...validOffer, title: `Smuggled offer ${Date.now()}`, organisationId: b.id });
  t.equal(offers.statusCode, 303);
  const offer = await db.selectFrom('offers').select('organisationId').where('title', 'like', 'Smuggled offer%').executeTakeFirstOrThrow();
  t.equal(offer.organisationId, a.id);

  const before = await snapshotOfB();
  const usualVenue = await staffOfA.post('/offers/new', { ...validOffer, usualVenueId: venueOfB.id });
  t.equal(usualVenue.statusCode, 400, "another organisation's venue cannot be an offer's usual venue");
  t.match(usualVenue.body, /Select one of your venues, or none/);
  const sessionVenue = await staffOfA.post(`/offers/${offerOfA.id}/sessions/new`, sessionFields(venueOfB.id));
  t.equal(sessionVenue.statusCode, 400, "nor a session's venue");
  t.match(sessionVenue.body, /Select one of your venues/);
  const mine = await createSession(db, offerOfA.id, { venueId: venueOfA.id, status: 'draft' });
  const moved = await staffOfA.post(`/sessions/${mine.id}/edit`, sessionFields(venueOfB.id));
  t.equal(moved.statusCode, 400, 'nor can a session be moved there');
  t.equal((await db.selectFrom('tasterSessions').select('venueId').where('id', '=', mine.id).executeTakeFirstOrThrow()).venueId, venueOfA.id);
  t.equal(await snapshotOfB(), before);
});

t.test('link workers see published and cancelled sessions only, and change nothing', async (t) => {
  const { visitor } = await signedIn(app, db, 'link_worker');
  const cancelledOfB = await createSession(db, offerOfB.id, { venueId: venueOfB.id, status: 'cancelled', cancellationReason: 'Room flooded' });
  t.equal((await visitor.get(`/sessions/${publishedOfB.id}`)).statusCode, 200);
  const cancelled = await visitor.get(`/sessions/${cancelledOfB.id}`);
  t.equal(cancelled.statusCode, 200);
  t.match(cancelled.body, /Room flooded/, 'the reason is shown to everyone');
  t.equal((await visitor.get(`/sessions/${draftOfB.id}`)).statusCode, 404, 'a draft is not found');
  const before = await snapshotOfB();
  for (const url of [
    `/sessions/${publishedOfB.id}/edit`,
    `/sessions/${publishedOfB.id}/cancel`,
    `/offers/${offerOfB.id}`,
    `/venues/${venueOfB.id}/edit`,
    '/venues/new',
    '/offers/new',
    '/provider',
  ]) {
    t.equal((await visitor.get(url)).statusCode, 403, `GET ${url}`);
  }
  for (const url of [
    `/sessions/${draftOfB.id}/publish`,
    `/sessions/${publishedOfB.id}/cancel`,
    `/sessions/${draftOfB.id}/delete`,
    `/offers/${offerOfB.id}/archive`,
  ]) {
    t.equal((await visitor.post(url, { reason: 'x' })).statusCode, 403, `POST ${url}`);
  }
  t.equal(await snapshotOfB(), before);
});

t.test('coordinators manage any organisation', async (t) => {
  const { visitor } = await signedIn(app, db, 'coordinator');
  t.equal((await visitor.get(`/sessions/${draftOfB.id}`)).statusCode, 200, 'a draft is visible to coordinators');
  t.equal((await visitor.get(`/offers/${offerOfB.id}/edit`)).statusCode, 200);
  t.equal((await visitor.get(`/venues/new?organisationId=${b.id}`)).statusCode, 200);
  const venue = await visitor.post('/venues/new', { ...validVenue, name: `Coordinator venue ${Date.now()}`, organisationId: b.id });
  t.equal(venue.statusCode, 303);
  t.equal(venue.headers.location, `/organisations/${b.id}?done=venue`);
  t.equal((await visitor.get('/venues/new')).statusCode, 404, 'a coordinator must say which organisation');
  const published = await visitor.post(`/sessions/${draftOfB.id}/publish`);
  t.equal(published.statusCode, 303);
  t.equal((await db.selectFrom('tasterSessions').select('status').where('id', '=', draftOfB.id).executeTakeFirstOrThrow()).status, 'published');
});

t.test('signed-out visitors are sent to sign in', async (t) => {
  const stranger = new Visitor(app);
  for (const url of [`/sessions/${publishedOfB.id}`, '/provider', '/organisations', `/offers/${offerOfB.id}`]) {
    const response = await stranger.get(url);
    t.equal(response.statusCode, 302, `GET ${url}`);
    t.match(String(response.headers.location), /^\/sign-in\?returnTo=/);
  }
});
