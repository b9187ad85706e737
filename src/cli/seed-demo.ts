import { ConfigError, loadConfig } from '../config.ts';
import { directDatabaseOptions } from '../db/connections.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { DEMO_PASSWORD, demoAccounts, seedDemoData } from '../demo/seed.ts';

// Fills an empty database (embedded or PostgreSQL) with the demo area. Never in production:
// the demo accounts share a published password.
if (process.env.NODE_ENV === 'production') {
  console.error('Refused: demo data is never added when NODE_ENV=production.');
  process.exit(1);
}
try {
  const config = loadConfig();
  const { db, close } = await openDatabase(directDatabaseOptions(config, 2));
  await migrateToLatest(db);
  const seeded = await seedDemoData(db);
  await close();
  if (!seeded) {
    console.error('The database already has accounts, so no demo data was added.');
    process.exit(1);
  }
  console.log(`Added the demo area. Sign in with any of these (password "${DEMO_PASSWORD}"):`);
  for (const account of demoAccounts) console.log(`  ${account.role.padEnd(12)} ${account.email}`);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Could not add demo data: ${(error as Error).message}`);
  process.exit(1);
}
