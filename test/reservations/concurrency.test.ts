import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { testConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/database.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { keepPlaces, promoteAtRelease } from '../../src/reservations/service.ts';
import { createLinkWorkers, createTaster, createUser, type TestUser } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, openSecondPool, testDatabaseKind, type Visitor } from '../helper.ts';

/**
 * Places kept for a PCN under load. On PostgreSQL: 200 link workers (some of Banbury PCN) book a
 * session of 6 general and 4 kept places at the same moment through two app instances; then, on a
 * session whose kept places were not all taken, the release comes while people keep booking and
 * the release job runs. PGlite runs one connection and can never race, so there the same
 * invariants are checked on a smaller run, one request after another.
 */
const real = testDatabaseKind === 'postgres';
const PEOPLE = real ? 200 : 30;
const GENERAL = 6;
const KEPT = 4;
const BANBURY = 'Banbury PCN';

const database = await createTestDatabase({ poolSize: 8 });
const { db } = database;
const second = real ? await openSecondPool(database, 8) : null;
t.teardown(async () => {
  await second?.close();
  await database.close();
});

async function together<T>(jobs: Array<() => Promise<T>>): Promise<T[]> {
  if (real) return Promise.all(jobs.map((job) => job()));
  const results: T[] = [];
  for (const job of jobs) results.push(await job());
  return results;
}

function bookingIdFrom(response: LightMyRequestResponse): string {
  const match = /^\/bookings\/([0-9a-f-]{36})$/.exec(String(response.headers.location));
  if (response.statusCode !== 303 || !match) throw new Error(`expected a redirect to a booking, got ${response.statusCode} ${response.headers.location}`);
  return match[1]!;
}

async function everyone(count: number, banburyEvery: number): Promise<TestUser[]> {
  const people = await createLinkWorkers(db, count);
  const banbury = people.filter((_, i) => i % banburyEvery === 0).map((p) => p.id);
  await db.updateTable('users').set({ pcn: BANBURY }).where('id', 'in', banbury).execute();
  return people;
}

async function keep(sessionId: string, releaseDays: number) {
  const coordinator = await createUser(db, 'coordinator');
  await inTransaction(db, (tx) =>
    keepPlaces(
      tx,
      { id: coordinator.id, role: 'coordinator', organisationId: null },
      { sessionId, pcn: BANBURY, places: KEPT, releaseDays, wholeSeries: false },
    ),
  );
}

async function confirmedRows(sessionId: string) {
  const rows = await sql<{ id: string; pcn: string | null; reservationId: string | null; waitlistedAt: Date | null; promotedAt: Date | null }>`
    select b.id, u.pcn, b.reservation_id, b.waitlisted_at, b.promoted_at from bookings b join users u on u.id = b.user_id
    where b.taster_session_id = ${sessionId}::uuid and b.status = 'confirmed'`.execute(db as Db);
  return rows.rows;
}

async function twoInstances(t: Parameters<typeof buildTestApp>[0]) {
  const appA = await buildTestApp(t, database);
  let appB: FastifyInstance = appA;
  if (second) {
    appB = await buildApp({ config: testConfig(), db: second.db });
    t.teardown(() => appB.close());
  }
  return [appA, appB] as const;
}

t.test(`${PEOPLE} people book ${GENERAL} general and ${KEPT} kept places ${real ? 'at once through two app instances' : 'one after another'}`, async (t) => {
  const [appA, appB] = await twoInstances(t);
  const taster = await createTaster(db, { capacity: GENERAL + KEPT, startsAt: at(10, 14) });
  await keep(taster.sessionId, 2);
  // One in ten (on PGlite one in five) is from Banbury: more of them than kept places, so they also compete for general ones.
  const people = await everyone(PEOPLE, real ? 10 : 5);
  const visitors: Visitor[] = await Promise.all(people.map(async (person, i) => (await signedIn(i % 2 === 0 ? appA : appB, db, person)).visitor));

  const replies = await together(visitors.map((visitor) => () => visitor.post(`/sessions/${taster.sessionId}/book`, {})));
  t.same(
    replies.filter((r) => r.statusCode >= 500).map((r) => r.statusCode),
    [],
    'no 5xx',
  );
  t.equal(new Set(replies.map(bookingIdFrom)).size, PEOPLE, 'one booking each');

  const confirmed = await confirmedRows(taster.sessionId);
  t.equal(confirmed.length, GENERAL + KEPT, `exactly ${GENERAL + KEPT} confirmed`);
  const inHold = confirmed.filter((r) => r.reservationId);
  t.equal(inHold.length, KEPT, `the ${KEPT} kept places were each taken once`);
  t.same(
    inHold.filter((r) => r.pcn !== BANBURY),
    [],
    'never a kept place to someone of another PCN',
  );
  const waiting = await db.selectFrom('bookings').select('id').where('tasterSessionId', '=', taster.sessionId).where('status', '=', 'waitlisted').execute();
  t.equal(waiting.length, PEOPLE - GENERAL - KEPT, 'everyone else waits');
});

t.test('the release comes while people book and the job runs: the waiting get the released places, in order, none lost', async (t) => {
  const [appA, appB] = await twoInstances(t);
  const taster = await createTaster(db, { capacity: GENERAL + KEPT, startsAt: at(10, 14) });
  await keep(taster.sessionId, 2);
  // One Banbury person only: three kept places stay free until the release.
  const people = await everyone(real ? 60 : 20, 1000);
  const [first, ...rest] = people;
  const early = rest.slice(0, rest.length / 2);
  const late = rest.slice(rest.length / 2);
  const visitorsOf = async (group: TestUser[]) => Promise.all(group.map(async (person, i) => (await signedIn(i % 2 === 0 ? appA : appB, db, person)).visitor));
  const [firstVisitor] = await visitorsOf([first!]);
  await firstVisitor!.post(`/sessions/${taster.sessionId}/book`, {});
  const earlyVisitors = await visitorsOf(early);
  await together(earlyVisitors.map((visitor) => () => visitor.post(`/sessions/${taster.sessionId}/book`, {})));
  let confirmed = await confirmedRows(taster.sessionId);
  t.equal(confirmed.length, GENERAL + 1, 'before the release: the general places and one kept place are taken');

  const waitingBefore = await db
    .selectFrom('bookings')
    .select(['id', 'waitlistedAt'])
    .where('tasterSessionId', '=', taster.sessionId)
    .where('status', '=', 'waitlisted')
    .orderBy('waitlistedAt')
    .orderBy('id')
    .execute();

  // The release: as if the days had passed. Then more people book while the job runs.
  await db.updateTable('sessionReservations').set({ releaseDays: 20 }).where('tasterSessionId', '=', taster.sessionId).execute();
  const lateVisitors = await visitorsOf(late);
  const replies = await together<LightMyRequestResponse | number>([
    () => promoteAtRelease(db, new Date()),
    ...lateVisitors.map((visitor) => () => visitor.post(`/sessions/${taster.sessionId}/book`, {})),
    () => promoteAtRelease(second?.db ?? db, new Date()),
  ]);
  t.same(
    replies.filter((r): r is LightMyRequestResponse => typeof r !== 'number' && r.statusCode >= 500).map((r) => r.statusCode),
    [],
    'no 5xx',
  );
  confirmed = await confirmedRows(taster.sessionId);
  t.equal(confirmed.length, GENERAL + KEPT, 'every released place was given, none twice');
  const promoted = confirmed.filter((r) => r.promotedAt).map((r) => r.id);
  t.same(
    promoted.sort(),
    waitingBefore
      .slice(0, KEPT - 1)
      .map((w) => w.id)
      .sort(),
    'the released places went to the people who had waited longest, not to anyone new',
  );
});
