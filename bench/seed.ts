import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { hashPassword } from '../src/accounts/passwords.ts';
import { type Db, openDatabase, type Queryable } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { organisationKinds } from '../src/db/tables/organisations.ts';
import { offerCategories } from '../src/db/tables/publishing.ts';

/** How much to seed. The defaults are the benchmark's; the seed test uses a small scale. */
export type Scale = {
  organisations: number;
  venuesPerOrganisation: number;
  linkWorkers: number;
  offers: number;
  sessionsPerOffer: number;
  /** Days of history before today, and days ahead after it, over which sessions are spread. */
  historyDays: number;
  futureDays: number;
  /** Booking requests a session gets range from 0 to one less than this (default 19: about nine a session). */
  bookingRequests?: number;
  /** Primary care networks the link workers belong to (default one for every four link workers). */
  pcns?: number;
};

export const BENCH_SCALE: Scale = {
  organisations: 600,
  venuesPerOrganisation: 2,
  linkWorkers: 5_000,
  offers: 2_000,
  sessionsPerOffer: 12,
  historyDays: 365,
  futureDays: 180,
};

/**
 * QUALITY.md's size: ten times England's social prescribing — about 36,000 link workers in 12,500
 * PCNs, 8,000 organisations, 480,000 sessions a year and 1.3 million bookings a year — over the
 * same eighteen months (a year of history, six months ahead). BENCH_SIZE=national.
 */
export const NATIONAL_SCALE: Scale = {
  organisations: 8_000,
  venuesPerOrganisation: 2,
  linkWorkers: 36_001,
  offers: 20_000,
  sessionsPerOffer: 36,
  historyDays: 365,
  futureDays: 180,
  bookingRequests: 8,
  pcns: 12_500,
};

/** The size BENCH_SIZE asks for: the minimum by default, or `national`. */
export function benchScale(environment: NodeJS.ProcessEnv = process.env): { name: string; scale: Scale; resultsFile: string } {
  const size = environment.BENCH_SIZE ?? 'default';
  if (size === 'national') return { name: 'national scale ×10, as QUALITY.md asks', scale: NATIONAL_SCALE, resultsFile: 'results-national.md' };
  if (size === 'default') return { name: 'the issue’s minimum volume', scale: BENCH_SCALE, resultsFile: 'results.md' };
  throw new Error(`BENCH_SIZE must be "default" or "national", not "${size}"`);
}

export const BENCH_PASSWORD = 'bench marks are not secrets';

/** Refuses to run without PostgreSQL, and says how to give it one. */
export function benchDatabaseUrl(environment: NodeJS.ProcessEnv = process.env): string {
  const url = environment.BENCH_DATABASE_URL || environment.TEST_DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) throw new Error(refusalMessage());
  return url;
}

export function refusalMessage(): string {
  return [
    'npm run bench needs PostgreSQL (PGlite cannot show how the app behaves under load).',
    'Set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a postgres:// URL of a database you can create schemas in, for example:',
    '  BENCH_DATABASE_URL=postgres://tasters:tasters@127.0.0.1/tasters_bench npm run bench',
    'The benchmark works in a fresh schema of its own and drops it at the end.',
  ].join('\n');
}

/** A fresh schema on the server, migrated; `drop` removes it and everything in it. */
export async function createBenchSchema(url: string, poolSize = 4) {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  await admin.close();
  const handle = await openDatabase({ databaseUrl: url, schema, poolSize });
  await migrateToLatest(handle.db, schema);
  return {
    schema,
    db: handle.db,
    close: () => handle.close(),
    drop: async () => {
      await handle.close().catch(() => {});
      const cleaner = await openDatabase({ databaseUrl: url, poolSize: 1 });
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(cleaner.db);
      await cleaner.close();
    },
  };
}

// Places with a real postcode district each, so the town and postcode filters find something.
const places: Array<[string, string]> = [
  ['Oxford', 'OX1'],
  ['Oxford', 'OX4'],
  ['Bristol', 'BS1'],
  ['Bristol', 'BS5'],
  ['Leeds', 'LS1'],
  ['Leeds', 'LS6'],
  ['Manchester', 'M1'],
  ['Manchester', 'M14'],
  ['Birmingham', 'B1'],
  ['Birmingham', 'B13'],
  ['Liverpool', 'L1'],
  ['Liverpool', 'L8'],
  ['Sheffield', 'S1'],
  ['Sheffield', 'S10'],
  ['Newcastle upon Tyne', 'NE1'],
  ['Nottingham', 'NG1'],
  ['Leicester', 'LE1'],
  ['Norwich', 'NR1'],
  ['Exeter', 'EX1'],
  ['Plymouth', 'PL1'],
  ['York', 'YO1'],
  ['Hull', 'HU1'],
  ['Brighton', 'BN1'],
  ['Southampton', 'SO14'],
  ['Reading', 'RG1'],
  ['Cambridge', 'CB1'],
  ['Ipswich', 'IP1'],
  ['Derby', 'DE1'],
  ['Stoke-on-Trent', 'ST1'],
  ['Coventry', 'CV1'],
  ['Bradford', 'BD1'],
  ['Sunderland', 'SR1'],
  ['Preston', 'PR1'],
  ['Lancaster', 'LA1'],
  ['Carlisle', 'CA1'],
  ['Lincoln', 'LN1'],
  ['Gloucester', 'GL1'],
  ['Bath', 'BA1'],
  ['Canterbury', 'CT1'],
  ['London', 'SE1'],
  ['London', 'N1'],
  ['London', 'E1'],
];
const towns = places.map(([town]) => town);
const districts = places.map(([, district]) => district);

const adjectives = [
  'Riverside',
  'Old Mill',
  'Northgate',
  'Victoria',
  'Meadow',
  'Castle',
  'Harbour',
  'Market Street',
  'Abbey',
  'Parkside',
  'Station Road',
  'St John’s',
  'Hillside',
  'Canal',
  'Orchard',
];
const kindNouns: Record<(typeof organisationKinds)[number], string> = {
  gallery: 'Gallery',
  library: 'Library',
  garden: 'Community Garden',
  museum: 'Museum',
  arts: 'Arts Centre',
  heritage: 'Heritage Trust',
  community: 'Community Centre',
  other: 'Wellbeing Hub',
};
// Three titles per category, in the order of offerCategories.
const titles = [
  'Gentle chair dance',
  'Tea dance taster',
  'Movement to music',
  'Community choir taster',
  'Singing for better breathing',
  'Drumming circle',
  'Pottery for beginners',
  'Knit and natter',
  'Collage and printmaking',
  'Watercolour taster',
  'Life drawing for beginners',
  'Sketching in the galleries',
  'Shared reading group',
  'Creative writing taster',
  'Poetry afternoon',
  'Museum object handling',
  'Behind the scenes tour',
  'Local history walk',
  'Community garden morning',
  'Nature walk and talk',
  'Growing herbs together',
  'Volunteer guide taster',
  'Library volunteering',
  'Conservation volunteering day',
  'Mindful looking',
  'Slow art session',
  'Relaxation in the garden',
  'Board games café',
  'Men in sheds',
  'Memory café',
];
const intros = [
  'A friendly, relaxed first try for adults who would like to meet people and learn something new.',
  'Come and see what we do, at your own pace, with a small group and a patient host.',
  'A calm session for people who are new to this, or coming back to it after a long time.',
  'Try it once, with no commitment: a warm welcome, and tea and biscuits afterwards.',
  'A sociable session led by an experienced practitioner, for complete beginners and the curious.',
];
const extras = [
  'No experience needed, and all materials are provided.',
  'Suitable for people living with dementia and their carers.',
  'Good for people who feel isolated, low or anxious.',
  'Quiet and calm, with time to talk.',
  'Outdoors whatever the weather, with shelter nearby.',
  'Seating is available throughout, and you can take a break at any time.',
  'You are welcome to bring a friend, family member or carer.',
];
const startTimes = ['09:30', '10:00', '11:00', '13:30', '14:00', '15:30', '18:00', '18:30', '19:00'];
const firstNames = [
  'Amira',
  'Ben',
  'Chloe',
  'Dev',
  'Eleanor',
  'Femi',
  'Grace',
  'Harry',
  'Imran',
  'Jo',
  'Kasia',
  'Liam',
  'Maya',
  'Nathan',
  'Olu',
  'Priya',
  'Rosie',
  'Sam',
  'Tom',
  'Zara',
];
const lastNames = [
  'Ahmed',
  'Brown',
  'Clarke',
  'Davies',
  'Evans',
  'Green',
  'Hughes',
  'Jones',
  'Khan',
  'Lewis',
  'Morris',
  'Patel',
  'Roberts',
  'Smith',
  'Taylor',
  'Walker',
  'Wilson',
  'Wright',
  'Young',
  'Zielinski',
];

/** The numbers that were seeded, counted back from the tables. */
export type SeedCounts = {
  organisations: number;
  venues: number;
  users: number;
  linkWorkers: number;
  offers: number;
  sessions: number;
  upcomingPublished: number;
  bookings: number;
};

// Bookings pick their people by stepping through the link workers with a prime stride, so one
// session never has the same person twice (the stride is coprime to any count not divisible by it).
const PERSON_STRIDE = 4729;
const MAX_BOOKINGS_PER_SESSION = 19;

/**
 * Seeds a realistic volume with set-based SQL (insert … select … from generate_series). Nobody
 * has a password: the benchmark gives one to the link worker it signs in (setPassword).
 */
export async function seedBenchData(db: Db, scale: Scale = BENCH_SCALE): Promise<SeedCounts> {
  // One transaction, free of the app's 15-second statement limit: the bookings insert is big.
  await db.transaction().execute(async (tx) => {
    await sql`set local statement_timeout = 0`.execute(tx);
    await insertRows(tx, scale);
  });
  // As autovacuum leaves a settled database: statistics, and the visibility map that lets find
  // answer from its index alone. On one connection, free of the app's statement limit.
  await db.connection().execute(async (connection) => {
    await sql`set statement_timeout = 0`.execute(connection);
    await sql`vacuum analyze organisations, venues, users, offers, offer_search_documents, taster_sessions, bookings`.execute(connection);
  });
  return countSeeded(db);
}

async function insertRows(db: Queryable, scale: Scale): Promise<void> {
  // Ids from a kind and a number (a valid version-4 layout, which the app's routes check), so rows
  // can name each other without lookups. Lives in the benchmark's schema, dropped with it.
  await sql`
    create function bench_uuid(kind text, n bigint) returns uuid language sql immutable as $$
      select overlay(overlay(md5(kind || '-' || n) placing '4' from 13) placing '8' from 17)::uuid
    $$`.execute(db);

  const requests = scale.bookingRequests ?? MAX_BOOKINGS_PER_SESSION;
  if (scale.linkWorkers < requests || scale.linkWorkers % PERSON_STRIDE === 0) {
    throw new Error(`linkWorkers must be at least ${requests} and not a multiple of ${PERSON_STRIDE}`);
  }
  // A session's request count is (s × 7) mod bookingRequests: a multiple of 7 would give every session none.
  if (requests % 7 === 0) throw new Error('bookingRequests must not be a multiple of 7');
  const orgs = scale.organisations;
  const venues = orgs * scale.venuesPerOrganisation;
  const span = scale.historyDays + scale.futureDays;
  const kinds = [...organisationKinds];
  const nouns = kinds.map((kind) => kindNouns[kind]);
  const categories = [...offerCategories];

  await sql`
    insert into organisations (id, name, kind, description, website, contact_email, created_at)
    select bench_uuid('org', i),
      (${adjectives}::text[])[1 + (i / ${towns.length}) % ${adjectives.length}] || ' ' || (${nouns}::text[])[1 + i % ${nouns.length}]
        || ', ' || (${towns}::text[])[1 + i % ${towns.length}]
        || case when i >= ${adjectives.length * towns.length} then ' ' || (1 + i / ${adjectives.length * towns.length}) else '' end,
      (${kinds}::text[])[1 + i % ${kinds.length}],
      'A ' || lower((${nouns}::text[])[1 + i % ${nouns.length}]) || ' welcoming people referred by social prescribing link workers.',
      'https://org' || i || '.example.org.uk',
      'hello@org' || i || '.example.org.uk',
      now() - interval '400 days'
    from generate_series(0, ${orgs - 1}) i`.execute(db);

  // An organisation's venues are in its own town; two in three have step-free access.
  await sql`
    insert into venues (id, organisation_id, name, address_line1, town, postcode, step_free, accessible_toilet, hearing_loop, seating, created_at)
    select bench_uuid('venue', v),
      bench_uuid('org', (v % ${orgs})),
      case when v < ${orgs} then 'Main building' else 'Garden room' end,
      (1 + v % 180) || ' ' || (${adjectives}::text[])[1 + v % ${adjectives.length}] || ' Road',
      (${towns}::text[])[1 + (v % ${orgs}) % ${towns.length}],
      (${districts}::text[])[1 + (v % ${orgs}) % ${districts.length}]
        || ' ' || (v % 9 + 1) || chr(65 + v % 23) || chr(65 + (v / 23) % 23),
      v % 3 <> 0, v % 4 <> 0, v % 5 = 0, true,
      now() - interval '400 days'
    from generate_series(0, ${venues - 1}) v`.execute(db);

  const pcns = scale.pcns ?? Math.max(1, Math.round(scale.linkWorkers / 4));
  await sql`
    insert into users (id, email, name, role, practice, pcn, status, created_at, last_signed_in_at)
    select bench_uuid('lw', i),
      'link.worker.' || i || '@nhs.net',
      (${firstNames}::text[])[1 + i % ${firstNames.length}] || ' ' || (${lastNames}::text[])[1 + (i / ${firstNames.length}) % ${lastNames.length}],
      'link_worker',
      (${adjectives}::text[])[1 + i % ${adjectives.length}] || ' Surgery',
      (${towns}::text[])[1 + i % ${towns.length}] || ' PCN ' || (i % ${pcns}),
      'active',
      now() - interval '400 days',
      now() - (i % 30) * interval '1 day'
    from generate_series(0, ${scale.linkWorkers - 1}) i`.execute(db);
  await sql`
    insert into users (id, email, name, role, organisation_id, status, created_at)
    select bench_uuid('provider', i), 'provider.' || i || '@org' || i || '.example.org.uk',
      (${firstNames}::text[])[1 + (i + 7) % ${firstNames.length}] || ' ' || (${lastNames}::text[])[1 + i % ${lastNames.length}],
      'provider', bench_uuid('org', i), 'active', now() - interval '400 days'
    from generate_series(0, ${orgs - 1}) i`.execute(db);
  await sql`
    insert into users (id, email, name, role, status, created_at)
    select bench_uuid('coordinator', i), 'coordinator.' || i || '@nhs.net', 'Coordinator ' || i, 'coordinator', 'active', now() - interval '400 days'
    from generate_series(0, 4) i`.execute(db);

  // Offers: ten categories, three titles each; one in twenty online; one in six charges.
  // The search documents are written by the offers trigger (migration 20261122_0201).
  await sql`
    insert into offers (id, organisation_id, title, category, description, suits, schedule_frequency, schedule_start_time,
      schedule_end_time, usual_venue_id, is_free, cost_amount, how_to_refer, referral_email, created_at)
    select bench_uuid('offer', o),
      bench_uuid('org', (o % ${orgs})),
      (${titles}::text[])[1 + (o % ${categories.length}) * 3 + (o / ${categories.length}) % 3],
      (${categories}::text[])[1 + o % ${categories.length}],
      (${intros}::text[])[1 + o % ${intros.length}] || ' ' || (${extras}::text[])[1 + (o / ${intros.length}) % ${extras.length}],
      'Adults of any age',
      'weekly',
      (${startTimes}::text[])[1 + o % ${startTimes.length}]::time,
      (${startTimes}::text[])[1 + o % ${startTimes.length}]::time + interval '90 minutes',
      case when o % 20 = 0 then null else bench_uuid('venue', ((o % ${orgs}) + ${orgs} * ((o / ${orgs}) % ${scale.venuesPerOrganisation}))) end,
      o % 6 <> 0,
      case when o % 6 = 0 then 5.00 else null end,
      'Book a place for your patient here, or email us to talk it through first.',
      'referrals@org' || (o % ${orgs}) || '.example.org.uk',
      now() - interval '400 days'
    from generate_series(0, ${scale.offers - 1}) o`.execute(db);

  // Sessions spread over the past year and the months ahead, at the offer's London time of day.
  await sql`
    insert into taster_sessions (id, offer_id, venue_id, is_online, joining_instructions, starts_at, ends_at, capacity,
      booking_closes_at, what_to_bring, status, cancellation_reason, published_at, cancelled_at, created_by, created_at)
    select bench_uuid('session', (o * ${scale.sessionsPerOffer} + j)),
      bench_uuid('offer', o),
      case when o % 20 = 0 then null else bench_uuid('venue', ((o % ${orgs}) + ${orgs} * ((o / ${orgs}) % ${scale.venuesPerOrganisation}))) end,
      o % 20 = 0,
      case when o % 20 = 0 then 'Join on the video link we email you the day before.' else null end,
      d.starts_at, d.starts_at + interval '90 minutes',
      6 + ((o * 7 + j) % 25),
      d.starts_at - interval '1 day',
      'Comfortable clothes',
      case when (o * ${scale.sessionsPerOffer} + j) % 41 = 0 and d.starts_at > now() then 'draft'
           when (o * ${scale.sessionsPerOffer} + j) % 29 = 0 then 'cancelled' else 'published' end,
      case when (o * ${scale.sessionsPerOffer} + j) % 29 = 0 and not ((o * ${scale.sessionsPerOffer} + j) % 41 = 0 and d.starts_at > now())
           then 'The session leader is unwell' else null end,
      case when (o * ${scale.sessionsPerOffer} + j) % 41 = 0 and d.starts_at > now() then null
           else least(d.starts_at - interval '30 days', now() - interval '1 day') end,
      case when (o * ${scale.sessionsPerOffer} + j) % 29 = 0 and not ((o * ${scale.sessionsPerOffer} + j) % 41 = 0 and d.starts_at > now())
           then least(d.starts_at - interval '2 days', now() - interval '1 hour') else null end,
      bench_uuid('provider', (o % ${orgs})),
      least(d.starts_at - interval '40 days', now() - interval '2 days')
    from generate_series(0, ${scale.offers - 1}) o
    cross join generate_series(0, ${scale.sessionsPerOffer - 1}) j
    cross join lateral (
      select ((current_date + (((o * 53 + j * 41) % ${span}) - ${scale.historyDays})::int)
              + (${startTimes}::text[])[1 + o % ${startTimes.length}]::time) at time zone 'Europe/London' as starts_at
    ) d`.execute(db);

  // Bookings: 0–18 requests a session (by default); every twelfth cancelled; beyond capacity, the waiting list
  // (in request order); past places marked attended or missed. Requests are all in the past.
  await sql`
    insert into bookings (taster_session_id, user_id, status, requested_at, waitlisted_at, confirmed_at, cancelled_at,
      attendance, attendance_recorded_at, confidence_before, updated_at)
    select t.id,
      bench_uuid('lw', ((s::bigint * 7919 + k * ${PERSON_STRIDE}) % ${scale.linkWorkers})),
      b.status,
      r.at,
      case when b.status = 'waitlisted' then r.at end,
      case when b.status <> 'waitlisted' then r.at end,
      case when b.status = 'cancelled' then r.at + interval '1 hour' end,
      case when b.status = 'confirmed' and t.starts_at < now() then (case when (s + k) % 7 = 0 then 'no_show' else 'attended' end) end,
      case when b.status = 'confirmed' and t.starts_at < now() then t.ends_at end,
      case when (s + k) % 3 = 0 then null else (s + k) % 11 end,
      r.at
    from generate_series(0, ${scale.offers * scale.sessionsPerOffer - 1}) s
    join taster_sessions t on t.id = bench_uuid('session', s) and t.status <> 'draft'
    cross join lateral generate_series(0, (s * 7) % ${requests} - 1) k
    cross join lateral (select least(t.starts_at - interval '20 days', now() - interval '1 day') + k * interval '7 minutes' as at) r
    cross join lateral (
      select case when k % 12 = 11 then 'cancelled' when k - k / 12 < t.capacity then 'confirmed' else 'waitlisted' end as status
    ) b`.execute(db);
}

export async function countSeeded(db: Db): Promise<SeedCounts> {
  const row = (
    await sql<SeedCounts>`
      select (select count(*)::int from organisations) as organisations,
        (select count(*)::int from venues) as venues,
        (select count(*)::int from users) as users,
        (select count(*)::int from users where role = 'link_worker') as "linkWorkers",
        (select count(*)::int from offers) as offers,
        (select count(*)::int from taster_sessions) as sessions,
        (select count(*)::int from taster_sessions where status = 'published' and starts_at > now()) as "upcomingPublished",
        (select count(*)::int from bookings) as bookings`.execute(db)
  ).rows[0];
  if (!row) throw new Error('Counting the seeded rows returned no row');
  return row;
}

/** The id of seeded link worker number `i` (as the seed computes it). */
export async function linkWorkerIds(db: Db, from: number, count: number): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    select bench_uuid('lw', i)::text as id from generate_series(${from}::int, ${from + count - 1}::int) i order by i`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** Gives one link worker a password, so the benchmark can sign in through the real form. */
export async function setPassword(db: Db, userId: string, password = BENCH_PASSWORD): Promise<string> {
  const passwordHash = await hashPassword(password);
  const row = await db.updateTable('users').set({ passwordHash }).where('id', '=', userId).returning('email').executeTakeFirstOrThrow();
  return row.email;
}
