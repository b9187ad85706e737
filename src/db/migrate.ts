import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileMigrationProvider, Migrator } from 'kysely/migration';
import type { Db } from './database.ts';

const migrationFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

/**
 * Brings the schema up to date. Several instances may start at once: Kysely's PostgreSQL adapter
 * holds a session-level advisory lock (pg_advisory_lock) for the whole run, so they take turns and
 * the later ones find nothing to do. The test in test/db/migrate.test.ts starts several together.
 * The lock belongs to a database session, so `db` must reach PostgreSQL directly, never through
 * PgBouncer in transaction mode (src/db/connections.ts, DATABASE_DIRECT_URL).
 */
export async function migrateToLatest(db: Db, schema?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder }),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
