import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import {
  CamelCasePlugin,
  type DatabaseIntrospector,
  Kysely,
  PGliteDialect,
  PostgresDialect,
  type SchemaMetadata,
  sql,
  type TableMetadata,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database or an open transaction: for reads that may run inside or outside one. */
export type Queryable = Kysely<Database> | Transaction<Database>;

// node-postgres returns int8 as a string and date as a Date in local time; keep both faithful.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

/** The longest a statement may run; through PgBouncer, set on the database role (README, deploy). */
export const STATEMENT_TIMEOUT_MS = 15_000;

export type DatabaseOptions = {
  databaseUrl?: string | undefined;
  poolSize?: number;
  /** Folder for the embedded database; 'memory://' for a throwaway one. */
  pgliteDataDir?: string;
  /** Search path for test isolation on a shared PostgreSQL server. */
  schema?: string;
  /**
   * databaseUrl goes through a transaction pooler (PgBouncer in transaction mode): send no session
   * settings when connecting. PgBouncer refuses a connection that asks for one it does not track,
   * and one it passed on would stay with whichever server connection happened to run it.
   */
  pooled?: boolean;
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
    if (options.pooled && options.schema) throw new Error('A schema cannot be chosen through a transaction pooler: give the test a database of its own');
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // A statement that runs away holds locks and a connection; cut it off well before a request
      // times out. Through a pooler the server applies it instead (src/start.ts warns when it does not).
      ...(options.pooled ? {} : { statement_timeout: STATEMENT_TIMEOUT_MS }),
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // Without a listener an idle client's error (database restart) would crash the process.
    pool.on('error', (error) => options.onPoolError?.(error));
    const db = new Kysely<Database>({ dialect: new OwnSchemaPostgresDialect({ pool }), plugins });
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

/**
 * Kysely's migrator asks the introspector whether its bookkeeping tables exist. The stock
 * PostgreSQL introspector reads every table and column of every schema, calling functions on each
 * schema by name, so a schema dropped by someone else at that moment fails our start with "schema
 * does not exist" (seen when parallel test files each drop their own schema). Ours looks only at
 * the schema Tasters writes to, the first on the search path, and reads names from the catalogue
 * alone. It reports tables without columns, its own bookkeeping tables included: the migrator
 * needs nothing more, and nothing else asks.
 */
class OwnSchemaIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<unknown>;

  constructor(db: Kysely<unknown>) {
    this.#db = db;
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    const result = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(this.#db);
    return result.rows;
  }

  async getTables(): Promise<TableMetadata[]> {
    const result = await sql<{ name: string; schema: string; kind: string }>`
      select c.relname as name, n.nspname as schema, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'v', 'p', 'f')
      order by c.relname`.execute(this.#db);
    return result.rows.map((row) => ({ name: row.name, schema: row.schema, isView: row.kind === 'v', isForeign: row.kind === 'f', columns: [] }));
  }
}

class OwnSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new OwnSchemaIntrospector(db);
  }
}
