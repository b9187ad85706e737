import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { openDatabase, pgliteFolder, type DatabaseHandle } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { DEMO_PASSWORD, seedDemoData } from './demo/seed.ts';

/** Opens the configured database, brings its schema up to date and, for the demo, fills it. */
export async function prepareDatabase(config: Config, log: (message: string) => void): Promise<DatabaseHandle> {
  const handle = await openDatabase({
    databaseUrl: config.databaseUrl,
    poolSize: config.databasePoolSize,
    pgliteDataDir: pgliteFolder(config.dataDir),
    onPoolError: (error) => log(`database connection error: ${error.message}`),
  });
  const applied = await migrateToLatest(handle.db);
  if (applied.length) log(`applied migrations: ${applied.join(', ')}`);
  if (config.demoData) {
    const seeded = await seedDemoData(handle.db);
    if (seeded) log(`added demo data: sign in with any demo account below, password "${DEMO_PASSWORD}"`);
  }
  return handle;
}

export { buildApp };
