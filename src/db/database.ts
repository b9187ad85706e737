import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, Kysely, PGliteDialect, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database or an open transaction: for reads that may run inside or outside one. */
export type Queryable = Kysely<Database> | Transaction<Database>;

// node-postgres returns int8 as a string and date as a Date in local time; keep both faithful.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type DatabaseOptions = {
  databaseUrl?: string | undefined;
  poolSize?: number;
  /** Folder for the embedded database; 'memory://' for a throwaway one. */
  pgliteDataDir?: string;
  /** Search path for test isolation on a shared PostgreSQL server. */
  schema?: string;
  onPoolError?: (error: Error) => void;
};

export type DatabaseHandle = {
  db: Db;
  kind: 'postgres' | 'pglite';
  close: () => Promise<void>;
  /** The embedded database itself, for the job queue (pg-boss) to share its single connection. */
  pglite?: PGlite;
};

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const plugins = [new CamelCasePlugin()];
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // A statement that runs away holds locks and a connection; cut it off well before a request times out.
      statement_timeout: 15_000,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // Without a listener an idle client's error (database restart) would crash the process.
    pool.on('error', (error) => options.onPoolError?.(error));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const dataDir = options.pgliteDataDir ?? 'memory://';
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }), plugins });
  return { db, kind: 'pglite', close: () => db.destroy(), pglite };
}

export function pgliteFolder(dataDir: string): string {
  return join(dataDir, 'pglite');
}
