import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { testConfig } from '../../src/config.ts';
import { createLinkWorkers } from '../fixtures/builders.ts';
import { createDay, registrationBody } from '../fixtures/days.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, openSecondPool, testDatabaseKind } from '../helper.ts';

/**
 * A day's places under load. On PostgreSQL: 100 link workers register at the same moment through
 * two app instances (two connection pools, like two servers), choosing among three tasters of 10
 * places in one slot, for a day with 40 link-worker places: never more than 10 in any taster, the
 * day's quota exact, no 5xx. Then the confirmed half cancel at once and the waiting lists move up.
 * PGlite runs one connection and can never race, so there a smaller run goes one after another.
 */
const real = testDatabaseKind === 'postgres';
const PEOPLE = real ? 100 : 20;
const TASTER_PLACES = real ? 10 : 3;
const DAY_PLACES = real ? 40 : 12;

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

async function counts(dayId: string) {
  const registrations = await db
    .selectFrom('dayRegistrations')
    .select(['status'])
    .where('tasterDayId', '=', dayId)
    .where('status', '<>', 'cancelled')
    .execute();
  const choices = await db
    .selectFrom('dayTasterChoices as c')
    .innerJoin('dayRegistrations as r', 'r.id', 'c.registrationId')
    .select(['c.dayTasterId', 'c.status', 'r.status as registrationStatus'])
    .where('r.tasterDayId', '=', dayId)
    .where('c.status', '<>', 'cancelled')
    .execute();
  return { registrations, choices };
}

t.test(`${PEOPLE} link workers register at once for ${DAY_PLACES} places, choosing among three tasters of ${TASTER_PLACES}`, async (t) => {
  const appA = await buildTestApp(t, database);
  let appB: FastifyInstance = appA;
  if (second) {
    appB = await buildApp({ config: testConfig(), db: second.db });
    t.teardown(() => appB.close());
  }
  const day = await createDay(db, { linkWorkerPlaces: DAY_PLACES, tasterPlaces: [TASTER_PLACES, TASTER_PLACES, TASTER_PLACES] });
  const people = await createLinkWorkers(db, PEOPLE);
  const visitors = await Promise.all(people.map(async (person, i) => (await signedIn(i % 2 === 0 ? appA : appB, db, person)).visitor));
  await together(visitors.map((v) => () => v.get(`/days/${day.id}/register`)));

  const replies: LightMyRequestResponse[] = await together(
    visitors.map((visitor, i) => () => visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[i % 3]!.id }))),
  );
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
  let { registrations, choices } = await counts(day.id);
  t.equal(registrations.length, PEOPLE, 'one registration each');
  t.equal(registrations.filter((r) => r.status === 'confirmed').length, DAY_PLACES, `exactly ${DAY_PLACES} with a place on the day`);
  for (const taster of day.tasters) {
    const confirmed = choices.filter((c) => c.dayTasterId === taster.id && c.status === 'confirmed').length;
    t.equal(confirmed, TASTER_PLACES, `exactly ${TASTER_PLACES} confirmed in a taster, never more`);
  }
  t.ok(
    choices.every((c) => c.status !== 'confirmed' || c.registrationStatus === 'confirmed'),
    'only people with a place on the day hold a taster place',
  );

  // Everyone confirmed in a taster cancels at once: the day's places and the tasters' fill again, exactly.
  const rows = await db
    .selectFrom('dayTasterChoices as c')
    .innerJoin('dayRegistrations as r', 'r.id', 'c.registrationId')
    .select('r.userId')
    .where('r.tasterDayId', '=', day.id)
    .where('c.status', '=', 'confirmed')
    .execute();
  const leaving = rows.map((r) => visitors[people.findIndex((p) => p.id === r.userId)]!);
  const cancelled = await together(leaving.map((v) => () => v.post(`/days/${day.id}/cancel`, {})));
  t.same(
    cancelled.filter((r) => r.statusCode !== 303).map((r) => r.statusCode),
    [],
    'every cancellation a redirect',
  );
  ({ registrations, choices } = await counts(day.id));
  t.equal(registrations.length, PEOPLE - leaving.length);
  t.equal(
    registrations.filter((r) => r.status === 'confirmed').length,
    Math.min(DAY_PLACES, PEOPLE - leaving.length),
    'the day’s places filled again from its waiting list',
  );
  for (const taster of day.tasters) {
    t.equal(
      choices.filter((c) => c.dayTasterId === taster.id && c.status === 'confirmed').length,
      TASTER_PLACES,
      'each taster filled again from its waiting list',
    );
  }
});
