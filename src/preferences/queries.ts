import type { Queryable, Tx } from '../db/database.ts';
import type { Preferences } from './schemas.ts';

/** The person's stored choices, or nothing when they have never changed one. */
export async function findPreferences(db: Queryable, userId: string) {
  return db
    .selectFrom('messagePreferences')
    .select(['reminders', 'feedbackRequests', 'referralPrompts', 'digests'])
    .where('userId', '=', userId)
    .executeTakeFirst();
}

export async function savePreferenceRow(tx: Tx, userId: string, preferences: Preferences) {
  await tx
    .insertInto('messagePreferences')
    .values({ userId, ...preferences, updatedAt: new Date() })
    .onConflict((oc) => oc.column('userId').doUpdateSet({ ...preferences, updatedAt: new Date() }))
    .execute();
}
