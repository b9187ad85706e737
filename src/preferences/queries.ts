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

/** Who an unsubscribe link names: enough to apply their role's choices, and to refuse an erased account. */
export async function findUnsubscriber(db: Queryable, userId: string) {
  return db.selectFrom('users').select(['id', 'role', 'erasedAt']).where('id', '=', userId).executeTakeFirst();
}

/**
 * The same, held against erasure until the transaction ends: an erasure under way (which locks the
 * row for update) is waited for and then seen, so no choice is stored for a person just erased.
 */
export async function lockUnsubscriber(tx: Tx, userId: string) {
  return tx.selectFrom('users').select(['id', 'role', 'erasedAt']).where('id', '=', userId).forShare().executeTakeFirst();
}

export async function savePreferenceRow(tx: Tx, userId: string, preferences: Preferences) {
  await tx
    .insertInto('messagePreferences')
    .values({ userId, ...preferences, updatedAt: new Date() })
    .onConflict((oc) => oc.column('userId').doUpdateSet({ ...preferences, updatedAt: new Date() }))
    .execute();
}
