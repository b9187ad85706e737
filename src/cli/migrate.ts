import { ConfigError, loadConfig } from '../config.ts';
import { directDatabaseOptions } from '../db/connections.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';

try {
  const config = loadConfig();
  const { db, close } = await openDatabase(directDatabaseOptions(config, 2));
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
  await close();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Migration failed: ${(error as Error).message}`);
  process.exit(1);
}
