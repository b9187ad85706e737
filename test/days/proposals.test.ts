import t from 'tap';
import { londonParts } from '../../src/lib/london-time.ts';
import { createOrganisation, createUser, createVenue } from '../fixtures/builders.ts';
import { HOSTILE, HOSTILE_MARKUP } from '../fixtures/hostile.ts';
import { at } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading } from '../helper.ts';

/**
 * Provider staff propose a taster day for their organisation; a coordinator approves and publishes
 * it, or returns it with a reason the proposer sees; nothing proposed is public or open before.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const museum = await createOrganisation(db, { name: 'Riverside Museum' });
const hall = await createVenue(db, museum.id, { name: 'Learning Centre' });
const other = await createOrganisation(db, { name: 'Other Gallery' });
const otherVenue = await createVenue(db, other.id, { name: 'Elsewhere' });
const curator = await signedIn(app, db, await createUser(db, 'provider', { organisationId: museum.id }));
const outsider = await signedIn(app, db, await createUser(db, 'provider', { organisationId: other.id }));
const coordinator = await signedIn(app, db, 'coordinator');
const linkWorker = await signedIn(app, db, 'link_worker');

const dayDate = londonParts(at(30, 12));
const closes = londonParts(at(20, 12));
const valid = {
  title: 'Museum objects and wellbeing day',
  description: 'Morning: welcome and findings. Afternoon: handling, drawing and a garden walk.',
  venueId: hall.id,
  dateDay: dayDate.day,
  dateMonth: dayDate.month,
  dateYear: dayDate.year,
  startTime: '9:30am',
  endTime: '16:30',
  closesDay: closes.day,
  closesMonth: closes.month,
  closesYear: closes.year,
  closesTime: '17:00',
  linkWorkerPlaces: '20',
  culturalPlaces: '10',
};

async function daysCount() {
  return (
    await db
      .selectFrom('tasterDays')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;
}

async function propose(): Promise<string> {
  const response = await curator.visitor.post('/days/proposals/new', valid);
  const id = /\/days\/proposals\/([0-9a-f-]{36})\?done=proposed$/.exec(String(response.headers.location))?.[1];
  if (!id) throw new Error(`not proposed: ${response.statusCode}`);
  return id;
}

t.test('provider staff propose a day for their organisation; nobody else can see it or register', async (t) => {
  const form = await curator.visitor.get('/days/proposals/new');
  t.equal(form.statusCode, 200);
  t.equal(heading(form.body), 'Propose a taster day');
  t.notMatch(form.body, /Elsewhere/, 'only their organisation’s venues are offered');
  // An organisation named in the form is ignored: the proposal is for the proposer's own.
  const response = await curator.visitor.post('/days/proposals/new', { ...valid, organisationId: other.id });
  t.equal(response.statusCode, 303);
  const id = /\/days\/proposals\/([0-9a-f-]{36})/.exec(String(response.headers.location))![1]!;
  const stored = await db.selectFrom('tasterDays').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.match(stored, { status: 'draft', organisationId: museum.id, createdBy: curator.user.id, approvedBy: null, approvedAt: null, publishedAt: null });
  const page = await curator.visitor.get(`/days/proposals/${id}?done=proposed`);
  t.match(page.body, /id="proposal-status">Waiting for approval/);

  for (const visitor of [linkWorker.visitor, curator.visitor, outsider.visitor]) {
    t.equal((await visitor.get(`/days/${id}`)).statusCode, 404, 'a proposal is not a page anyone but coordinators can open');
    t.notMatch((await visitor.get('/days')).body, /Museum objects and wellbeing day/);
  }
  const register = await linkWorker.visitor.post(`/days/${id}/register`, {});
  t.ok([403, 404].includes(register.statusCode), 'nobody can register for it');
  t.equal(
    await db
      .selectFrom('dayRegistrations')
      .select('id')
      .where('tasterDayId', '=', id)
      .execute()
      .then((r) => r.length),
    0,
  );
  t.equal((await outsider.visitor.get(`/days/proposals/${id}`)).statusCode, 404, 'another organisation’s proposal does not exist for them');
  t.notMatch((await outsider.visitor.get('/days/proposals')).body, /Museum objects and wellbeing day/);
  t.equal((await linkWorker.visitor.get('/days/proposals')).statusCode, 403);
});

t.test('missing, too long, malformed and hostile values: clear messages, nothing stored', async (t) => {
  const before = await daysCount();
  const cases: Array<[Record<string, string>, string]> = [
    [{ ...valid, title: '' }, 'title: Enter the title of the day'],
    [{ ...valid, title: 'x'.repeat(121) }, 'title: Title must be 120 characters or fewer'],
    [{ ...valid, linkWorkerPlaces: 'twenty' }, 'linkWorkerPlaces: Enter the places for link workers as a whole number, like 25'],
    [{ ...valid, venueId: otherVenue.id }, 'venueId: Select one of your organisation’s venues'],
    [{ ...valid, venueId: 'not-a-venue' }, 'venueId: Select the venue'],
  ];
  for (const [body, message] of cases) {
    const response = await curator.visitor.post('/days/proposals/new', body);
    t.equal(response.statusCode, 400, message);
    t.ok(errorSummary(response.body).includes(message), `${message} in ${JSON.stringify(errorSummary(response.body))}`);
  }
  const empty = await curator.visitor.post('/days/proposals/new', {});
  t.equal(empty.statusCode, 400);
  const badDate = await curator.visitor.post('/days/proposals/new', { ...valid, dateDay: '31', dateMonth: '2' });
  t.equal(badDate.statusCode, 400);
  const nul = await curator.visitor.post('/days/proposals/new', { ...valid, title: 'a\u0000b' });
  t.equal(nul.statusCode, 400);
  const kept = await curator.visitor.post('/days/proposals/new', { ...valid, title: '', description: HOSTILE });
  for (const markup of HOSTILE_MARKUP) t.notOk(kept.body.includes(markup), 'what they typed comes back as text');
  t.equal(await daysCount(), before, 'nothing stored');
});

t.test('a coordinator returns a proposal with a reason; the proposer changes it and sends it again', async (t) => {
  const id = await propose();
  const list = await coordinator.visitor.get('/days/proposals');
  t.match(list.body, new RegExp(`href="/days/${id}/proposal">Museum objects and wellbeing day`));
  const review = await coordinator.visitor.get(`/days/${id}/proposal`);
  t.equal(review.statusCode, 200);

  const missing = await coordinator.visitor.post(`/days/${id}/return`, { reason: '   ' });
  t.equal(missing.statusCode, 400);
  t.same(errorSummary(missing.body), ['reason: Enter why the proposal is being returned']);
  const tooLong = await coordinator.visitor.post(`/days/${id}/return`, { reason: 'x'.repeat(1001) });
  t.equal(tooLong.statusCode, 400);
  t.same(errorSummary(tooLong.body), ['reason: The reason must be 1,000 characters or fewer']);
  t.match(await db.selectFrom('dayProposals').selectAll().where('tasterDayId', '=', id).executeTakeFirstOrThrow(), { returnedAt: null, returnReason: null });

  const reason = `Please add a second taster slot ${HOSTILE}`;
  const returned = await coordinator.visitor.post(`/days/${id}/return`, { reason });
  t.equal(returned.statusCode, 303);
  const again = await coordinator.visitor.post(`/days/${id}/return`, { reason: 'Twice' });
  t.equal(again.statusCode, 400, 'a returned proposal cannot be returned again');
  t.same(errorSummary(again.body), ['reason: This proposal has already been returned']);

  const seen = await curator.visitor.get(`/days/${id}`.replace('/days/', '/days/proposals/'));
  t.match(seen.body, /id="proposal-status">Returned to you/);
  t.match(seen.body, /Please add a second taster slot/);
  for (const markup of HOSTILE_MARKUP) t.notOk(seen.body.includes(markup), 'the reason is shown as text');
  t.equal((await outsider.visitor.post(`/days/proposals/${id}`, valid)).statusCode, 404);

  const bad = await curator.visitor.post(`/days/proposals/${id}`, { ...valid, culturalPlaces: '-1' });
  t.equal(bad.statusCode, 400);
  const resent = await curator.visitor.post(`/days/proposals/${id}`, { ...valid, title: 'Museum day with two slots' });
  t.equal(resent.statusCode, 303);
  t.match(await db.selectFrom('tasterDays').selectAll().where('id', '=', id).executeTakeFirstOrThrow(), {
    title: 'Museum day with two slots',
    status: 'draft',
  });
  t.match((await curator.visitor.get(`/days/proposals/${id}`)).body, /id="proposal-status">Waiting for approval/);
  const resentTwice = await curator.visitor.post(`/days/proposals/${id}`, valid);
  t.equal(resentTwice.statusCode, 400, 'a proposal waiting for approval cannot be changed');
});

t.test('a coordinator approves it by publishing it: then it is public and open', async (t) => {
  const id = await propose();
  const item = await coordinator.visitor.post(`/days/${id}/items/new`, { kind: 'plenary', title: 'Welcome', startTime: '9:30', endTime: '10:30' });
  t.equal(item.statusCode, 303);
  const published = await coordinator.visitor.post(`/days/${id}/publish`, {});
  t.equal(published.statusCode, 303);
  const stored = await db.selectFrom('tasterDays').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.match(stored, { status: 'published', approvedBy: coordinator.user.id });
  t.ok(stored.approvedAt);
  t.match((await curator.visitor.get(`/days/proposals/${id}`)).body, /id="proposal-status">Approved and published/);
  t.equal((await linkWorker.visitor.get(`/days/${id}`)).statusCode, 200);
  const late = await coordinator.visitor.post(`/days/${id}/return`, { reason: 'Too late' });
  t.equal(late.statusCode, 400, 'a published day cannot be returned');
});

t.test('a proposal returned to its proposer cannot be published until it is sent again', async (t) => {
  const id = await propose();
  t.equal(
    (await coordinator.visitor.post(`/days/${id}/items/new`, { kind: 'plenary', title: 'Welcome', startTime: '9:30', endTime: '10:30' })).statusCode,
    303,
  );
  t.equal((await coordinator.visitor.post(`/days/${id}/return`, { reason: 'Please name the second room' })).statusCode, 303);

  const refused = await coordinator.visitor.post(`/days/${id}/publish`, {});
  t.equal(refused.statusCode, 400, 'refused, on the day page');
  t.same(errorSummary(refused.body), ['publish: This proposal was returned to its proposer: they must change it and send it again before it can be published']);
  t.match(await db.selectFrom('tasterDays').selectAll().where('id', '=', id).executeTakeFirstOrThrow(), {
    status: 'draft',
    approvedBy: null,
    publishedAt: null,
  });
  t.equal((await linkWorker.visitor.get(`/days/${id}`)).statusCode, 404, 'still not public');
  const page = (await coordinator.visitor.get(`/days/${id}`)).body;
  t.match(page, /This proposal was returned to its proposer. It can be published once they have changed it and sent it again./, 'the day page says why');
  t.notMatch(page, /Publish the day/, 'and offers no publish button');

  t.equal((await curator.visitor.post(`/days/proposals/${id}`, valid)).statusCode, 303, 'the proposer sends it again');
  t.equal((await coordinator.visitor.post(`/days/${id}/publish`, {})).statusCode, 303, 'then it can be published');
  t.match(await db.selectFrom('tasterDays').selectAll().where('id', '=', id).executeTakeFirstOrThrow(), {
    status: 'published',
    approvedBy: coordinator.user.id,
  });
});
