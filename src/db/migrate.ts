import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Kysely } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import { projectRoot } from '../lib/project-root.ts';
import type { Db } from './database.ts';

const migrationFolder = path.join(projectRoot, 'migrations');

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
    provider: migrationFiles,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

type MigrationModule = { up(db: Kysely<unknown>): Promise<void> };

/**
 * Kysely's FileMigrationProvider imports every migration file to learn their names, at every start,
 * although nearly all have run long ago: that was a fifth of the start-up time. This lists the
 * files (named as that provider names them, so existing databases agree) and imports one only when
 * the migrator runs it.
 */
const migrationFiles: MigrationProvider = {
  async getMigrations() {
    const files = (await fs.readdir(migrationFolder)).filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts')).sort();
    const migrations: Record<string, Migration> = {};
    for (const fileName of files) {
      const load = () => import(pathToFileURL(path.join(migrationFolder, fileName)).href) as Promise<MigrationModule>;
      // Only `up`: the app never undoes a migration (test/db/migrate.test.ts does, with Kysely's own provider).
      migrations[fileName.slice(0, -'.ts'.length)] = { up: async (db) => (await load()).up(db) };
    }
    return migrations;
  },
};
