import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { DEMO_PASSWORD, demoAccounts } from './demo/seed.ts';
import { createBoss } from './messages/boss.ts';
import { mailerFor } from './messages/mailer.ts';
import { startSchedules } from './messages/schedules.ts';
import { startMessageWorker } from './messages/worker.ts';
import { startRetentionSchedule } from './privacy/schedule.ts';
import { prepareDatabase } from './start.ts';

// Reads the environment, listens, and shuts down gracefully. Everything else is in buildApp.
let config;
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

// Email delivery and scheduled messages run in every instance; pg-boss shares the work out.
const boss = createBoss(database, { databaseUrl: config.databaseUrl, log: app.log });
await boss.start();
const worker = await startMessageWorker({ db: database.db, boss, mailer: mailerFor(config), log: app.log });
const schedules = await startSchedules({ boss, db: database.db, baseUrl: config.baseUrl, secret: config.sessionSecret, log: app.log });
const retention = await startRetentionSchedule({ boss, db: database.db, policy: config.retention, log: app.log });

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down: finishing requests in flight');
  // If anything hangs, leave anyway within the 10 seconds a platform allows.
  const deadline = setTimeout(() => process.exit(1), 9_000);
  deadline.unref();
  await app.close();
  // A message being sent finishes; one not yet fetched waits in the queue for the next start.
  await schedules.stop();
  await retention.stop();
  await worker.stop();
  await boss.stop({ graceful: true, timeout: 5_000 });
  await database.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ port: config.port, host: config.host });
if (config.demoData) {
  console.log(`\nTasters is running at ${config.baseUrl} with demo data (${database.kind}).`);
  console.log(`Demo accounts (password "${DEMO_PASSWORD}"):`);
  for (const account of demoAccounts) console.log(`  ${account.role.padEnd(12)} ${account.email}`);
}
