import t from 'tap';
import { sql } from 'kysely';
import { DEMO_PASSWORD, seedDemoData } from '../../src/demo/seed.ts';
import { londonParts } from '../../src/lib/london-time.ts';
import { buildTestApp, createTestDatabase, Visitor } from '../helper.ts';

t.test('the demo programme: organisations, offers and sessions either side of today', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.close());
  const { db } = database;
  t.equal(await seedDemoData(db), true);
  const now = new Date();

  const organisations = await db.selectFrom('organisations').select(['id', 'name', 'kind']).execute();
  t.ok(organisations.length >= 8, `${organisations.length} organisations`);
  t.ok(new Set(organisations.map((o) => o.kind)).size >= 6, 'across the kinds');
  const offers = await db.selectFrom('offers').select(['id', 'title', 'organisationId']).execute();
  t.ok(offers.length >= 15, `${offers.length} offers`);

  const perOrganisation = await db
    .selectFrom('tasterSessions')
    .innerJoin('offers', 'offers.id', 'tasterSessions.offerId')
    .select(['offers.organisationId', sql<number>`count(*) filter (where starts_at > ${now} and taster_sessions.status = 'published')::int`.as('upcoming'), sql<number>`count(*) filter (where starts_at < ${now})::int`.as('past')])
    .groupBy('offers.organisationId')
    .execute();
  for (const organisation of organisations) {
    const counts = perOrganisation.find((p) => p.organisationId === organisation.id);
    t.ok(counts && counts.upcoming > 0, `${organisation.name} has published upcoming sessions`);
    t.ok(counts && counts.past > 0, `${organisation.name} has past sessions`);
  }

  const handling = offers.find((o) => o.title === 'Object handling and conversation')!;
  const series = await db.selectFrom('tasterSessions').selectAll().where('offerId', '=', handling.id).orderBy('startsAt').execute();
  t.ok(series.length >= 12, 'a weekly series over twelve weeks');
  t.same([...new Set(series.map((s) => londonParts(s.startsAt).time))], ['14:00'], 'always 2pm London time');
  t.ok(series.some((s) => s.startsAt > now && s.status === 'published'));
  t.ok(series[0]!.startsAt < new Date(now.getTime() - 35 * 86_400_000), 'starting about six weeks ago');
  t.ok(series.at(-1)!.startsAt > new Date(now.getTime() + 35 * 86_400_000), 'ending about six weeks ahead');

  // The demo provider sees the museum's dashboard.
  const app = await buildTestApp(t, database);
  const visitor = new Visitor(app);
  await visitor.signIn('amira@riverside-museum.example.org', DEMO_PASSWORD);
  const dashboard = await visitor.get('/provider');
  t.equal(dashboard.statusCode, 200);
  t.match(dashboard.body, /Object handling and conversation/);
  t.equal(await seedDemoData(db), false, 'seeding twice does nothing');
});
