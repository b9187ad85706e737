import { hashPassword } from '../accounts/passwords.ts';
import type { Db, Tx } from '../db/database.ts';
import { insertBookings, planBookings } from './bookings.ts';
import { insertOrganisationsAndOffers } from './organisations.ts';
import { insertOutcomes } from './outcomes.ts';
import { DEMO_PASSWORD, insertPeople } from './people.ts';
import { seededRandom } from './random.ts';
import { insertSessions, planSessions } from './sessions.ts';

export { DEMO_PASSWORD, demoAccounts } from './people.ts';

/**
 * Fills an empty database with a small, believable area, as it would look on `now`: eight
 * organisations and their offers, about forty link workers in six PCNs who each try a few tasters
 * a quarter, seven months of what happened and six weeks of what is coming. Does nothing once
 * anyone has an account. The same day gives the same demo (a seeded random sequence, and a
 * calendar counted from a fixed date), so tests can rely on it.
 *
 * Plain inserts, in one transaction: demo data is nobody's action, so it writes no audit trail
 * and sends no email.
 */
export async function seedDemoData(db: Db, now = new Date()): Promise<boolean> {
  const existing = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (existing) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction().execute((tx) => fillDemoArea(tx, now, passwordHash));
  return true;
}

/** The demo area as it would look on `now`, written in the caller's transaction. */
export async function fillDemoArea(tx: Tx, now: Date, passwordHash: string): Promise<void> {
  const random = seededRandom(20261122);
  const { organisationIds, offers } = await insertOrganisationsAndOffers(tx);
  const people = await insertPeople(tx, organisationIds, passwordHash, random);
  const sessions = planSessions(offers, now);
  await insertSessions(tx, sessions);
  const bookings = planBookings(sessions, people, random, now);
  await insertBookings(tx, bookings);
  await insertOutcomes(tx, bookings, random, now);
}
