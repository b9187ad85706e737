/**
 * `npm run bench`: seeds a realistic volume into a fresh PostgreSQL schema, starts the real app
 * and a bare Fastify baseline side by side (each in its own Node process, same database, same
 * pool size), measures them one at a time with autocannon over loopback, prints a markdown table
 * (also written to bench/results.md, or results-national.md) and drops the schema. See bench/README.md.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { sign } from '@fastify/cookie';
import type { Request } from 'autocannon';
import { type RawBuilder, sql } from 'kysely';
import { buildServer, bundle } from '../scripts/build.ts';
import type { Db } from '../src/db/database.ts';
import { hashToken } from '../src/lib/tokens.ts';
import { bookAndCancel, CookieJar, csrfTokenIn, FIND_QUERY, formPost, PROXIED, pageHeaders, type RunOutcome, run, type Visitor, VisitorPool } from './load.ts';
import { type Check, markdown, type PageWeight, type Row } from './report.ts';
import { BENCH_PASSWORD, benchDatabaseUrl, benchScale, countSeeded, createBenchSchema, linkWorkerIds, seedBenchData, setPassword } from './seed.ts';
import type { ParentMessage, ServerMessage } from './server.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const BOOKERS = 100;
const CHECK_ATTEMPTS = 500;
const CHECK_CAPACITY = 10;
/**
 * The steady load at which the find page's latency is judged: the busiest hour at national scale
 * ×10, estimated as 36,000 link workers each searching about five times on a working day, three
 * times as often in the peak hour as on average (36,000 × 5 × 3 / 8 h ≈ 19 a second).
 */
const STEADY_FIND_RATE = Number(process.env.BENCH_STEADY_RATE ?? 20);
const BASE_URL = 'https://tasters.bench.example';
/** BENCH_ONLY=a,d runs only those runs (letters as in the table; f is the 500-attempt check). */
const only = process.env.BENCH_ONLY?.split(',').map((letter) => `(${letter.trim()})`);
const wanted = (name: string) => !only || only.some((prefix) => name.startsWith(prefix));

let url: string;
let size: ReturnType<typeof benchScale>;
try {
  url = benchDatabaseUrl();
  size = benchScale();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const log = (message: string) => console.error(`[bench] ${message}`);
const children: ChildProcess[] = [];
/** The servers run as deployed, from one built file (scripts/build.ts); the bare route the same way, for a fair comparison. */
const builtServer = fileURLToPath(new URL('../dist/bench/server.js', import.meta.url));
await bundle(fileURLToPath(new URL('./server.ts', import.meta.url)), builtServer);
const builtApp = fileURLToPath(new URL('../dist/server.js', import.meta.url));
await buildServer(builtApp);
/** Node's flags as `npm start` gives them (package.json), so the servers measured run as deployed. */
const startFlags = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(/\s+/)
  .filter((word) => word.startsWith('--'));

const bench = await createBenchSchema(url);
let exitCode = 0;

try {
  const loadAtStart = os.loadavg();
  log(`schema ${bench.schema}: seeding ${size.name}…`);
  const seedStarted = Date.now();
  await seedBenchData(bench.db, size.scale);
  const counts = await countSeeded(bench.db);
  log(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(0)} s: ${JSON.stringify(counts)}`);

  const secret = randomBytes(32).toString('base64url');
  const [app, bare] = await Promise.all([startServer('app', secret), startServer('bare', secret)]);
  children.push(app.child, bare.child);

  // People: link worker 0 signs in through the real form; the others get login sessions written
  // the way the session store writes them (cloned from that real one), then fetch a page for
  // their CSRF cookie and token, as a browser does before posting a form.
  const [firstId, ...otherIds] = await linkWorkerIds(bench.db, 0, BOOKERS + CHECK_ATTEMPTS);
  if (!firstId) throw new Error('The seed made no link workers');
  const first = await signIn(app.port, await setPassword(bench.db, firstId), firstId);
  const others = await cloneSessions(bench.db, firstId, otherIds, secret, app.port);
  const bookers = [first, ...others.slice(0, BOOKERS - 1)];
  const checkers = others.slice(BOOKERS - 1, BOOKERS - 1 + CHECK_ATTEMPTS);
  log(`${1 + others.length} link workers signed in`);

  const upcoming = await sessionIds(bench.db, sql`status = 'published' and booking_closes_at > now() + interval '1 hour'`);
  await checkSamePage(app.port, bare.port, first);

  const reads = new VisitorPool(bookers);
  const findPage: Request[] = [{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/find?${FIND_QUERY}`, headers: pageHeaders(reads.rotate()) }) }];
  const bareFind: Request[] = [
    { method: 'GET', setupRequest: (r) => ({ ...r, path: `/find.json?${FIND_QUERY}`, headers: { 'x-user-id': reads.rotate().userId } }) },
  ];
  let page = 0;
  const sessionPage: Request[] = [
    { method: 'GET', setupRequest: (r) => ({ ...r, path: `/sessions/${upcoming[page++ % upcoming.length]}`, headers: pageHeaders(reads.rotate()) }) },
  ];

  const rows: Row[] = [];
  const measure = async (name: string, server: Server, requests: () => Request[], expected: number[]) => {
    if (!wanted(name)) return;
    log(`${name}: warm-up ${WARM_UP} s, then ${DURATION} s`);
    await run({ port: server.port, requests: requests(), connections: CONNECTIONS, duration: WARM_UP });
    await ask(server.child, { type: 'reset-memory' });
    const outcome = await run({ port: server.port, requests: requests(), connections: CONNECTIONS, duration: DURATION });
    const memory = await ask(server.child, { type: 'memory' });
    const row = toRow(name, server.kind, outcome, memory, expected);
    rows.push(row);
    log(`${name}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ${row.cpuMs.toFixed(2)} ms CPU a request, unexpected: ${row.unexpected}`);
    return row;
  };

  // Find page and bare route alternate (A B B A), so drift in the machine's other load falls on both.
  await measure('(a) find page, 2 filters + text', app, () => findPage, [200]);
  await measure('(d) bare route, same find query', bare, () => bareFind, [200]);
  await measure('(d) bare route, same find query', bare, () => bareFind, [200]);
  await measure('(a) find page, 2 filters + text', app, () => findPage, [200]);
  // As fast as it will go says what the machine can take; a steady, realistic load says what a person waits.
  const steadyName = `(g) find page at a steady ${STEADY_FIND_RATE} req/s`;
  if (wanted(steadyName)) {
    log(`${steadyName}: warm-up ${WARM_UP} s, then ${DURATION} s, one request every ${(1000 / STEADY_FIND_RATE).toFixed(0)} ms`);
    const findOnce = () =>
      fetch(`http://127.0.0.1:${app.port}/find?${FIND_QUERY}`, {
        headers: pageHeaders(reads.rotate()),
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
    await openLoop(WARM_UP * STEADY_FIND_RATE, STEADY_FIND_RATE, findOnce);
    await ask(app.child, { type: 'reset-memory' });
    const steady = await openLoop(DURATION * STEADY_FIND_RATE, STEADY_FIND_RATE, findOnce);
    const memory = await ask(app.child, { type: 'memory' });
    const unexpected = steady.statuses.filter((status) => status !== 200);
    const row: Row = {
      name: steadyName,
      server: 'app',
      rps: steady.statuses.length / steady.seconds,
      p50: steady.p50,
      p99: steady.p99,
      peakRss: memory.peakRss,
      cpuMs: memory.cpuMicros / 1000 / steady.statuses.length,
      requests: steady.statuses.length,
      failures: steady.statuses.filter((status) => status === 0 || status >= 400).length,
      unexpected: unexpected.length ? `${unexpected.length} × not 200` : 'none',
    };
    rows.push(row);
    log(`${steadyName}: p50 ${row.p50.toFixed(0)} ms, p99 ${row.p99.toFixed(0)} ms, ${row.cpuMs.toFixed(2)} ms CPU a request, unexpected: ${row.unexpected}`);
  }
  await measure('(b) session page', app, () => sessionPage, [200]);
  await measure('(c) book and cancel (pages)', app, () => bookAndCancel(new VisitorPool(bookers), upcoming, true), [303]);
  await measure('(e) book and cancel (bare, same transactions)', bare, () => bookAndCancel(new VisitorPool(bookers), upcoming, false), [200]);

  let check: Check | null = null;
  if (wanted('(f)')) {
    // A second instance of the app on the same database, as production runs several.
    const second = await startServer('app', secret);
    children.push(second.child);
    // An instance in service, as the first one is: it has served pages, so its pool's connections are open.
    await warmUp(second, checkers);
    check = await bookingCheck(bench.db, [app, second], checkers);
  }
  const weights = wanted('(w)') ? await pageWeights(app.port, first, upcoming[0] ?? '') : [];
  const coldStart = wanted('(s)') ? await coldStarts(secret) : null;
  const appMemory = await ask(app.child, { type: 'memory' });
  const loadAtEnd = os.loadavg();
  const postgres = (await sql<{ version: string }>`select split_part(version(), ' ', 2) as version`.execute(bench.db)).rows[0]?.version ?? 'unknown';

  const report = markdown({
    rows,
    check,
    weights,
    coldStart,
    counts,
    appMaxRss: appMemory.maxRss,
    settings: { duration: DURATION, warmUp: WARM_UP, connections: CONNECTIONS, findQuery: FIND_QUERY, steadyRate: STEADY_FIND_RATE },
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? 'unknown CPU',
      memory: os.totalmem(),
      node: process.version,
      postgres,
      loadAtStart: loadAtStart[0] ?? 0,
      loadAtEnd: loadAtEnd[0] ?? 0,
    },
    scale: size.scale,
    size: size.name,
    date: new Date(),
  });
  console.log(report);
  if (!only) {
    writeFileSync(fileURLToPath(new URL(`./${size.resultsFile}`, import.meta.url)), report);
    log(`written to bench/${size.resultsFile}`);
  }
  if (check && !check.passed) exitCode = 1;
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
  if (process.env.BENCH_KEEP_SCHEMA) {
    await bench.close();
    log(`schema ${bench.schema} kept (BENCH_KEEP_SCHEMA): drop it with  drop schema ${bench.schema} cascade`);
  } else {
    await bench.drop();
    log(`schema ${bench.schema} dropped`);
  }
}
process.exit(exitCode);

// ---------------------------------------------------------------------------------------------

type Server = { kind: 'app' | 'bare'; port: number; child: ChildProcess };

function startServer(kind: 'app' | 'bare', secret: string): Promise<Server> {
  const child = fork(builtServer, [], {
    // BENCH_PROFILE=dir writes each server's CPU profile there (open it in Chrome's DevTools).
    execArgv: process.env.BENCH_PROFILE ? [...startFlags, '--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : startFlags,
    env: {
      ...process.env,
      BENCH_KIND: kind,
      BENCH_DATABASE_URL: url,
      BENCH_SCHEMA: bench.schema,
      BENCH_SESSION_SECRET: secret,
      BENCH_BASE_URL: BASE_URL,
    },
    // The app's request log goes to /dev/null, as cheap as a log shipper reading it would make it.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: ServerMessage) => {
      if (message.type === 'ready') resolve({ kind, port: message.port, child });
    });
    child.once('exit', (code) => reject(new Error(`the ${kind} server stopped (exit code ${code})`)));
  });
}

function ask(child: ChildProcess, message: ParentMessage): Promise<Extract<ServerMessage, { type: 'memory' }>> {
  return new Promise((resolve) => {
    child.once('message', (reply: ServerMessage) => {
      if (reply.type === 'memory') resolve(reply);
    });
    child.send(message);
  });
}

async function signIn(port: number, email: string, userId: string): Promise<Visitor> {
  const base = `http://127.0.0.1:${port}`;
  const jar = new CookieJar();
  const form = await fetch(`${base}/sign-in`, { headers: PROXIED, redirect: 'manual' });
  jar.take(form);
  const token = csrfTokenIn(await form.text());
  if (!token) throw new Error('no CSRF token on the sign-in page');
  const response = await fetch(`${base}/sign-in`, {
    method: 'POST',
    headers: { ...PROXIED, cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: BENCH_PASSWORD, returnTo: '/find', _csrf: token }),
    redirect: 'manual',
  });
  if (response.status !== 303) throw new Error(`sign-in answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  jar.take(response);
  return withCsrf(port, jar, userId);
}

/** A page fetched as this person: their CSRF cookie and the token a form on it would carry. */
async function withCsrf(port: number, jar: CookieJar, userId: string): Promise<Visitor> {
  const response = await fetch(`http://127.0.0.1:${port}/my-bookings`, { headers: { ...PROXIED, cookie: jar.header() }, redirect: 'manual' });
  if (response.status !== 200) throw new Error(`my bookings answered ${response.status} for a signed-in link worker`);
  jar.take(response);
  const csrfToken = csrfTokenIn(await response.text());
  if (!csrfToken) throw new Error('no CSRF token on the my bookings page');
  return { userId, cookie: jar.header(), csrfToken };
}

async function cloneSessions(db: Db, templateUserId: string, userIds: string[], secret: string, port: number): Promise<Visitor[]> {
  const template = await db
    .selectFrom('loginSessions')
    .select(['data', 'idleExpiresAt', 'absoluteExpiresAt'])
    .where('userId', '=', templateUserId)
    .executeTakeFirstOrThrow();
  const data = (typeof template.data === 'string' ? JSON.parse(template.data) : template.data) as Record<string, unknown>;
  const sessions = userIds.map((userId) => ({ userId, id: randomBytes(24).toString('base64url') }));
  await db
    .insertInto('loginSessions')
    .values(
      sessions.map(({ userId, id }) => ({
        idHash: hashToken(id),
        userId,
        data: JSON.stringify({ ...data, userId }),
        idleExpiresAt: template.idleExpiresAt,
        absoluteExpiresAt: template.absoluteExpiresAt,
      })),
    )
    .execute();
  const visitors: Visitor[] = [];
  for (let i = 0; i < sessions.length; i += 10) {
    const batch = sessions.slice(i, i + 10).map(({ userId, id }) => {
      const jar = new CookieJar();
      jar.set('__Host-tasters-session', encodeURIComponent(sign(id, secret)));
      return withCsrf(port, jar, userId);
    });
    visitors.push(...(await Promise.all(batch)));
  }
  return visitors;
}

async function sessionIds(db: Db, where: RawBuilder<unknown>): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    select id from taster_sessions where starts_at > now() and ${where} order by md5(id::text) limit 1000`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** Before measuring: the find page shows the very sessions the bare route returns. */
async function checkSamePage(appPort: number, barePort: number, visitor: Visitor): Promise<void> {
  const answer = await fetch(`http://127.0.0.1:${barePort}/find.json?${FIND_QUERY}`, { headers: { 'x-user-id': visitor.userId } });
  if (answer.status !== 200) throw new Error(`the bare route answered ${answer.status}: ${(await answer.text()).slice(0, 300)}`);
  const json = (await answer.json()) as { rows: Array<{ id: string }>; total: number };
  const page = await fetch(`http://127.0.0.1:${appPort}/find?${FIND_QUERY}`, { headers: pageHeaders(visitor), redirect: 'manual' });
  const html = await page.text();
  const missing = json.rows.filter((row) => !html.includes(`/sessions/${row.id}"`));
  if (page.status !== 200 || json.rows.length === 0 || missing.length > 0) {
    throw new Error(`the find page (${page.status}) does not show the ${json.rows.length} sessions of the bare route (${missing.length} missing)`);
  }
  log(`find query matches ${json.total} sessions; both servers show the same first page`);
}

function toRow(name: string, server: 'app' | 'bare', outcome: RunOutcome, memory: { peakRss: number; cpuMicros: number }, expected: number[]): Row {
  const unexpected = [...outcome.statuses].filter(([status]) => !expected.includes(status));
  return {
    name,
    server,
    rps: outcome.rps,
    p50: outcome.result.latency.p50,
    p99: outcome.result.latency.p99,
    peakRss: memory.peakRss,
    cpuMs: memory.cpuMicros / 1000 / Math.max(1, outcome.result.requests.total),
    requests: outcome.result.requests.total,
    failures: outcome.failures,
    unexpected: unexpected.length ? unexpected.map(([status, count]) => `${count} × ${status}`).join(', ') : 'none',
  };
}

/** Ten find pages at a time through one instance, once for each of these people. */
async function warmUp(instance: Server, people: Visitor[]): Promise<void> {
  for (let i = 0; i < people.length; i += CONNECTIONS) {
    await Promise.all(
      people.slice(i, i + CONNECTIONS).map(async (person) => {
        const response = await fetch(`http://127.0.0.1:${instance.port}/find?${FIND_QUERY}`, { headers: pageHeaders(person) });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`warming up: /find answered ${response.status}`);
      }),
    );
  }
}

/** QUALITY.md: 500 booking attempts in 10 s on one 10-place session → exactly 10 confirmed, p99 ≤ 1 s, no 5xx. */
async function bookingCheck(db: Db, instances: Server[], people: Visitor[]): Promise<Check> {
  const session = await sql<{ id: string }>`
    insert into taster_sessions (offer_id, venue_id, starts_at, ends_at, capacity, booking_closes_at, status, published_at)
    select offer_id, venue_id, now() + interval '7 days', now() + interval '7 days 90 minutes', ${CHECK_CAPACITY}, now() + interval '6 days', 'published', now()
    from taster_sessions where venue_id is not null limit 1
    returning id`.execute(db);
  const sessionId = session.rows[0]?.id;
  if (!sessionId) throw new Error('No seeded session with a venue to copy for the booking check');
  log(`check: ${CHECK_ATTEMPTS} booking attempts sent all at once through ${instances.length} app instances on one ${CHECK_CAPACITY}-place session`);
  await Promise.all(instances.map((instance) => ask(instance.child, { type: 'reset-memory' })));
  const booking = people.slice(0, CHECK_ATTEMPTS);
  // All at once: every request is started before any is answered, alternating between the instances.
  const started = performance.now();
  const answers = await Promise.all(
    booking.map(async (person, i) => {
      const post = formPost(person);
      const sent = performance.now();
      try {
        const instance = instances[i % instances.length];
        if (!instance) throw new Error('No app instance for the booking check');
        const response = await fetch(`http://127.0.0.1:${instance.port}/sessions/${sessionId}/book`, {
          method: 'POST',
          headers: post.headers,
          body: post.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(30_000),
        });
        await response.arrayBuffer();
        return { status: response.status, ms: performance.now() - sent };
      } catch {
        return { status: 0, ms: performance.now() - sent };
      }
    }),
  );
  const times = answers.map((answer) => answer.ms).sort((a, b) => a - b);
  const outcome = {
    statuses: answers.map((answer) => answer.status),
    seconds: (performance.now() - started) / 1000,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
  };
  const memories = await Promise.all(instances.map((instance) => ask(instance.child, { type: 'memory' })));
  const lockHeld = memories.flatMap((memory) => memory.lockHeldMs).sort((a, b) => a - b);
  const memory = { peakRss: Math.max(...memories.map((m) => m.peakRss)) };
  const counts = (
    await sql<{ confirmed: number; waitlisted: number; people: number; orderedWaits: number }>`
      select count(*) filter (where status = 'confirmed')::int as confirmed,
        count(*) filter (where status = 'waitlisted')::int as waitlisted,
        count(distinct user_id)::int as people,
        count(distinct waitlisted_at) filter (where status = 'waitlisted')::int as "orderedWaits"
      from bookings where taster_session_id = ${sessionId}`.execute(db)
  ).rows[0];
  if (!counts) throw new Error('Counting the bookings of the check session returned no row');
  const fiveHundreds = outcome.statuses.filter((status) => status >= 500).length;
  const failures = outcome.statuses.filter((status) => status === 0 || status >= 400).length;
  const passed =
    counts.confirmed === CHECK_CAPACITY &&
    counts.waitlisted === CHECK_ATTEMPTS - CHECK_CAPACITY &&
    counts.orderedWaits === counts.waitlisted &&
    outcome.p99 <= 1000 &&
    fiveHundreds === 0 &&
    failures === 0;
  const tally = new Map<number, number>();
  for (const status of outcome.statuses) tally.set(status, (tally.get(status) ?? 0) + 1);
  return {
    attempts: outcome.statuses.length,
    seconds: outcome.seconds,
    confirmed: counts.confirmed,
    waitlisted: counts.waitlisted,
    distinctWaits: counts.orderedWaits,
    people: counts.people,
    p50: outcome.p50,
    p99: outcome.p99,
    fiveHundreds,
    failures,
    statuses: [...tally].map(([status, count]) => `${count} × ${status || 'no answer'}`).join(', '),
    instances: instances.length,
    lockHeldP50: percentile(lockHeld, 50),
    lockHeldP99: percentile(lockHeld, 99),
    lockHolds: lockHeld.length,
    peakRss: memory.peakRss,
    passed,
  };
}

/**
 * Open-loop arrivals: request i is sent at i / rate seconds whatever happened to the earlier ones
 * (a closed loop of connections would slow down with the server and hide the queue, and
 * autocannon's rate limit sends each second's requests together, as a burst).
 */
async function openLoop(count: number, rate: number, send: (i: number) => Promise<Response>) {
  const started = performance.now();
  const attempts = Array.from(
    { length: count },
    (_, i) =>
      new Promise<{ status: number; ms: number }>((resolve) => {
        setTimeout(
          async () => {
            const sent = performance.now();
            try {
              const response = await send(i);
              await response.arrayBuffer();
              resolve({ status: response.status, ms: performance.now() - sent });
            } catch {
              resolve({ status: 0, ms: performance.now() - sent });
            }
          },
          (i * 1000) / rate,
        );
      }),
  );
  const results = await Promise.all(attempts);
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? 0;
  return { statuses: results.map((r) => r.status), p50: at(0.5), p99: at(0.99), seconds: (performance.now() - started) / 1000 };
}

/**
 * The weight of the pages a link worker uses most, each with the stylesheets and scripts it
 * links to, compressed as the proxy in front of production sends them (gzip, default level).
 */
async function pageWeights(port: number, visitor: Visitor, sessionId: string): Promise<PageWeight[]> {
  const pages = [`/find?${FIND_QUERY}`, '/find', `/sessions/${sessionId}`, '/my-bookings', '/my-record', '/account'];
  const weights: PageWeight[] = [];
  for (const path of pages) {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: pageHeaders(visitor), redirect: 'manual' });
    const html = await response.text();
    if (response.status !== 200) throw new Error(`page weight: ${path} answered ${response.status}`);
    const assets = [...html.matchAll(/<(?:link[^>]*rel="stylesheet"[^>]*href|script[^>]*src)="([^"]+)"/g)].map((match) => match[1] ?? '');
    let assetBytes = 0;
    for (const asset of new Set(assets)) {
      const body = Buffer.from(await (await fetch(`http://127.0.0.1:${port}${asset}`, { headers: pageHeaders(visitor) })).arrayBuffer());
      assetBytes += gzipSync(body).length;
    }
    weights.push({ path, pageBytes: gzipSync(html).length, assetBytes, assets: new Set(assets).size });
  }
  return weights.sort((a, b) => b.pageBytes + b.assetBytes - (a.pageBytes + a.assetBytes));
}

/**
 * Start to listening on a migrated database: `node dist/server.js` (what `npm start` runs) in
 * production mode, as a deployment starts it, timed from the spawn to its first answer on /readyz. Three starts; the
 * schema is the benchmark's, already migrated, so this measures what every restart pays.
 */
async function coldStarts(secret: string): Promise<number[]> {
  const times: number[] = [];
  const schemaUrl = new URL(url);
  schemaUrl.searchParams.set('options', `-c search_path=${bench.schema}`);
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const started = performance.now();
    const child = spawn(process.execPath, [...startFlags, builtApp], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        DATABASE_URL: schemaUrl.toString(),
        SESSION_SECRET: secret,
        BASE_URL: BASE_URL,
        LOG_LEVEL: 'fatal',
        // Nothing listens there: an email the worker picks up in these few seconds is tried again later.
        SMTP_URL: 'smtp://127.0.0.1:9',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`cold start: the server stopped (exit code ${child.exitCode})`);
        if (performance.now() - started > 30_000) throw new Error('cold start: no answer on /readyz within 30 s');
        const answer = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
        if (answer?.ok) break;
        // Polling the port, as a load balancer's health check does; 5 ms between tries.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      times.push(performance.now() - started);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    }
  }
  return times;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The p-th percentile of values sorted ascending (nearest rank). */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
