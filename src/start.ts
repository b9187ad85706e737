import { sql } from 'kysely';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { appDatabaseOptions, directDatabaseOptions } from './db/connections.ts';
import { type DatabaseHandle, type Db, openDatabase, STATEMENT_TIMEOUT_MS } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { DEMO_PASSWORD, seedDemoData } from './demo/seed.ts';

/** Opens the configured database, brings its schema up to date and, for the demo, fills it. */
export async function prepareDatabase(config: Config, log: (message: string) => void): Promise<DatabaseHandle> {
  const onPoolError = (error: Error) => log(`database connection error: ${error.message}`);
  const options = { ...appDatabaseOptions(config), onPoolError };
  let handle: DatabaseHandle;
  if (options.pooled) {
    const direct = await openDatabase({ ...directDatabaseOptions(config), onPoolError });
    try {
      reportApplied(await migrateToLatest(direct.db), log);
    } finally {
      await direct.close();
    }
    handle = await openDatabase(options);
    await warnWithoutStatementTimeout(handle.db, log);
  } else {
    handle = await openDatabase(options);
    reportApplied(await migrateToLatest(handle.db), log);
  }
  if (config.demoData) {
    const seeded = await seedDemoData(handle.db);
    if (seeded) log(`added demo data: sign in with any demo account below, password "${DEMO_PASSWORD}"`);
  }
  return handle;
}

function reportApplied(applied: string[], log: (message: string) => void) {
  if (applied.length) log(`applied migrations: ${applied.join(', ')}`);
}

/**
 * Through PgBouncer the app cannot ask for its statement timeout when it connects, so the server
 * must hold it. Without one a runaway statement keeps its locks and connection indefinitely: say so
 * at every start, with the fix.
 */
async function warnWithoutStatementTimeout(db: Db, log: (message: string) => void) {
  const { rows } = await sql<{ ms: number }>`select setting::int as ms from pg_settings where name = 'statement_timeout'`.execute(db);
  if (rows[0]?.ms === 0) {
    log(
      `warning: statements through DATABASE_URL have no time limit. Set one on the server, for example ` +
        `ALTER ROLE <the app's role> SET statement_timeout = '${STATEMENT_TIMEOUT_MS / 1000}s' (see the README, deploy)`,
    );
  }
}

export { buildApp };
