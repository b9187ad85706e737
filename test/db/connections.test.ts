import t from 'tap';
import { testConfig } from '../../src/config.ts';
import { appDatabaseOptions, directDatabaseOptions } from '../../src/db/connections.ts';

const pgbouncer = 'postgres://tasters:secret@pgbouncer.internal:6432/tasters';
const postgres = 'postgres://tasters:secret@db.internal:5432/tasters';

t.test('behind PgBouncer the app goes through it with no session settings; migrations and the tools go straight to PostgreSQL', async (t) => {
  const config = testConfig({ databaseUrl: pgbouncer, databaseDirectUrl: postgres, databasePoolSize: 12 });
  t.match(appDatabaseOptions(config), { databaseUrl: pgbouncer, pooled: true, poolSize: 12 });
  t.match(directDatabaseOptions(config), { databaseUrl: postgres, poolSize: 1 });
  t.equal(directDatabaseOptions(config).pooled, undefined, 'the direct connection may carry session settings');
  t.equal(directDatabaseOptions(config, 2).poolSize, 2);
});

t.test('with one address, everything uses it as before', async (t) => {
  const config = testConfig({ databaseUrl: postgres });
  t.match(appDatabaseOptions(config), { databaseUrl: postgres, pooled: false });
  t.match(directDatabaseOptions(config), { databaseUrl: postgres });
  const embedded = testConfig();
  t.match(appDatabaseOptions(embedded), { databaseUrl: undefined, pooled: false });
  t.equal(appDatabaseOptions(embedded).pgliteDataDir, directDatabaseOptions(embedded).pgliteDataDir, 'one embedded database folder');
});
