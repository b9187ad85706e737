import { sql } from 'kysely';
import t from 'tap';
import { DEMO_PASSWORD, demoAccounts, seedDemoData } from '../../src/demo/seed.ts';
import { londonParts } from '../../src/lib/london-time.ts';
import { buildTestApp, createTestDatabase, Visitor } from '../helper.ts';

t.test('the demo programme: what the README promises, with tasters either side of today', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.close());
  const { db } = database;
  const now = new Date();
  t.equal(await seedDemoData(db, now), true);
  const today = londonParts(now).isoDate;

  const organisations = await db.selectFrom('organisations').select(['id', 'name', 'kind']).execute();
  t.equal(organisations.length, 8, 'eight organisations');
  t.ok(new Set(organisations.map((o) => o.kind)).size >= 6, 'across the kinds');
  const offers = await db.selectFrom('offers').select(['id', 'title', 'organisationId']).execute();
  t.equal(offers.length, 17, 'seventeen offers');
  const accounts = await db.selectFrom('users').select(['email', 'role']).where('passwordHash', 'is not', null).orderBy('email').execute();
  const listed = demoAccounts.map((a) => ({ email: a.email, role: a.role })).sort((a, b) => a.email.localeCompare(b.email));
  t.same(accounts, listed, 'only the README’s accounts can sign in');

  const perOrganisation = await db
    .selectFrom('tasterSessions')
    .innerJoin('offers', 'offers.id', 'tasterSessions.offerId')
    .select([
      'offers.organisationId',
      sql<number>`count(*) filter (where starts_at > ${now} and taster_sessions.status = 'published')::int`.as('upcoming'),
      sql<number>`count(*) filter (where starts_at < ${now})::int`.as('past'),
    ])
    .groupBy('offers.organisationId')
    .execute();
  for (const organisation of organisations) {
    const counts = perOrganisation.find((p) => p.organisationId === organisation.id);
    t.ok(counts && counts.upcoming > 0, `${organisation.name} has published upcoming sessions`);
    t.ok(counts && counts.past > 0, `${organisation.name} has past sessions`);
  }
  const span = await db
    .selectFrom('tasterSessions')
    .select([sql<Date>`min(starts_at)`.as('first'), sql<Date>`max(starts_at)`.as('last')])
    .executeTakeFirstOrThrow();
  const days = (d: Date) => (new Date(d).getTime() - now.getTime()) / 86_400_000;
  t.ok(days(span.first) < -180 && days(span.first) >= -216, 'from seven months ago');
  t.ok(days(span.last) > 30 && days(span.last) <= 43, 'to six weeks ahead');

  // The museum's flagship: a taster every six weeks at its usual time, and a special one today.
  const handling = offers.find((o) => o.title === 'Object handling and conversation')!;
  const series = await db.selectFrom('tasterSessions').selectAll().where('offerId', '=', handling.id).orderBy('startsAt').execute();
  const usual = series.filter((s) => londonParts(s.startsAt).isoDate !== today);
  t.same([...new Set(usual.map((s) => londonParts(s.startsAt).time))], ['14:00'], 'always 2pm London time');
  t.ok(
    usual.slice(1).every((s, i) => Math.round((s.startsAt.getTime() - usual[i]!.startsAt.getTime()) / 86_400_000) % 42 === 0),
    'every six weeks',
  );
  t.ok(
    usual.some((s) => s.startsAt > now && s.status === 'published'),
    'the next one is published',
  );
  t.equal(series.length - usual.length, 1, 'and one today');

  t.ok(await db.selectFrom('tasterSessions').select('id').where('status', '=', 'draft').executeTakeFirst(), 'a draft not yet published');
  t.ok(await db.selectFrom('tasterSessions').select('id').where('status', '=', 'cancelled').executeTakeFirst(), 'a cancelled session');

  // The demo provider sees the museum's dashboard.
  const app = await buildTestApp(t, database);
  const visitor = new Visitor(app);
  await visitor.signIn('amira@riverside-museum.example.org', DEMO_PASSWORD);
  const dashboard = await visitor.get('/provider');
  t.equal(dashboard.statusCode, 200);
  t.match(dashboard.body, /Object handling and conversation/);
  t.equal(await seedDemoData(db), false, 'seeding twice does nothing');
});
