import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { bookPlace } from '../../src/bookings/service.ts';
import { testConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/database.ts';
import { createBooking, createLinkWorkers, createTaster } from '../fixtures/builders.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, openSecondPool, testDatabaseKind, type Visitor } from '../helper.ts';

/**
 * Rules 1–3 under load. On PostgreSQL: 200 link workers book a 10-place session at the same
 * moment through two app instances (two connection pools, like two servers), then 50 of them
 * cancel and book again, all at once. PGlite runs one connection and can never race, so there the
 * same invariants are checked on a smaller run, one request after another.
 */
const real = testDatabaseKind === 'postgres';
const PEOPLE = real ? 200 : 30;
const PLACES = real ? 10 : 3;
const CHURN = real ? 50 : 10;

const database = await createTestDatabase({ poolSize: 8 });
const { db } = database;
const second = real ? await openSecondPool(database, 8) : null;
// The watcher counts confirmed places while the waves run, on a connection of its own.
const watcher = real ? await openSecondPool(database, 1) : null;
t.teardown(async () => {
  await watcher?.close();
  await second?.close();
  await database.close();
});

/** All at once on PostgreSQL; one after another on PGlite. */
async function together<T>(jobs: Array<() => Promise<T>>): Promise<T[]> {
  if (real) return Promise.all(jobs.map((job) => job()));
  const results: T[] = [];
  for (const job of jobs) results.push(await job());
  return results;
}

async function confirmedCount(on: Db, sessionId: string): Promise<number> {
  const row = await sql<{ n: number }>`select count(*)::int as n from bookings where taster_session_id = ${sessionId} and status = 'confirmed'`.execute(on);
  return row.rows[0]!.n;
}

/**
 * Runs a wave of jobs and returns the highest number of confirmed places seen while it ran. On
 * PostgreSQL another connection keeps counting throughout; on PGlite (one connection, one request
 * at a time) the count is taken after every request, which is every state there is.
 */
async function watched<T>(sessionId: string, jobs: Array<() => Promise<T>>): Promise<{ result: T[]; highest: number; looks: number }> {
  let highest = 0;
  let looks = 0;
  const look = async (on: Db) => {
    highest = Math.max(highest, await confirmedCount(on, sessionId));
    looks++;
  };
  if (!watcher) {
    const result: T[] = [];
    for (const job of jobs) {
      result.push(await job());
      await look(db);
    }
    return { result, highest, looks };
  }
  let done = false;
  const watching = (async () => {
    while (!done) await look(watcher.db);
  })();
  try {
    return { result: await Promise.all(jobs.map((job) => job())), highest, looks };
  } finally {
    done = true;
    await watching;
    await look(db);
  }
}

function bookingIdFrom(response: LightMyRequestResponse): string {
  const match = /^\/bookings\/([0-9a-f-]{36})$/.exec(String(response.headers.location));
  if (response.statusCode !== 303 || !match) throw new Error(`expected a redirect to a booking, got ${response.statusCode} ${response.headers.location}`);
  return match[1]!;
}

/** The waiting positions the booking pages show, for each waiting booking. */
async function shownPositions(visitors: Map<string, Visitor>, bookingIds: string[]): Promise<number[]> {
  const pages = await together(bookingIds.map((id) => () => visitors.get(id)!.get(`/bookings/${id}`)));
  return pages.map((page) => Number(/id="waiting-position">(\d+)</.exec(page.body)?.[1]));
}

// When a person joined the waiting list, to the microsecond the database keeps (a Date keeps only
// milliseconds, and people booked by one statement join within the same millisecond).
const waitedSince = sql<number>`(extract(epoch from waitlisted_at) * 1000000)::float8`.as('waitedSince');

async function liveBookings(sessionId: string) {
  return db
    .selectFrom('bookings')
    .select(['id', 'userId', 'status', 'waitlistedAt', 'promotedAt', waitedSince])
    .where('tasterSessionId', '=', sessionId)
    .where('status', '<>', 'cancelled')
    .execute();
}

t.test(
  `${PEOPLE} people book ${PLACES} places ${real ? 'at once through two app instances' : 'one after another'}; then ${CHURN} cancel and book again`,
  async (t) => {
    const appA = await buildTestApp(t, database);
    let appB: FastifyInstance = appA;
    if (second) {
      appB = await buildApp({ config: testConfig(), db: second.db });
      t.teardown(() => appB.close());
    }
    const taster = await createTaster(db, { capacity: PLACES });
    const people = await createLinkWorkers(db, PEOPLE);
    const visitors = await Promise.all(people.map(async (person, i) => (await signedIn(i % 2 === 0 ? appA : appB, db, person)).visitor));

    // Wave 1: everyone books at once.
    const wave1 = await watched(
      taster.sessionId,
      visitors.map((visitor) => () => visitor.post(`/sessions/${taster.sessionId}/book`, {})),
    );
    t.same(
      wave1.result.filter((r) => r.statusCode >= 500).map((r) => r.statusCode),
      [],
      'no 5xx',
    );
    const bookingIds = wave1.result.map(bookingIdFrom);
    t.equal(new Set(bookingIds).size, PEOPLE, 'one booking each');
    t.ok(wave1.highest <= PLACES, `never more than ${PLACES} confirmed while booking (highest seen ${wave1.highest} in ${wave1.looks} looks)`);
    const byBooking = new Map(bookingIds.map((id, i) => [id, visitors[i]!]));

    let rows = await liveBookings(taster.sessionId);
    t.equal(rows.filter((r) => r.status === 'confirmed').length, PLACES, `exactly ${PLACES} confirmed`);
    let waiting = rows.filter((r) => r.status === 'waitlisted');
    t.equal(waiting.length, PEOPLE - PLACES, `${PEOPLE - PLACES} waiting`);
    const positions = await shownPositions(
      byBooking,
      waiting.map((r) => r.id),
    );
    t.same(
      [...positions].sort((a, b) => a - b),
      Array.from({ length: PEOPLE - PLACES }, (_, i) => i + 1),
      'positions 1 to N, no gaps, no duplicates',
    );
    const byPosition = waiting.map((r, i) => ({ at: r.waitedSince, position: positions[i]! })).sort((a, b) => a.position - b.position);
    t.ok(
      byPosition.every((w, i) => i === 0 || w.at > byPosition[i - 1]!.at),
      'positions follow the order people joined',
    );

    // Wave 2: every confirmed person and some waiting ones cancel, then book again, all at once.
    const confirmed = rows.filter((r) => r.status === 'confirmed').map((r) => r.id);
    const leaving = [
      ...confirmed,
      ...waiting
        .filter((_, i) => i % 4 === 1)
        .slice(0, CHURN - confirmed.length)
        .map((r) => r.id),
    ];
    t.equal(leaving.length, CHURN);
    const wave2 = await watched(
      taster.sessionId,
      leaving.map((id) => async () => {
        const visitor = byBooking.get(id)!;
        const cancelled = await visitor.post(`/bookings/${id}/cancel`, {});
        const rebooked = await visitor.post(`/sessions/${taster.sessionId}/book`, {});
        return [cancelled, rebooked];
      }),
    );
    const replies = wave2.result.flat();
    t.same(
      replies.filter((r) => r.statusCode >= 500).map((r) => r.statusCode),
      [],
      'no 5xx',
    );
    t.same(
      replies.filter((r) => r.statusCode !== 303).map((r) => r.statusCode),
      [],
      'every reply a redirect',
    );
    t.ok(wave2.highest <= PLACES, `never more than ${PLACES} confirmed while cancelling and rebooking (highest seen ${wave2.highest} in ${wave2.looks} looks)`);

    rows = await liveBookings(taster.sessionId);
    t.equal(rows.length, PEOPLE, 'everyone still has exactly one live booking');
    t.equal(new Set(rows.map((r) => r.userId)).size, PEOPLE);
    t.equal(rows.filter((r) => r.status === 'confirmed').length, PLACES, `still exactly ${PLACES} confirmed`);
    waiting = rows.filter((r) => r.status === 'waitlisted');
    const after = await shownPositions(
      new Map(rows.map((r) => [r.id, visitors[people.findIndex((p) => p.id === r.userId)]!])),
      waiting.map((r) => r.id),
    );
    t.same(
      [...after].sort((a, b) => a - b),
      Array.from({ length: PEOPLE - PLACES }, (_, i) => i + 1),
      'positions still 1 to N',
    );

    // Promotions in waiting order: each promoted booking had waited longer than the one promoted
    // after it, and longer than everyone still waiting.
    const promoted = await db
      .selectFrom('bookings')
      .select(['id', 'waitlistedAt', 'promotedAt', waitedSince])
      .where('tasterSessionId', '=', taster.sessionId)
      .where('promotedAt', 'is not', null)
      .orderBy('promotedAt')
      .execute();
    t.ok(promoted.length >= PLACES, `the freed places went to people waiting (${promoted.length} promotions)`);
    t.ok(
      promoted.every((p, i) => i === 0 || p.waitedSince > promoted[i - 1]!.waitedSince),
      'promoted in the order they joined the waiting list',
    );
    const lastPromoted = Math.max(...promoted.map((p) => p.waitedSince));
    t.ok(
      waiting.every((w) => w.waitedSince > lastPromoted),
      'nobody still waiting was passed over',
    );
    const messages = await db.selectFrom('outboxMessages').select('dedupeKey').where('kind', '=', 'booking_promoted').execute();
    const promotedIds = new Set(promoted.map((p) => p.id));
    t.equal(messages.filter((m) => promotedIds.has(m.dedupeKey.split(':')[1]!)).length, promoted.length, 'one message per promotion');
  },
);

t.test('a booking that slips past the session lock meets the unique index and gets the existing booking', async (t) => {
  const taster = await createTaster(db, { capacity: 5 });
  const [person] = await createLinkWorkers(db, 1);
  const actor = { id: person!.id };
  if (!second) {
    // One connection: the second request always sees the first booking, before any insert.
    const first = await bookPlace(db, actor, taster.sessionId, { confidenceBefore: null });
    t.same(await bookPlace(db, actor, taster.sessionId, { confidenceBefore: 2 }), { ...first, created: false });
    return;
  }
  // Another connection inserts a live booking without taking the session lock, and holds its
  // transaction open: the booking use case cannot see that row, so it inserts too and waits on the
  // unique index. When the other transaction commits, the index refuses (23505), and the person
  // gets the booking that exists instead of an error.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let inserted!: () => void;
  const insertedNow = new Promise<void>((resolve) => (inserted = resolve));
  const other = second.db.transaction().execute(async (tx) => {
    const row = await createBooking(tx, taster.sessionId, person!.id);
    inserted();
    await gate;
    return row.id;
  });
  await insertedNow;
  const pending = bookPlace(db, actor, taster.sessionId, { confidenceBefore: null });
  // Wait (by asking the server, not by sleeping) until the booking waits on a lock (book_places,
  // through book_place: it holds the session's lock, and its insert waits on the unique index for
  // the other row).
  for (;;) {
    const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
      where wait_event_type = 'Lock' and state = 'active' and pid <> pg_backend_pid() and query ~ 'book_places?[(]'`.execute(watcher!.db);
    if (waiting.rows[0]!.n > 0) break;
  }
  release();
  const existingId = await other;
  t.same(await pending, { bookingId: existingId, status: 'confirmed', created: false });
  const rows = await liveBookings(taster.sessionId);
  t.same(
    rows.map((r) => r.id),
    [existingId],
    'one live booking',
  );
});
