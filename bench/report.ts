import type { Scale, SeedCounts } from './seed.ts';

export type Row = {
  name: string;
  server: 'app' | 'bare';
  rps: number;
  p50: number;
  p99: number;
  peakRss: number;
  /** CPU time of the server process per completed request, in ms (the database's is not included). */
  cpuMs: number;
  requests: number;
  /** Responses that were not 2xx or 3xx, connection errors and timeouts. */
  failures: number;
  /** Statuses other than the one the run expects (a 303 to sign-in on the find page, say). */
  unexpected: string;
};

/** One page and what it links to, compressed (gzip). */
export type PageWeight = { path: string; pageBytes: number; assetBytes: number; assets: number };

export type Check = {
  attempts: number;
  seconds: number;
  confirmed: number;
  waitlisted: number;
  distinctWaits: number;
  people: number;
  p50: number;
  p99: number;
  fiveHundreds: number;
  failures: number;
  statuses: string;
  instances: number;
  /** How long each booking statement (one person, or several booked together) held the session's lock, over all instances. */
  lockHeldP50: number;
  lockHeldP99: number;
  lockHolds: number;
  peakRss: number;
  passed: boolean;
};

export type Report = {
  rows: Row[];
  check: Check | null;
  weights: PageWeight[];
  /** Spawn to first answer of `node dist/server.js` on a migrated database, ms, one per start. */
  coldStart: number[] | null;
  counts: SeedCounts;
  appMaxRss: number;
  settings: { duration: number; warmUp: number; connections: number; findQuery: string; steadyRate: number };
  machine: { cpus: number; model: string; memory: number; node: string; postgres: string; loadAtStart: number; loadAtEnd: number };
  scale: Scale;
  /** Which size of data, in words. */
  size: string;
  date: Date;
};

const n = (value: number) => value.toLocaleString('en-GB');
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const ms = (value: number) => (value >= 10 ? value.toFixed(0) : value.toFixed(1));
const met = (ok: boolean) => (ok ? '**met**' : '**not met**');

/** Throughput over several runs of one kind: all requests over all the time. */
function combined(rows: Row[]) {
  if (rows.length === 0) return null;
  const requests = rows.reduce((sum, row) => sum + row.requests, 0);
  const seconds = rows.reduce((sum, row) => sum + row.requests / row.rps, 0);
  return { rps: requests / seconds, p99: Math.max(...rows.map((row) => row.p99)) };
}

export function markdown(report: Report): string {
  const { rows, check, counts, machine, settings } = report;
  const of = (prefix: string) => rows.filter((row) => row.name.startsWith(prefix));
  const find = combined(of('(a)'));
  const bare = combined(of('(d)'));
  const booking = combined(of('(c)'));
  const bareBooking = combined(of('(e)'));
  const steady = combined(of('(g)'));
  const findRss = Math.max(0, ...of('(a)').map((row) => row.peakRss));
  const heaviest = report.weights[0];

  const lines = [
    '# Benchmark results',
    '',
    `\`BENCH_DATABASE_URL=postgres://… npm run bench\`, ${report.date.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    `**Machine:** ${machine.cpus} × ${machine.model}, ${(machine.memory / 1024 ** 3).toFixed(0)} GB RAM; Node ${machine.node}; ` +
      `PostgreSQL ${machine.postgres} on the same machine, default settings. The load generator, both servers and the database ` +
      `share these ${machine.cpus} cores. Load average (1 min) ${machine.loadAtStart.toFixed(1)} at the start and ` +
      `${machine.loadAtEnd.toFixed(1)} at the end${machine.loadAtStart > machine.cpus / 2 ? ': other work was running on the machine, so the figures are lower and noisier than on an idle one' : ''}.`,
    '',
    `**Data** (${report.size}): ${n(counts.organisations)} organisations, ${n(counts.venues)} venues, ${n(counts.linkWorkers)} link workers ` +
      `(${n(counts.users)} users), ${n(counts.offers)} offers, ${n(counts.sessions)} sessions over the past ${report.scale.historyDays} ` +
      `days and the next ${report.scale.futureDays} (${n(counts.upcomingPublished)} upcoming and published), ${n(counts.bookings)} bookings.`,
    '',
    `**Load:** autocannon over loopback, ${settings.connections} connections, ${settings.duration} s per run after a ` +
      `${settings.warmUp} s warm-up. The app (\`buildApp\`, production configuration: cached templates, Secure \`__Host-\` ` +
      'cookies behind a trusted proxy, CSP nonces, request log at info level) and the bare Fastify route each run in their own ' +
      'Node process with a 10-connection pool, measured one at a time. Every app request is a signed-in link worker with a ' +
      `session of their own. Find query: \`${settings.findQuery}\`. Run (g) and the check (f) are open-loop instead: each ` +
      'request is sent at its own time (for (g), one every ' +
      `${(1000 / settings.steadyRate).toFixed(0)} ms), however slowly the earlier ones are answered.`,
    '',
    '| run | server | req/s | p50 ms | p99 ms | server CPU ms/req | peak RSS MB | not 2xx/3xx | unexpected statuses |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (row) =>
        `| ${row.name} | ${row.server} | ${n(Math.round(row.rps))} | ${ms(row.p50)} | ${ms(row.p99)} | ${row.cpuMs.toFixed(2)} | ${mb(row.peakRss)} | ${row.failures} | ${row.unexpected} |`,
    ),
    '',
    ...(find && bare
      ? [
          `- **Find page / bare route throughput:** ${(find.rps / bare.rps).toFixed(2)} (${n(Math.round(find.rps))} / ${n(Math.round(bare.rps))} req/s; target ≥ 0.8: ${met(find.rps / bare.rps >= 0.8)}).`,
          `- **Find page p99 as fast as it will go** (${settings.connections} connections, each sending its next request as soon as the last is answered, so requests queue): ${ms(find.p99)} ms; bare route ${ms(bare.p99)} ms; ratio ${(find.p99 / bare.p99).toFixed(2)} (target ≤ 1.3: ${met(find.p99 / bare.p99 <= 1.3)}).`,
        ]
      : []),
    ...(steady
      ? [
          `- **Find page p99 at a steady ${settings.steadyRate} req/s** (the estimated busiest hour at national scale ×10): ${ms(steady.p99)} ms (target < 50 ms: ${met(steady.p99 < 50)}).`,
        ]
      : []),
    ...(booking && bareBooking
      ? [
          `- **Booking and cancelling through the pages / the same transactions bare:** ${(booking.rps / bareBooking.rps).toFixed(2)} (${n(Math.round(booking.rps))} / ${n(Math.round(bareBooking.rps))} req/s; target ≥ 0.5: ${met(booking.rps / bareBooking.rps >= 0.5)}).`,
        ]
      : []),
    ...(findRss > 0
      ? [
          `- **App memory under the find load:** peak RSS ${mb(findRss)} MB (target ≤ 150 MB: ${met(findRss <= 150 * 1024 * 1024)}); over the whole run ${mb(report.appMaxRss)} MB.`,
        ]
      : []),
    ...(report.coldStart?.length
      ? [
          `- **Start to listening on a migrated database** (\`node dist/server.js\`, production settings, spawn to first answer on /readyz): ${report.coldStart.map((time) => `${(time / 1000).toFixed(2)} s`).join(', ')} (target ≤ 1 s: ${met(Math.max(...report.coldStart) <= 1000)}).`,
        ]
      : []),
    ...(heaviest
      ? [
          `- **Heaviest page with its CSS and script, gzip:** ${heaviest.path}, ${kb(heaviest.pageBytes + heaviest.assetBytes)} KB (page ${kb(heaviest.pageBytes)} KB + ${heaviest.assets} files ${kb(heaviest.assetBytes)} KB; target ≤ 100 KB: ${met(heaviest.pageBytes + heaviest.assetBytes <= 100 * 1024)}). The others: ${report.weights
            .slice(1)
            .map((weight) => `${weight.path} ${kb(weight.pageBytes + weight.assetBytes)} KB`)
            .join(', ')}.`,
        ]
      : []),
    ...(check
      ? [
          `- **(f) ${n(check.attempts)} booking attempts sent all at once through ${check.instances} app instances on one 10-place session** (${n(check.people)} different people; the last answered ${check.seconds.toFixed(1)} s after the first was sent): ` +
            `${check.confirmed} confirmed, ${check.waitlisted} on the waiting list (${check.distinctWaits} distinct places in the queue), ` +
            `p50 ${ms(check.p50)} ms, p99 ${ms(check.p99)} ms, ${check.fiveHundreds} × 5xx, responses ${check.statuses}; ` +
            `the session's lock was held p50 ${check.lockHeldP50.toFixed(2)} ms, p99 ${check.lockHeldP99.toFixed(2)} ms (${n(check.lockHolds)} holds for ${n(check.attempts)} attempts: people asking through one instance while a booking of the session is being made are booked together by its next statement; measured in the database from the grant to the end of the statement, and the commit follows at once): ` +
            `${check.passed ? '**passed**' : '**failed**'} (exactly 10 confirmed, p99 ≤ 1 s, no 5xx).`,
        ]
      : []),
    '',
  ];
  return lines.join('\n');
}
