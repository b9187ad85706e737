import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { type Config, testConfig } from '../src/config.ts';
import { type Db, openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { checkHtmlResponses, htmlFailure } from './html/check.ts';

export type TestDatabase = { db: Db; kind: 'postgres' | 'pglite'; close: () => Promise<void> };

/** Which database this run tests against: TEST_DB=postgres uses TEST_DATABASE_URL, anything else PGlite. */
export const testDatabaseKind: 'postgres' | 'pglite' = process.env.TEST_DB === 'postgres' && process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

/**
 * A fresh, migrated database for one test file: an in-memory PGlite, or a schema of its own on
 * the PostgreSQL server, dropped afterwards. Each call gives a new one.
 */
export async function createTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  if (testDatabaseKind === 'pglite') {
    const handle = await openDatabase({ pgliteDataDir: 'memory://' });
    await migrateToLatest(handle.db);
    return handle;
  }
  const url = process.env.TEST_DATABASE_URL!;
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  await admin.close();
  const handle = await openDatabase({ databaseUrl: url, schema, poolSize: options.poolSize ?? 8 });
  await migrateToLatest(handle.db, schema);
  return {
    db: handle.db,
    kind: 'postgres',
    close: async () => {
      await handle.close();
      const cleaner = await openDatabase({ databaseUrl: url, poolSize: 1 });
      await sql`drop schema ${sql.id(schema)} cascade`.execute(cleaner.db);
      await cleaner.close();
    },
  };
}

/** Another connection pool onto the same test database: a second app instance for concurrency tests. */
export async function openSecondPool(database: TestDatabase, poolSize = 8): Promise<{ db: Db; close: () => Promise<void> }> {
  if (database.kind !== 'postgres') throw new Error('A second pool needs PostgreSQL');
  const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db)).rows[0]!.schema;
  return openDatabase({ databaseUrl: process.env.TEST_DATABASE_URL!, schema, poolSize });
}

type Teardown = { teardown: (fn: () => unknown) => void };

/**
 * The real app, built through its factory, on a test database. Closed when the test ends.
 * Every HTML page and htmx fragment it sends is validated (test/html/config.ts): the test fails
 * at its end, naming the request, rule and line, if any was invalid.
 */
export async function buildTestApp(t: Teardown, database: TestDatabase, overrides: Partial<Config> = {}): Promise<FastifyInstance> {
  const app = await buildApp({ config: testConfig(overrides), db: database.db });
  validateEveryHtmlResponse(t, app);
  t.teardown(() => app.close());
  return app;
}

/** For tests that build the app themselves: validates its HTML responses as buildTestApp does. */
export function validateEveryHtmlResponse(t: Teardown, app: FastifyInstance): void {
  const check = checkHtmlResponses(app);
  t.teardown(() => {
    const failure = htmlFailure(check);
    if (failure) throw failure;
  });
}

/**
 * A browser-like visitor for inject: keeps cookies, and finds the CSRF token on the last page it
 * fetched so form posts carry it as a real form would.
 */
export class Visitor {
  readonly app: FastifyInstance;
  cookies: Record<string, string> = {};
  csrfToken = '';
  last?: LightMyRequestResponse;
  /** The address requests come from (per-address limits count by it). */
  remoteAddress = '127.0.0.1';

  constructor(app: FastifyInstance) {
    this.app = app;
  }

  private remember(response: LightMyRequestResponse) {
    for (const cookie of response.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now()) || cookie.value === '';
      if (expired) delete this.cookies[cookie.name];
      else this.cookies[cookie.name] = cookie.value;
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body) ?? /"x-csrf-token": "([^"]+)"/.exec(response.body);
    if (token) this.csrfToken = token[1]!;
    this.last = response;
    return response;
  }

  async get(url: string, headers: Record<string, string> = {}) {
    return this.remember(await this.app.inject({ method: 'GET', url, cookies: this.cookies, headers, remoteAddress: this.remoteAddress }));
  }

  /** Posts a form. Fetches `from` first (or the same URL) when there is no token yet. */
  async post(url: string, form: Record<string, string | string[]> = {}, options: { csrf?: boolean; headers?: Record<string, string> } = {}) {
    if (options.csrf !== false && !this.csrfToken) await this.get(url.split('?')[0]!);
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
    }
    if (options.csrf !== false && !('_csrf' in form)) body.append('_csrf', this.csrfToken);
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        cookies: this.cookies,
        remoteAddress: this.remoteAddress,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
        payload: body.toString(),
      }),
    );
  }

  async signIn(email: string, password: string) {
    await this.get('/sign-in');
    const response = await this.post('/sign-in', { email, password });
    if (response.statusCode !== 303) throw new Error(`sign-in failed for ${email}: ${response.statusCode}`);
    return response;
  }
}

/** The text of the first h1, with tags and extra spaces removed. */
export function heading(html: string): string {
  const match = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html);
  return match
    ? match[1]!
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ')
        .trim()
    : '';
}

/** The entries of the error summary, in order. */
export function errorSummary(html: string): string[] {
  const summary = /<div class="nhsuk-error-summary"[\s\S]*?<\/ul>/.exec(html);
  if (!summary) return [];
  return [...summary[0].matchAll(/<a href="#([^"]+)">([\s\S]*?)<\/a>/g)].map((m) => `${m[1]}: ${m[2]!.trim()}`);
}

/** The message shown beside a field. */
export function fieldError(html: string, field: string): string | undefined {
  const match = new RegExp(`id="${field}-error"><span class="nhsuk-u-visually-hidden">Error:</span> ([^<]*)</span>`).exec(html);
  return match?.[1]?.trim();
}

export function decodeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * Fresh planner statistics for this test database's own tables. A bare ANALYZE would visit every
 * schema on the server, and other test files drop theirs meanwhile ("relation with OID … does not exist").
 */
export async function analyzeTestSchema(db: Db): Promise<void> {
  const { rows } = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema()`.execute(db);
  for (const { name } of rows) await sql`analyze ${sql.id(name)}`.execute(db);
}
