import { DateTime } from 'luxon';
import type { Queryable } from '../db/database.ts';
import { listOffersToAskAbout } from './queries.ts';

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
  const rows = await listOffersToAskAbout(db, userId, { first, second, lastsWeeks: PROMPT_LASTS_WEEKS, ago });
  return rows.map((row) => ({ ...row, lastTasterAt: new Date(row.lastTasterAt), weeks: row.weeks === second ? second : first }));
}
