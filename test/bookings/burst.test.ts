import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { testConfig } from '../../src/config.ts';
import { renderPendingMessages } from '../../src/delivery/render.ts';
import { createLinkWorkers, createTaster } from '../fixtures/builders.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, openSecondPool, testDatabaseKind } from '../helper.ts';

/**
 * QUALITY.md's burst: everyone who read the same email books in the same second, through two app
 * instances (two pools of ten connections, like two servers with the default DATABASE_POOL_SIZE).
 * Not paced: all requests are in flight together, so they all queue on the one session's lock.
 * PGlite has one connection and cannot race: there the same outcome is checked one at a time.
 */
const real = testDatabaseKind === 'postgres';
const PEOPLE = real ? 200 : 30;
const PLACES = real ? 10 : 3;

const database = await createTestDatabase({ poolSize: 10 });
const { db } = database;
const second = real ? await openSecondPool(database, 10) : null;
// Samples the server while the burst runs, on a connection of its own.
const watcher = real ? await openSecondPool(database, 1) : null;
t.teardown(async () => {
  await watcher?.close();
  await second?.close();
  await database.close();
});

type Sample = { waitingOnLock: number; idleInTransaction: number };

/**
 * How many of this schema's connections wait for a lock, and how many sit idle inside a
 * transaction (waiting for Node, not the database), at one moment. Other test files may use the
 * server at the same time, so only connections whose search path is this test's schema count.
 */
async function sample(): Promise<Sample> {
  const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(watcher!.db)).rows[0]!.schema;
  const row = await sql<Sample>`
    select count(*) filter (where a.wait_event_type = 'Lock')::int as waiting_on_lock,
           count(*) filter (where a.state = 'idle in transaction')::int as idle_in_transaction
    from pg_stat_activity a
    where a.datname = current_database() and a.pid <> pg_backend_pid()
      and exists (select 1 from pg_locks l join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
                  where l.pid = a.pid and n.nspname = ${schema})`.execute(watcher!.db);
  return row.rows[0]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

t.test(`${PEOPLE} people book one ${PLACES}-place session ${real ? 'at the same moment through two app instances' : 'one after another'}`, async (t) => {
  const appA = await buildTestApp(t, database);
  let appB: FastifyInstance = appA;
  if (second) {
    appB = await buildApp({ config: testConfig(), db: second.db });
    t.teardown(() => appB.close());
  }
  const taster = await createTaster(db, { capacity: PLACES });
  const people = await createLinkWorkers(db, PEOPLE);
  const visitors = await Promise.all(people.map(async (person, i) => (await signedIn(i % 2 === 0 ? appA : appB, db, person)).visitor));
  // Each visitor has its form token already: the burst is the booking posts alone.
  await Promise.all(visitors.map((visitor) => visitor.get(`/sessions/${taster.sessionId}/book`)));

  const samples: Sample[] = [];
  let done = false;
  const sampling = (async () => {
    while (watcher && !done) samples.push(await sample());
  })();
  const timings: number[] = [];
  const post = async (visitor: (typeof visitors)[number]): Promise<LightMyRequestResponse> => {
    const started = performance.now();
    const response = await visitor.post(`/sessions/${taster.sessionId}/book`, {});
    timings.push(performance.now() - started);
    return response;
  };
  const started = performance.now();
  let replies: LightMyRequestResponse[];
  try {
    if (real) replies = await Promise.all(visitors.map(post));
    else {
      replies = [];
      for (const visitor of visitors) replies.push(await post(visitor));
    }
  } finally {
    done = true;
    await sampling;
  }
  const seconds = (performance.now() - started) / 1000;
  t.comment(
    `burst: ${PEOPLE} attempts in ${seconds.toFixed(2)} s; per request p50 ${percentile(timings, 50).toFixed(0)} ms, p99 ${percentile(timings, 99).toFixed(0)} ms` +
      (samples.length
        ? `; ${samples.length} samples: at most ${Math.max(...samples.map((s) => s.waitingOnLock))} connections waiting on a lock, ` +
          `at most ${Math.max(...samples.map((s) => s.idleInTransaction))} idle in a transaction (mean ${(samples.reduce((n, s) => n + s.idleInTransaction, 0) / samples.length).toFixed(2)})`
        : ''),
  );

  // Bookings are stamped with the clock while their transaction holds the lock, so the gap from one
  // to the next is how long the lock stays with each booking (from its insert to the next one's).
  const stamps = await sql<{ gap: number }>`
    select extract(epoch from coalesce(waitlisted_at, confirmed_at) - lag(coalesce(waitlisted_at, confirmed_at)) over (order by coalesce(waitlisted_at, confirmed_at))) * 1000 as gap
    from bookings where taster_session_id = ${taster.sessionId}`.execute(db);
  const gaps = stamps.rows.map((r) => Number(r.gap)).filter((gap) => Number.isFinite(gap) && gap > 0);
  t.comment(`from one booking's insert to the next: p50 ${percentile(gaps, 50).toFixed(2)} ms, p99 ${percentile(gaps, 99).toFixed(2)} ms`);

  t.same(
    replies.filter((r) => r.statusCode >= 500).map((r) => r.statusCode),
    [],
    'no 5xx',
  );
  t.same(
    replies.filter((r) => r.statusCode !== 303).map((r) => r.statusCode),
    [],
    'every attempt answered with its booking',
  );
  const bookings = await sql<{ id: string; status: string; position: number | null }>`
    select b.id, b.status,
           case when b.status = 'waitlisted' then row_number() over (partition by b.status order by b.waitlisted_at, b.id)::int end as position
    from bookings b where b.taster_session_id = ${taster.sessionId} and b.status <> 'cancelled'`.execute(db);
  const confirmed = bookings.rows.filter((b) => b.status === 'confirmed');
  const waiting = bookings.rows.filter((b) => b.status === 'waitlisted');
  t.equal(bookings.rows.length, PEOPLE, 'one booking each');
  t.equal(confirmed.length, PLACES, `exactly ${PLACES} confirmed`);
  t.equal(waiting.length, PEOPLE - PLACES, `${PEOPLE - PLACES} waiting`);

  // What each person waiting was told, rendered by the message worker after the burst, is their
  // place in the queue as it stands: 1 to N, no gaps, no duplicates.
  await renderPendingMessages(db);
  const told = await db.selectFrom('outboxMessages').select(['dedupeKey', 'textBody']).where('kind', '=', 'booking_waitlisted').execute();
  const position = new Map(waiting.map((b) => [b.id, b.position]));
  const toldPositions = told
    .filter((m) => position.has(m.dedupeKey.split(':')[1]!))
    .map((m) => ({ told: Number(/You are number (\d+) on the waiting list/.exec(m.textBody ?? '')?.[1]), actual: position.get(m.dedupeKey.split(':')[1]!) }));
  t.equal(toldPositions.length, PEOPLE - PLACES, 'each person waiting was told');
  t.same(
    toldPositions.map((p) => p.told).sort((a, b) => a - b),
    Array.from({ length: PEOPLE - PLACES }, (_, i) => i + 1),
    'the positions they were told are 1 to N',
  );
  t.ok(
    toldPositions.every((p) => p.told === p.actual),
    'each was told their own place in the fair order',
  );
});
