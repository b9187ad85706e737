import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import type { PgBoss } from 'pg-boss';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { type Config, testConfig } from '../../src/config.ts';
import { type DatabaseHandle, type Db, openDatabase } from '../../src/db/database.ts';
import { type MessageWorker, startMessageWorker } from '../../src/delivery/worker.ts';
import { createBoss } from '../../src/messages/boss.ts';
import { smtpMailer } from '../../src/messages/mailer.ts';
import { prepareDatabase } from '../../src/start.ts';
import { createLinkWorkers, createTaster } from '../fixtures/builders.ts';
import { startSmtp, waitFor } from '../fixtures/delivery.ts';
import { signedIn } from '../fixtures/visitors.ts';
import type { Visitor } from '../helper.ts';

/**
 * Many instances, one database, the usual way: two app instances reach PostgreSQL through PgBouncer
 * in transaction pooling mode, as production runs them, and migrations take the direct connection.
 *
 * PgBouncer passes no session settings, so a test cannot pick a schema with search_path as the
 * other PostgreSQL tests do. This file makes a database of its own through the direct connection
 * (TEST_DATABASE_URL, whose role needs CREATEDB), reaches it through PgBouncer by name
 * (TEST_PGBOUNCER_URL with the database swapped, which .ci/start-pgbouncer's configuration
 * allows), and drops it at the end. `npm test` runs it when both addresses are set; under CI=true a
 * missing PgBouncer fails the run (test/run.ts).
 */
const directUrl = process.env.TEST_DATABASE_URL;
const pgbouncerUrl = process.env.TEST_PGBOUNCER_URL;
const PEOPLE = 200;
const PLACES = 10;

if (!directUrl || !pgbouncerUrl) {
  t.fail(
    'This test needs PostgreSQL and a PgBouncer in transaction pooling mode in front of it: set TEST_DATABASE_URL ' +
      'and TEST_PGBOUNCER_URL (as root, .ci/start-pgbouncer starts one and prints its address)',
  );
} else {
  await run(directUrl, pgbouncerUrl);
}

function onDatabase(url: string, database: string): string {
  const address = new URL(url);
  address.pathname = `/${database}`;
  return address.toString();
}

async function run(directUrl: string, pgbouncerUrl: string) {
  const name = `tasters_pgbouncer_${randomBytes(5).toString('hex')}`;
  const admin = await openDatabase({ databaseUrl: directUrl, poolSize: 1 });
  await sql`create database ${sql.id(name)}`.execute(admin.db);
  // Closed last first: apps, job queues, pools, then the database itself (FORCE ends the server
  // connections PgBouncer still keeps to it).
  const closers: Array<() => Promise<unknown>> = [
    async () => {
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin.db);
      await admin.close();
    },
  ];
  // Every closer runs, so the database is dropped even if something before it fails to stop.
  const closeAll = async () => {
    const failures: unknown[] = [];
    for (const close of closers.splice(0).reverse()) await close().catch((error: unknown) => failures.push(error));
    if (failures.length) throw failures[0];
  };
  t.teardown(closeAll);
  try {
    await startInstances(name, directUrl, pgbouncerUrl, closers);
  } catch (error) {
    // A start that fails ends the file before tap's teardown: drop the database all the same.
    await closeAll();
    throw error;
  }
}

async function startInstances(name: string, directUrl: string, pgbouncerUrl: string, closers: Array<() => Promise<unknown>>) {
  const config: Config = testConfig({
    databaseUrl: onDatabase(pgbouncerUrl, name),
    databaseDirectUrl: onDatabase(directUrl, name),
    databasePoolSize: 8,
  });
  const direct = await openDatabase({ databaseUrl: config.databaseDirectUrl, poolSize: 2 });
  closers.push(() => direct.close());

  // Two instances start together, as a deployment's do.
  const logs: string[][] = [[], []];
  const handles = await Promise.all(logs.map((log) => prepareDatabase(config, (line) => log.push(line))));
  for (const handle of handles) closers.push(() => handle.close());
  const [instanceA] = handles as [DatabaseHandle, DatabaseHandle];
  // The migrator's session lock, taken and released on one direct session, before the job queues
  // take their own short ones. Through PgBouncer its release could reach another server connection
  // and leave it held.
  const advisoryLocks = await sql<{ n: number }>`select count(*)::int as n from pg_locks
    where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`.execute(direct.db);

  // Each instance runs its app and its job queue, pg-boss through PgBouncer like the app.
  const smtp = await startSmtp(t);
  const apps: FastifyInstance[] = [];
  const workers: MessageWorker[] = [];
  for (const handle of handles) {
    const app = await buildApp({ config, db: handle.db });
    closers.push(() => app.close());
    apps.push(app);
    const boss: PgBoss = createBoss(handle, { databaseUrl: config.databaseUrl, poolSize: 3 });
    await boss.start();
    closers.push(() => boss.stop({ graceful: false, timeout: 2_000 }));
    const mailer = smtpMailer({ url: smtp.url, from: config.mailFrom, baseUrl: config.baseUrl });
    const worker = await startMessageWorker({ db: handle.db, boss, mailer, dispatchIntervalMs: 200, pollingIntervalSeconds: 0.5, batchSize: 20 });
    closers.push(() => worker.stop());
    workers.push(worker);
  }

  t.test('PgBouncer refuses a session setting asked for when connecting: the app asks for none through it', async (t) => {
    const asBefore = await openDatabase({ databaseUrl: config.databaseUrl, poolSize: 1 });
    t.teardown(() => asBefore.close());
    await t.rejects(
      sql`select 1`.execute(asBefore.db),
      /unsupported startup parameter: statement_timeout/,
      'the statement timeout the app sends directly is refused',
    );
    const pooled = await openDatabase({ databaseUrl: config.databaseUrl, pooled: true, poolSize: 1 });
    t.teardown(() => pooled.close());
    const row = await sql<{ name: string }>`select current_database() as name`.execute(pooled.db);
    t.equal(row.rows[0]!.name, name, 'without it, the connection works');
    await t.rejects(openDatabase({ databaseUrl: config.databaseUrl, pooled: true, schema: 'elsewhere' }), /give the test a database of its own/);
  });

  t.test('two instances starting at once migrate through the direct connection, once, and leave no lock behind', async (t) => {
    const applied = logs.map((log) => log.filter((line) => line.startsWith('applied migrations:')));
    t.same(applied.map((lines) => lines.length).sort(), [0, 1], 'one instance applied the migrations, the other found them done');
    const recorded = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(direct.db);
    t.ok(recorded.rows[0]!.n >= 3, `${recorded.rows[0]!.n} migrations recorded`);
    t.equal(advisoryLocks.rows[0]!.n, 0, 'no advisory lock held once they had started');
    const users = await sql<{ n: number }>`select count(*)::int as n from users`.execute(instanceA.db);
    t.equal(users.rows[0]!.n, 0, 'the app reads the migrated tables through PgBouncer');
    for (const log of logs) {
      t.match(
        log.join('\n'),
        /warning: statements through DATABASE_URL have no time limit\. Set one on the server, for example ALTER ROLE .* SET statement_timeout = '15s'/,
        'each instance says its statements have no time limit until the server sets one',
      );
    }
  });

  t.test(`${PEOPLE} people book ${PLACES} places at once through two instances and PgBouncer; every email is delivered`, async (t) => {
    const taster = await createTaster(instanceA.db, { capacity: PLACES });
    const people = await createLinkWorkers(instanceA.db, PEOPLE);
    const visitors = await Promise.all(people.map(async (person, i) => (await signedIn(apps[i % 2]!, handles[i % 2]!.db, person)).visitor));

    // Another connection, straight to PostgreSQL, counts confirmed places throughout.
    let highest = 0;
    let looks = 0;
    let done = false;
    const watching = (async () => {
      while (!done) {
        highest = Math.max(highest, await confirmedCount(direct.db, taster.sessionId));
        looks++;
      }
    })();
    let replies: LightMyRequestResponse[];
    try {
      replies = await Promise.all(visitors.map((visitor) => visitor.post(`/sessions/${taster.sessionId}/book`, {})));
    } finally {
      done = true;
      await watching;
    }

    t.same(
      replies.filter((r) => r.statusCode >= 500).map((r) => r.statusCode),
      [],
      'no 5xx',
    );
    const bookingIds = replies.map(bookingIdFrom);
    t.equal(new Set(bookingIds).size, PEOPLE, 'one booking each');
    t.ok(highest <= PLACES, `never more than ${PLACES} confirmed while booking (highest seen ${highest} in ${looks} looks)`);

    const rows = await direct.db
      .selectFrom('bookings')
      .select(['id', 'status'])
      .where('tasterSessionId', '=', taster.sessionId)
      .where('status', '<>', 'cancelled')
      .execute();
    t.equal(rows.filter((r) => r.status === 'confirmed').length, PLACES, `exactly ${PLACES} confirmed`);
    const waiting = rows.filter((r) => r.status === 'waitlisted');
    t.equal(waiting.length, PEOPLE - PLACES, `${PEOPLE - PLACES} waiting`);
    const byBooking = new Map(bookingIds.map((id, i) => [id, visitors[i]!]));
    const positions = await shownPositions(
      byBooking,
      waiting.map((r) => r.id),
    );
    t.same(
      [...positions].sort((a, b) => a - b),
      Array.from({ length: PEOPLE - PLACES }, (_, i) => i + 1),
      'positions 1 to N, no gaps, no duplicates',
    );

    // The job queue, through PgBouncer too, delivers what the bookings wrote to the outbox.
    await Promise.all(workers.map((worker) => worker.dispatchNow()));
    await waitFor(
      async () => (await direct.db.selectFrom('outboxMessages').select('id').where('sentAt', 'is', null).execute()).length === 0,
      'every message to be sent',
      60_000,
    );
    const recipients = new Set(smtp.accepted.flatMap((mail) => mail.to));
    t.same(
      people.filter((person) => !recipients.has(person.email)).map((person) => person.email),
      [],
      'everyone who booked got an email',
    );
    const ids = smtp.accepted.map((mail) => mail.messageId);
    t.equal(new Set(ids).size, ids.length, 'none delivered twice');
  });
}

async function confirmedCount(on: Db, sessionId: string): Promise<number> {
  const row = await sql<{ n: number }>`select count(*)::int as n from bookings where taster_session_id = ${sessionId} and status = 'confirmed'`.execute(on);
  return row.rows[0]!.n;
}

function bookingIdFrom(response: LightMyRequestResponse): string {
  const match = /^\/bookings\/([0-9a-f-]{36})$/.exec(String(response.headers.location));
  if (response.statusCode !== 303 || !match) throw new Error(`expected a redirect to a booking, got ${response.statusCode} ${response.headers.location}`);
  return match[1]!;
}

/** The waiting positions the booking pages show, for each waiting booking. */
async function shownPositions(visitors: Map<string, Visitor>, bookingIds: string[]): Promise<number[]> {
  const pages = await Promise.all(bookingIds.map((id) => visitors.get(id)!.get(`/bookings/${id}`)));
  return pages.map((page) => Number(/id="waiting-position">(\d+)</.exec(page.body)?.[1]));
}
