import { DateTime } from 'luxon';
import { sql } from 'kysely';
import type { Queryable } from '../db/database.ts';

/** Link workers are asked about referrals this many weeks after an attended taster… */
export const PROMPT_WEEKS = [4, 12] as const;
/** …and each question stays on My bookings for this many weeks, unless they answer sooner. */
export const PROMPT_LASTS_WEEKS = 4;

export type ReferralPrompt = {
  offerId: string;
  offerTitle: string;
  organisationName: string;
  lastTasterAt: Date;
  weeks: (typeof PROMPT_WEEKS)[number];
};

/**
 * The attended tasters to ask a link worker about: those whose latest session of an offer ended
 * 4 (or 12) weeks ago, within the last 4 weeks of that mark, with no referral report to that offer
 * since the taster (for the 4-week question) or in the 4 weeks before the 12-week mark or since.
 * One prompt per offer, even after several sessions of it.
 */
export async function referralPrompts(db: Queryable, userId: string, now: Date): Promise<ReferralPrompt[]> {
  const ago = (weeks: number) => DateTime.fromJSDate(now, { zone: 'Europe/London' }).minus({ weeks }).toJSDate();
  const [first, second] = PROMPT_WEEKS;
  const latest = db
    .selectFrom('bookings as b')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .select((eb) => ['o.id as offerId', 'o.title as offerTitle', 'org.name as organisationName', eb.fn.max('s.endsAt').as('lastTasterAt')])
    .where('b.userId', '=', userId)
    .where('b.attendance', '=', 'attended')
    .groupBy(['o.id', 'o.title', 'org.name']);

  const rows = await db
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
        eb.and([eb('t.lastTasterAt', '<=', ago(first)), eb('t.lastTasterAt', '>', ago(first + PROMPT_LASTS_WEEKS))]),
        eb.and([eb('t.lastTasterAt', '<=', ago(second)), eb('t.lastTasterAt', '>', ago(second + PROMPT_LASTS_WEEKS))]),
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
              sql<Date>`case when ${sql.ref('t.lastTasterAt')} <= ${ago(second)} then ${sql.ref('t.lastTasterAt')} + make_interval(weeks => ${second - PROMPT_LASTS_WEEKS}) else ${sql.ref('t.lastTasterAt')} end`,
            ),
        ),
      ),
    )
    .orderBy('t.lastTasterAt', 'desc')
    .execute();
  return rows.map((row) => ({ ...row, lastTasterAt: new Date(row.lastTasterAt), weeks: row.weeks === second ? second : first }));
}
