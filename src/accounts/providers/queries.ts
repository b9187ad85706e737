import type { Queryable } from '../../db/database.ts';

export async function findIdentity(db: Queryable, provider: string, subject: string) {
  return db.selectFrom('signInIdentities').selectAll().where('provider', '=', provider).where('subject', '=', subject).executeTakeFirst();
}

export async function insertIdentity(db: Queryable, identity: { userId: string; provider: string; subject: string; email: string; now: Date }) {
  await db
    .insertInto('signInIdentities')
    .values({ userId: identity.userId, provider: identity.provider, subject: identity.subject, email: identity.email, lastUsedAt: identity.now })
    .execute();
}

export async function markIdentityUsed(db: Queryable, id: string, now: Date) {
  await db.updateTable('signInIdentities').set({ lastUsedAt: now }).where('id', '=', id).execute();
}

/** The providers a person can sign in with, for Your account. */
export async function identitiesOf(db: Queryable, userId: string) {
  return db
    .selectFrom('signInIdentities')
    .select(['id', 'provider', 'email', 'linkedAt', 'lastUsedAt'])
    .where('userId', '=', userId)
    .orderBy('linkedAt')
    .execute();
}

/** Removes one of the person's own identities (never anyone else's); the row removed, or none. */
export async function deleteIdentity(db: Queryable, userId: string, id: string) {
  return db.deleteFrom('signInIdentities').where('id', '=', id).where('userId', '=', userId).returning(['provider', 'email']).executeTakeFirst();
}

/** An invitation still waiting for this address: that person is to come in through it, with the role it gives. */
export async function hasOpenInvitation(db: Queryable, email: string, now: Date) {
  const row = await db
    .selectFrom('accountLinks')
    .select('id')
    .where('purpose', '=', 'invitation')
    .where('email', '=', email)
    .where('usedAt', 'is', null)
    .where('replacedAt', 'is', null)
    .where('expiresAt', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}
