import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import t from 'tap';
import { type Db, openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { testDatabaseKind } from '../helper.ts';

const migrationFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');
const allMigrations = readdirSync(migrationFolder)
  .filter((file) => /\.ts$/.test(file))
  .map((file) => file.replace(/\.ts$/, ''))
  .sort();

async function appliedMigrations(db: Db, schema?: string): Promise<string[]> {
  const table = schema ? sql.table(`${schema}.kysely_migration`) : sql.table('kysely_migration');
  const rows = await sql<{ name: string }>`select name from ${table} order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

t.test('there are migrations to run', async (t) => {
  t.ok(allMigrations.length >= 3, allMigrations.join(', '));
});

if (testDatabaseKind === 'postgres') {
  t.test('three instances starting at once on a fresh database: each migration runs exactly once, nobody fails', async (t) => {
    const url = process.env.TEST_DATABASE_URL!;
    const schema = `test_migrate_${randomBytes(5).toString('hex')}`;
    const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
    t.teardown(async () => {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
      await admin.close();
    });
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);

    // Three separate pools, as three app instances would have.
    const instances = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: url, schema, poolSize: 2 })));
    t.teardown(() => Promise.all(instances.map((i) => i.close())));
    const outcomes = await Promise.allSettled(instances.map((instance) => migrateToLatest(instance.db, schema)));

    t.same(
      outcomes.map((o) => o.status),
      ['fulfilled', 'fulfilled', 'fulfilled'],
      'no instance failed',
    );
    const applied = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value : []));
    t.same([...applied].sort(), allMigrations, 'together they applied every migration exactly once');
    t.equal(outcomes.filter((o) => o.status === 'fulfilled' && o.value.length > 0).length, 1, 'one instance did the work, the others found it done');
    t.same(await appliedMigrations(admin.db, schema), allMigrations, 'recorded once each');
    const users = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(`${schema}.users`)}`.execute(admin.db);
    t.equal(users.rows[0]!.n, 0, 'the tables exist');

    const again = await migrateToLatest(instances[0]!.db, schema);
    t.same(again, [], 'a later start has nothing to do');
  });
} else {
  t.test('migrating a fresh embedded database applies everything once; a second run has nothing to do', async (t) => {
    const handle = await openDatabase({ pgliteDataDir: 'memory://' });
    t.teardown(() => handle.close());
    const first = await migrateToLatest(handle.db);
    t.same(first, allMigrations);
    const second = await migrateToLatest(handle.db);
    t.same(second, []);
    const third = await migrateToLatest(handle.db);
    t.same(third, []);
    t.same(await appliedMigrations(handle.db), allMigrations, 'recorded once each');
    const users = await sql<{ n: number }>`select count(*)::int as n from users`.execute(handle.db);
    t.equal(users.rows[0]!.n, 0, 'the tables exist');
  });
}

t.test('every migration can be undone and done again', async (t) => {
  if (testDatabaseKind === 'postgres') {
    const url = process.env.TEST_DATABASE_URL!;
    const schema = `test_down_${randomBytes(5).toString('hex')}`;
    const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);
    const handle = await openDatabase({ databaseUrl: url, schema, poolSize: 2 });
    t.teardown(async () => {
      await handle.close();
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
      await admin.close();
    });
    await checkDownAndUp(t, handle.db, schema);
  } else {
    const handle = await openDatabase({ pgliteDataDir: 'memory://' });
    t.teardown(() => handle.close());
    await checkDownAndUp(t, handle.db);
  }
});

if (testDatabaseKind === 'postgres') {
  t.test('the migrator looks only at its own schema, so another schema dropped meanwhile cannot fail a start', async (t) => {
    const url = process.env.TEST_DATABASE_URL!;
    const ours = `test_own_${randomBytes(5).toString('hex')}`;
    const theirs = `test_theirs_${randomBytes(5).toString('hex')}`;
    const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
    await sql`create schema ${sql.id(ours)}`.execute(admin.db);
    await sql`create schema ${sql.id(theirs)}`.execute(admin.db);
    await sql`create table ${sql.table(`${theirs}.kysely_migration`)} (name text)`.execute(admin.db);
    const handle = await openDatabase({ databaseUrl: url, schema: ours, poolSize: 2 });
    t.teardown(async () => {
      await handle.close();
      await sql`drop schema if exists ${sql.id(ours)} cascade`.execute(admin.db);
      await sql`drop schema if exists ${sql.id(theirs)} cascade`.execute(admin.db);
      await admin.close();
    });

    t.same(await handle.db.introspection.getTables(), [], 'a fresh schema: no tables, though another schema has a kysely_migration');
    await migrateToLatest(handle.db, ours);
    const tables = await handle.db.introspection.getTables();
    t.ok(tables.length > 20, `${tables.length} tables`);
    t.ok(
      tables.every((table) => table.schema === ours),
      'every one in our schema',
    );
    t.ok(tables.some((table) => table.name === 'kysely_migration') && tables.some((table) => table.name === 'users'));
  });
}

async function checkDownAndUp(t: Pick<typeof import('tap').default, 'same' | 'equal'>, db: Db, schema?: string) {
  const { Migrator, FileMigrationProvider } = await import('kysely/migration');
  const { promises: fs } = await import('node:fs');
  await migrateToLatest(db, schema);
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder }),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  for (let i = allMigrations.length; i > 0; i--) {
    const { error } = await migrator.migrateDown();
    t.equal(error, undefined, `down from ${allMigrations[i - 1]}`);
  }
  t.same(await appliedMigrations(db, schema), [], 'all undone');
  t.same(await migrateToLatest(db, schema), allMigrations, 'and done again');
}
