import { sql } from 'kysely';
import type { Queryable } from '../db/database.ts';

/** The offers a link worker can record referrals to: every active one, by organisation. */
export async function offerChoices(db: Queryable) {
  return db
    .selectFrom('offers as o')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .select(['o.id', 'o.title', 'org.name as organisationName'])
    .where('o.status', '=', 'active')
    .orderBy('org.name')
    .orderBy('o.title')
    .execute();
}

export async function findOffer(db: Queryable, offerId: string) {
  return db
    .selectFrom('offers as o')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .select(['o.id', 'o.title', 'org.name as organisationName'])
    .where('o.id', '=', offerId)
    .executeTakeFirst();
}

/** One person's referral reports, latest month first. */
export async function listOwnReports(db: Queryable, userId: string) {
  return db
    .selectFrom('referralReports as r')
    .innerJoin('offers as o', 'o.id', 'r.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .select([
      'r.id',
      sql<string>`to_char(r.month, 'YYYY-MM')`.as('month'),
      'r.referralCount',
      'r.updatedAt',
      'o.id as offerId',
      'o.title as offerTitle',
      'org.name as organisationName',
    ])
    .where('r.userId', '=', userId)
    .orderBy('r.month', 'desc')
    .orderBy('o.title')
    .execute();
}

export async function findOwnReport(db: Queryable, userId: string, offerId: string, month: string) {
  return db
    .selectFrom('referralReports')
    .select(['id', 'referralCount'])
    .where('userId', '=', userId)
    .where('offerId', '=', offerId)
    .where('month', '=', month)
    .executeTakeFirst();
}
