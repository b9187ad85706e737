import type { Queryable } from '../../db/database.ts';

export async function findFeed(db: Queryable, userId: string) {
  return db.selectFrom('calendarFeeds').select(['createdAt', 'lastFetchedAt']).where('userId', '=', userId).executeTakeFirst();
}

/** The person a feed token belongs to, if the token is current and the account active. */
export async function findFeedOwner(db: Queryable, tokenHash: string) {
  return db
    .selectFrom('calendarFeeds as f')
    .innerJoin('users as u', 'u.id', 'f.userId')
    .select(['u.id', 'u.name'])
    .where('f.tokenHash', '=', tokenHash)
    .where('u.status', '=', 'active')
    .where('u.role', '=', 'link_worker')
    .executeTakeFirst();
}

/** One feed per person: a new token replaces the old one, which stops working at once. */
export async function replaceFeedToken(db: Queryable, userId: string, tokenHash: string) {
  const now = new Date();
  await db
    .insertInto('calendarFeeds')
    .values({ userId, tokenHash, createdAt: now, lastFetchedAt: null })
    .onConflict((oc) => oc.column('userId').doUpdateSet({ tokenHash, createdAt: now, lastFetchedAt: null }))
    .execute();
}

export async function markFeedFetched(db: Queryable, userId: string) {
  await db.updateTable('calendarFeeds').set({ lastFetchedAt: new Date() }).where('userId', '=', userId).execute();
}
