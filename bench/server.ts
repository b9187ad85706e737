/**
 * One server under test, in a process of its own, started by bench/run.ts with `fork`:
 * BENCH_KIND=app is the real app (buildApp, production config); BENCH_KIND=bare is the bare
 * Fastify baseline (bench/bare.ts). Both open the same database with the same pool size. The
 * process reports its port, and its peak memory when asked, over the IPC channel.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { DEFAULT_PRODUCTION_PROXIES, testConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { sessionLockHeld } from '../src/db/transaction.ts';
import { buildBareApp } from './bare.ts';

export type ServerMessage = { type: 'ready'; port: number } | { type: 'memory'; peakRss: number; maxRss: number; cpuMicros: number; lockHeldMs: number[] };
export type ParentMessage = { type: 'reset-memory' } | { type: 'memory' };

export const POOL_SIZE = 10;

const kind = process.env.BENCH_KIND;
// Set by bench/run.ts, which starts this file; run alone, it says what is missing.
function fromParent(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: bench/server.ts is started by bench/run.ts`);
  return value;
}

/** Messages go to bench/run.ts over the IPC channel that fork opens. */
function tell(message: ServerMessage): void {
  if (!process.send) throw new Error('bench/server.ts is started by bench/run.ts with fork, which opens the channel it answers on');
  process.send(message);
}

const url = fromParent('BENCH_DATABASE_URL');
const schema = fromParent('BENCH_SCHEMA');
const secret = fromParent('BENCH_SESSION_SECRET');
const baseUrl = fromParent('BENCH_BASE_URL');

const database = await openDatabase({
  databaseUrl: url,
  schema,
  poolSize: POOL_SIZE,
  onPoolError: (error) => console.error(`database connection error: ${error.message}`),
});

let app: FastifyInstance;
if (kind === 'app') {
  // Production settings throughout: cached templates, Secure __Host- cookies, HSTS, info logs
  // (to /dev/null: the parent ignores stdout), two-step sign-in required of coordinators, and
  // the proxies a production instance trusts. The benchmark speaks plain HTTP on loopback and
  // says X-Forwarded-Proto: https, exactly as the TLS-ending proxy in front of production does.
  const config = testConfig({
    env: 'production',
    baseUrl,
    sessionSecret: secret,
    databaseUrl: url,
    databasePoolSize: POOL_SIZE,
    trustProxy: DEFAULT_PRODUCTION_PROXIES,
    twoStepRequiredRoles: ['coordinator'],
    logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  });
  app = await buildApp({ config, db: database.db });
} else if (kind === 'bare') {
  app = await buildBareApp(database.db, baseUrl);
} else {
  throw new Error(`BENCH_KIND must be app or bare, not ${kind}`);
}

// Resident memory, sampled often enough to catch the peak of a 10-second run.
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 25);
sampler.unref();

// CPU time this process used since the last reset: on a busy machine a steadier measure of the
// work per request than throughput.
let cpuAtReset = process.cpuUsage();

// How long each transaction held a taster session's lock (src/db/transaction.ts), since the last reset.
let lockHeldMs: number[] = [];
sessionLockHeld.subscribe((message) => lockHeldMs.push((message as { heldMs: number }).heldMs));

process.on('message', (message: ParentMessage) => {
  if (message.type === 'reset-memory') {
    peakRss = process.memoryUsage.rss();
    cpuAtReset = process.cpuUsage();
    lockHeldMs = [];
  }
  const cpu = process.cpuUsage(cpuAtReset);
  const reply: ServerMessage = {
    type: 'memory',
    peakRss: Math.max(peakRss, process.memoryUsage.rss()),
    maxRss: process.resourceUsage().maxRSS * 1024,
    cpuMicros: cpu.user + cpu.system,
    lockHeldMs,
  };
  tell(reply);
});

async function stop() {
  await app.close();
  await database.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const ready: ServerMessage = { type: 'ready', port: typeof address === 'object' && address ? address.port : 0 };
tell(ready);
