import { startAccountRequestWorker } from './accounts/request-worker.ts';
import { buildApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { startSchedules } from './delivery/schedules.ts';
import { startMessageWorker } from './delivery/worker.ts';
import { DEMO_PASSWORD, demoAccounts } from './demo/seed.ts';
import { createBoss } from './messages/boss.ts';
import { mailerFor } from './messages/mailer.ts';
import { startRetentionSchedule } from './privacy/schedule.ts';
import { gracefulShutdown } from './shutdown.ts';
import { prepareDatabase } from './start.ts';

// Reads the environment, listens, and shuts down gracefully. Everything else is in buildApp.
let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const database = await prepareDatabase(config, (message) => console.log(message));
const app = await buildApp({ config, db: database.db });

// Email delivery and scheduled messages run in every instance; pg-boss shares the work out. It
// goes through DATABASE_URL even when that is PgBouncer in transaction mode: its advisory locks
// last one transaction, sent as one statement, and it listens for nothing (useListenNotify is off).
// Started once the app listens: the queue's start-up is a fifth of the time to start, and a page
// that needs an email only writes the outbox, which the worker reads whenever it begins.
async function startJobs() {
  const boss = createBoss(database, { databaseUrl: config.databaseUrl, log: app.log });
  await boss.start();
  const worker = await startMessageWorker({ db: database.db, boss, mailer: mailerFor(config), log: app.log });
  // Registrations and password-reset requests: the pages store them, this looks the address up and writes the email.
  const accountRequests = await startAccountRequestWorker({ boss, db: database.db, baseUrl: config.baseUrl, log: app.log });
  const schedules = await startSchedules({
    boss,
    db: database.db,
    baseUrl: config.baseUrl,
    secret: config.sessionSecret,
    minimumCheckHours: config.minimumCheckHours,
    log: app.log,
  });
  const retention = await startRetentionSchedule({ boss, db: database.db, policy: config.retention, log: app.log });
  return {
    stopTakingJobs: async () => {
      await Promise.all([worker.stop(), accountRequests.stop(), schedules.stop(), retention.stop()]);
    },
    // Its workers are stopped by then, so nothing is left for a graceful stop to wait for.
    stopJobQueue: () => boss.stop({ graceful: true, timeout: 1_000 }),
  };
}
let jobs: ReturnType<typeof startJobs> | undefined;

// On SIGTERM: stop taking jobs, answer new requests 503 while the load balancer notices, close
// the listener, finish the requests in flight, then exit (src/shutdown.ts has the order and why).
const shutdown = gracefulShutdown({
  app,
  // A stop that comes while the queue is still starting waits for it, then stops it.
  stopTakingJobs: async () => (await jobs)?.stopTakingJobs(),
  stopJobQueue: async () => (await jobs)?.stopJobQueue(),
  closeDatabase: () => database.close(),
  exit: (code) => process.exit(code),
  log: app.log,
  drainMs: config.shutdownDrainSeconds * 1000,
});
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ port: config.port, host: config.host });
jobs = startJobs();
await jobs;
if (config.demoData) {
  console.log(`\nTasters is running at ${config.baseUrl} with demo data (${database.kind}).`);
  console.log(`Demo accounts (password "${DEMO_PASSWORD}"):`);
  for (const account of demoAccounts) console.log(`  ${account.role.padEnd(12)} ${account.email}`);
}
