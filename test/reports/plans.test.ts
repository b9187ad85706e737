import { CompiledQuery, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, sql } from 'kysely';
import t from 'tap';
import type { Db, Queryable } from '../../src/db/database.ts';
import { referralPrompts } from '../../src/referrals/prompts.ts';
import { exportRows } from '../../src/reports/export.ts';
import { exportKinds } from '../../src/reports/export-queries.ts';
import { reportQuery } from '../../src/reports/filters.ts';
import * as pq from '../../src/reports/provider-queries.ts';
import * as q from '../../src/reports/queries.ts';
import { analyzeTestSchema, createTestDatabase, testDatabaseKind } from '../helper.ts';

/**
 * Reports must stay flat as the data grows: each query reaches the big tables (sessions, bookings,
 * feedback, referral reports) through an index, never by reading them whole. Years of data are
 * generated, the planner is given fresh statistics, and every query a report or export runs is
 * explained; the plans are printed as test comments.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const big = testDatabaseKind === 'postgres';
const sessions = big ? 24_000 : 6_000; // four years of sessions
const perSession = 4;

// Generating years of data can take longer than the app's 15-second statement limit; tap's own
// time limit still stops a run that hangs.
await db.transaction().execute(async (tx) => {
  await sql`set local statement_timeout = 0`.execute(tx);
  await sql`
    insert into organisations (name, kind)
    select 'Organisation ' || g, (array['gallery','library','garden','museum','arts','heritage','community','other'])[1 + g % 8]
    from generate_series(1, 40) g`.execute(tx);
  await sql`
    insert into offers (organisation_id, title, category, description, how_to_refer)
    select o.id, 'Offer ' || o.name || ' ' || k,
      (array['dance_movement','singing_music','arts_crafts','drawing_painting','reading_writing','heritage_museums','gardening_nature','volunteering','wellbeing_mindfulness','other'])[1 + (row_number() over ()) % 10],
      'An activity', 'Email us'
    from organisations o cross join generate_series(1, 4) k`.execute(tx);
  await sql`
    insert into users (email, name, role, practice, pcn, status)
    select 'plan-' || g || '@nhs.net', 'Person ' || g, 'link_worker', 'Practice ' || (g % 100), 'PCN ' || (g % 40), 'active'
    from generate_series(1, 400) g`.execute(tx);
  await sql`
    with numbered as (select id, row_number() over (order by id) - 1 as n from offers)
    insert into taster_sessions (offer_id, is_online, joining_instructions, starts_at, ends_at, capacity, booking_closes_at, status, published_at)
    select numbered.id, true, 'Online', timestamptz '2023-01-01 10:00Z' + g * (interval '1461 days' / ${sessions}::int),
      timestamptz '2023-01-01 12:00Z' + g * (interval '1461 days' / ${sessions}::int), 8, timestamptz '2022-12-01 10:00Z', 'published', now()
    from generate_series(1, ${sessions}::int) g join numbered on numbered.n = g % 160`.execute(tx);
  await sql`
    with people as (select array_agg(id order by id) as ids from users where role = 'link_worker'),
    numbered as (select id, row_number() over (order by starts_at) as n from taster_sessions)
    insert into bookings (taster_session_id, user_id, status, confirmed_at, attendance, confidence_before)
    select s.id, people.ids[1 + ((s.n * 7 + k * 13) % 400)::int], 'confirmed', now(),
      case when (s.n + k) % 6 = 0 then 'no_show' else 'attended' end, (s.n + k) % 7
    from numbered s cross join generate_series(1, ${perSession}::int) k cross join people`.execute(tx);
  await sql`
    insert into feedback (booking_id, confidence_after, rating, accessible, appropriate, adequate, affordable, available, intends_to_refer, comments)
    select id, 7, 4, 4, 4, 3, 2, null, 'yes', case when random() < 0.3 then 'A comment' end
    from bookings where attendance = 'attended' and ascii(id::text) % 2 = 0`.execute(tx);
  await sql`
    insert into referral_reports (user_id, offer_id, month, referral_count)
    select distinct on (b.user_id, s.offer_id, date_trunc('month', s.starts_at)::date) b.user_id, s.offer_id, date_trunc('month', s.starts_at)::date, 2
    from bookings b join taster_sessions s on s.id = b.taster_session_id
    where b.attendance = 'attended' and ascii(b.id::text) % 3 = 0`.execute(tx);
});
await analyzeTestSchema(db);

/** Records each query a function runs (after the camel-case plugin has named things), to explain it. */
class Capture implements KyselyPlugin {
  queries: PluginTransformQueryArgs[] = [];
  transformQuery(args: PluginTransformQueryArgs) {
    this.queries.push(args);
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs) {
    return args.result;
  }
}

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] };

function scans(node: PlanNode, found: PlanNode[] = []): PlanNode[] {
  if (node['Relation Name']) found.push(node);
  for (const child of node.Plans ?? []) scans(child, found);
  return found;
}

const bigTables = new Set(['taster_sessions', 'bookings', 'feedback', 'referral_reports']);

/**
 * The plans of every query `run` makes: as the planner chooses on this data, and with sequential
 * scans priced out of reach. A small period may still be cheaper to read whole at this size (the
 * planner is right to), but the second plan shows an index is there to serve each big table when
 * the history grows.
 */
async function explain(run: (db: Db) => Promise<unknown>): Promise<Array<{ chosen: PlanNode; indexed: PlanNode }>> {
  const capture = new Capture();
  await run(db.withPlugin(capture));
  const compiled = capture.queries.map(({ node, queryId }) => db.getExecutor().compileQuery(node, queryId));
  const planOf = async (runner: Queryable, query: CompiledQuery) => {
    const result = await runner.executeQuery(CompiledQuery.raw(`explain (format json) ${query.sql}`, [...query.parameters]));
    const raw = Object.values(result.rows[0] as Record<string, unknown>)[0];
    return ((typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan: PlanNode }>)[0]!.Plan;
  };
  const chosen = [];
  for (const query of compiled) chosen.push(await planOf(db, query));
  const indexed = await db.transaction().execute(async (tx) => {
    await sql`set local enable_seqscan = off`.execute(tx);
    const plans = [];
    for (const query of compiled) plans.push(await planOf(tx, query));
    return plans;
  });
  return chosen.map((plan, i) => ({ chosen: plan, indexed: indexed[i]! }));
}

const describe = (plan: PlanNode) =>
  scans(plan)
    .map((r) => `${r['Node Type']} on ${r['Relation Name']}${r['Index Name'] ? ` using ${r['Index Name']}` : ''}`)
    .join('; ');

const month = reportQuery(new Date()).parse({ from: '2025-06-01', to: '2025-06-30' });
const someone = (await db.selectFrom('users').select('id').where('email', '=', 'plan-7@nhs.net').executeTakeFirstOrThrow()).id;
const organisation = (await db.selectFrom('organisations').select('id').where('name', '=', 'Organisation 3').executeTakeFirstOrThrow()).id;

const cases: Array<[name: string, run: (db: Db) => Promise<unknown>]> = [
  ...(['total', 'month', 'organisation', 'category', 'pcn'] as const).map(
    (dimension) => [`report by ${dimension}`, (d: Db) => q.funnelBy(d, month, dimension)] as [string, (db: Db) => Promise<unknown>],
  ),
  ['report for one PCN', (d) => q.funnelBy(d, { ...month, pcn: 'PCN 3' }, 'total')],
  ['referrals recorded', (d) => q.referralsRecordedSincePeriodStart(d, month)],
  ['PCNs with no attendance', (d) => q.pcnsWithoutAttendance(d, month)],
  ['categories with sessions', (d) => q.categoriesWithSessions(d, month)],
  ...exportKinds.map(
    (kind) =>
      [
        `export ${kind}, first pages`,
        async (d: Db) => {
          let n = 0;
          for await (const _ of exportRows(d, kind, month, { pageSize: 200 })) if (++n >= 400) break;
        },
      ] as [string, (db: Db) => Promise<unknown>],
  ),
  ['referral prompts', (d) => referralPrompts(d, someone, new Date('2025-07-15T12:00:00Z'))],
  ['provider: offers', (d) => q.funnelBy(d, { ...month, organisationId: organisation }, 'offer')],
  ['provider: sessions', (d) => pq.sessionAttendance(d, organisation, new Date('2025-07-01T00:00:00Z'))],
  ['provider: comments', (d) => pq.offerComments(d, organisation)],
  ['provider: referrals', (d) => pq.referralsToOffers(d, organisation)],
];

for (const [name, run] of cases) {
  t.test(name, async (t) => {
    const plans = await explain(run);
    t.ok(plans.length > 0, 'ran at least one query');
    for (const { chosen, indexed } of plans) {
      t.comment(`chosen: ${describe(chosen)}`);
      const whole = scans(indexed).filter((r) => r['Node Type'] === 'Seq Scan' && bigTables.has(r['Relation Name']!));
      t.same(
        whole.map((r) => r['Relation Name']),
        [],
        `an index serves every big table: ${describe(indexed)}`,
      );
    }
  });
}
