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

/** Inserts a person's count for an offer and month, or replaces the count they gave before. */
export async function saveReferralReport(db: Queryable, report: { userId: string; offerId: string; month: string; count: number }, now: Date) {
  await db
    .insertInto('referralReports')
    .values({ userId: report.userId, offerId: report.offerId, month: report.month, referralCount: report.count, createdAt: now, updatedAt: now })
    .onConflict((oc) => oc.columns(['userId', 'offerId', 'month']).doUpdateSet({ referralCount: report.count, updatedAt: now }))
    .execute();
}

/**
 * The weeks of the two referral questions, how long each stays open, and the moment some weeks
 * before now (London calendar weeks): the rules are in prompts.ts.
 */
export type PromptWindows = { first: number; second: number; lastsWeeks: number; ago: (weeks: number) => Date };

/**
 * Per offer a link worker attended a taster of, the latest such taster, when it falls in one of
 * the two question windows and no referral report to the offer answers that question yet.
 */
export async function listOffersToAskAbout(db: Queryable, userId: string, windows: PromptWindows) {
  const { first, second, lastsWeeks, ago } = windows;
  // Tasters tried: sessions attended, and a day's tasters behind an offer (ended with their slot).
  const tried = db
    .selectFrom('bookings as b')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .select(['s.offerId', 's.endsAt'])
    .where('b.userId', '=', userId)
    .where('b.attendance', '=', 'attended')
    .unionAll(
      db
        .selectFrom('dayTasterChoices as c')
        .innerJoin('dayRegistrations as r', 'r.id', 'c.registrationId')
        .innerJoin('dayTasters as dt', 'dt.id', 'c.dayTasterId')
        .innerJoin('dayProgrammeItems as i', 'i.id', 'c.programmeItemId')
        .select([sql<string>`dt.offer_id`.as('offerId'), 'i.endsAt'])
        .where('r.userId', '=', userId)
        .where('c.attendance', '=', 'attended')
        .where('dt.offerId', 'is not', null),
    );
  const latest = db
    .selectFrom(tried.as('tt'))
    .innerJoin('offers as o', 'o.id', 'tt.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .select((eb) => ['o.id as offerId', 'o.title as offerTitle', 'org.name as organisationName', eb.fn.max('tt.endsAt').as('lastTasterAt')])
    .groupBy(['o.id', 'o.title', 'org.name']);

  return db
    .selectFrom(latest.as('t'))
    .select([
      't.offerId',
      't.offerTitle',
      't.organisationName',
      't.lastTasterAt',
      sql<number>`case when ${sql.ref('t.lastTasterAt')} <= ${ago(second)} then ${second} else ${first} end::int`.as('weeks'),
    ])
    .where((eb) =>
      eb.or([
        eb.and([eb('t.lastTasterAt', '<=', ago(first)), eb('t.lastTasterAt', '>', ago(first + lastsWeeks))]),
        eb.and([eb('t.lastTasterAt', '<=', ago(second)), eb('t.lastTasterAt', '>', ago(second + lastsWeeks))]),
      ]),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('referralReports as r')
            .select(sql`1`.as('one'))
            .where('r.userId', '=', userId)
            .whereRef('r.offerId', '=', 't.offerId')
            // Answered since the taster (4 weeks), or in the month before the 12-week question.
            .where(
              'r.createdAt',
              '>=',
              sql<Date>`case when ${sql.ref('t.lastTasterAt')} <= ${ago(second)} then ${sql.ref('t.lastTasterAt')} + make_interval(weeks => ${second - lastsWeeks}) else ${sql.ref('t.lastTasterAt')} end`,
            ),
        ),
      ),
    )
    .orderBy('t.lastTasterAt', 'desc')
    .execute();
}
