import { sql } from 'kysely';
import t from 'tap';
import { FIND_QUERY } from '../../bench/load.ts';
import {
  BENCH_SCALE,
  benchDatabaseUrl,
  benchScale,
  countSeeded,
  linkWorkerIds,
  NATIONAL_SCALE,
  refusalMessage,
  type Scale,
  seedBenchData,
} from '../../bench/seed.ts';
import { findSessions } from '../../src/find/queries.ts';
import { findQuery } from '../../src/find/schemas.ts';
import { parseForm } from '../../src/lib/forms.ts';
import { idParams } from '../../src/web/params.ts';
import { createTestDatabase } from '../helper.ts';

t.test('npm run bench refuses to run without PostgreSQL, and says how to give it one', async (t) => {
  t.throws(() => benchDatabaseUrl({}), { message: refusalMessage() });
  t.throws(() => benchDatabaseUrl({ BENCH_DATABASE_URL: 'memory://' }), { message: refusalMessage() });
  t.match(refusalMessage(), /BENCH_DATABASE_URL=postgres:\/\/.*npm run bench/);
  t.equal(benchDatabaseUrl({ TEST_DATABASE_URL: 'postgres://a@h/test' }), 'postgres://a@h/test');
  t.equal(benchDatabaseUrl({ BENCH_DATABASE_URL: 'postgresql://a@h/bench', TEST_DATABASE_URL: 'postgres://a@h/test' }), 'postgresql://a@h/bench');
});

t.test('BENCH_SIZE picks the issue’s minimum or QUALITY.md’s national scale ×10, and refuses anything else', async (t) => {
  t.equal(benchScale({}).scale, BENCH_SCALE);
  t.equal(benchScale({ BENCH_SIZE: 'national' }).scale, NATIONAL_SCALE);
  t.same(
    [benchScale({}).resultsFile, benchScale({ BENCH_SIZE: 'national' }).resultsFile],
    ['results.md', 'results-national.md'],
    'each size keeps its own results',
  );
  t.throws(() => benchScale({ BENCH_SIZE: 'huge' }), { message: 'BENCH_SIZE must be "default" or "national", not "huge"' });
  const national = NATIONAL_SCALE;
  const sessionsAYear = (national.offers * national.sessionsPerOffer * 365) / (national.historyDays + national.futureDays);
  t.ok(sessionsAYear >= 480_000, `${Math.round(sessionsAYear)} sessions a year`);
  const bookingsAYear = (sessionsAYear * (national.bookingRequests! - 1)) / 2;
  t.ok(bookingsAYear >= 1_300_000, `about ${Math.round(bookingsAYear)} booking requests a year`);
  t.ok(national.linkWorkers >= 36_000 && national.organisations >= 8_000 && national.pcns! >= 12_500);
});

// The seed itself, at a small scale, on whichever database this run uses.
const scale: Scale = { organisations: 20, venuesPerOrganisation: 2, linkWorkers: 50, offers: 40, sessionsPerOffer: 12, historyDays: 365, futureDays: 180 };
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const counts = await seedBenchData(db, scale);

t.test('the seed writes the volume it is asked for', async (t) => {
  t.match(counts, { organisations: 20, venues: 40, linkWorkers: 50, offers: 40, sessions: 480 });
  t.ok(counts.bookings > 480 * 5, `about nine booking requests a session (${counts.bookings})`);
  t.same(await countSeeded(db), counts);
  t.equal(
    (await db.selectFrom('offerSearchDocuments').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n,
    40,
    'every offer can be searched',
  );
});

t.test('seeded bookings keep the booking rules: never over capacity, a waiting list only when full, one live booking a person', async (t) => {
  const broken = await sql<{ id: string }>`
    select s.id from taster_sessions s join bookings b on b.taster_session_id = s.id
    group by s.id, s.capacity
    having count(*) filter (where b.status = 'confirmed') > s.capacity
        or (count(*) filter (where b.status = 'waitlisted') > 0 and count(*) filter (where b.status = 'confirmed') < s.capacity)`.execute(db);
  t.same(broken.rows, []);
  const doubled = await sql<{ n: number }>`
    select count(*)::int as n from (select 1 from bookings where status <> 'cancelled' group by taster_session_id, user_id having count(*) > 1) d`.execute(db);
  t.equal(doubled.rows[0]!.n, 0);
  const future = await sql<{ n: number }>`select count(*)::int as n from bookings where requested_at > now()`.execute(db);
  t.equal(future.rows[0]!.n, 0, 'nobody booked in the future, so new bookings join the end of a waiting list');
  const statuses = await sql<{ status: string }>`select distinct status from bookings order by status`.execute(db);
  t.same(
    statuses.rows.map((r) => r.status),
    ['cancelled', 'confirmed', 'waitlisted'],
  );
});

t.test('the data varies the way the filters need: times of day, step-free, online, past and future, every category and kind', async (t) => {
  const variety = (
    await sql<Record<string, number>>`
      select
        count(*) filter (where extract(hour from starts_at at time zone 'Europe/London') < 12)::int as morning,
        count(*) filter (where extract(hour from starts_at at time zone 'Europe/London') between 12 and 16)::int as afternoon,
        count(*) filter (where extract(hour from starts_at at time zone 'Europe/London') >= 17)::int as evening,
        count(*) filter (where is_online)::int as online,
        count(*) filter (where starts_at < now())::int as past,
        count(*) filter (where starts_at > now() and status = 'published')::int as upcoming,
        count(*) filter (where status = 'draft')::int as drafts,
        count(*) filter (where status = 'cancelled')::int as cancelled,
        count(distinct extract(isodow from starts_at at time zone 'Europe/London'))::int as weekdays
      from taster_sessions`.execute(db)
  ).rows[0]!;
  for (const [name, value] of Object.entries(variety)) t.ok(value > 0, `${name}: ${value}`);
  t.equal(variety.weekdays, 7);
  const venues = (
    await sql<{ stepFree: number; not: number; towns: number }>`
    select count(*) filter (where step_free)::int as "stepFree", count(*) filter (where not step_free)::int as not, count(distinct town)::int as towns from venues`.execute(
      db,
    )
  ).rows[0]!;
  t.ok(venues.stepFree > 0 && venues.not > 0 && venues.towns > 1, JSON.stringify(venues));
  const offers = (await sql<{ categories: number }>`select count(distinct category)::int as categories from offers`.execute(db)).rows[0]!;
  t.equal(offers.categories, 10);
  const kinds = (await sql<{ kinds: number }>`select count(distinct kind)::int as kinds from organisations`.execute(db)).rows[0]!;
  t.equal(kinds.kinds, 8);
});

t.test('seeded ids are ones the app accepts, and the benchmark’s find query finds sessions', async (t) => {
  const [first] = await linkWorkerIds(db, 0, 1);
  const user = await db.selectFrom('users').select(['role', 'email']).where('id', '=', first!).executeTakeFirstOrThrow();
  t.same(user, { role: 'link_worker', email: 'link.worker.0@nhs.net' });
  const session = await db.selectFrom('tasterSessions').select('id').executeTakeFirstOrThrow();
  t.ok(idParams.safeParse({ id: session.id }).success, 'a session id passes the routes’ uuid check');

  const parsed = parseForm(findQuery, Object.fromEntries(new URLSearchParams(FIND_QUERY)));
  t.ok(parsed.ok);
  if (!parsed.ok) return;
  const { rows, total } = await findSessions(db, parsed.value, first!);
  t.ok(total > 0, `${total} matches`);
  for (const row of rows) t.ok(row.venueName === null ? row.isOnline : row.stepFree, 'step-free or online');
});

t.test('a number of booking requests that would give every session none is refused', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.close());
  await t.rejects(seedBenchData(database.db, { ...scale, bookingRequests: 14 }), { message: 'bookingRequests must not be a multiple of 7' });
});
