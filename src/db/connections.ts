import { type DatabaseOptions, pgliteFolder } from './database.ts';

/** The settings (from config.ts) that say where the database is. */
export type ConnectionSettings = { databaseUrl?: string; databaseDirectUrl?: string; databasePoolSize: number; dataDir: string };

/** Where the app's own queries go: DATABASE_URL, which may be PgBouncer in transaction mode. */
export function appDatabaseOptions(config: ConnectionSettings): DatabaseOptions {
  return {
    databaseUrl: config.databaseUrl,
    pooled: Boolean(config.databaseUrl && config.databaseDirectUrl),
    poolSize: config.databasePoolSize,
    pgliteDataDir: pgliteFolder(config.dataDir),
  };
}

/**
 * PostgreSQL itself (DATABASE_DIRECT_URL when the app goes through PgBouncer), for migrations and
 * the command-line tools that run them. Kysely's migrator holds a session-level advisory lock from
 * start to end; through a transaction pooler the lock and its release can land on two different
 * server connections, and a lock left behind on one of them makes the next start wait, or lets
 * two starts run at once.
 */
export function directDatabaseOptions(config: ConnectionSettings, poolSize = 1): DatabaseOptions {
  return { databaseUrl: config.databaseDirectUrl ?? config.databaseUrl, poolSize, pgliteDataDir: pgliteFolder(config.dataDir) };
}
