import { fiveARows } from './present.ts';
import { MIN_GROUP_SIZE } from './provider-queries.ts';
import type { FunnelRow } from './queries.ts';

/**
 * An offer's figures for its provider, with the small-group rule applied: a feedback figure is
 * given only when at least MIN_GROUP_SIZE people's answers make it up, so no one person's answer
 * can be read off the page. Attendance counts are not feedback and are always shown.
 */
export function providerOfferView(row: FunnelRow) {
  const enough = (n: number) => n >= MIN_GROUP_SIZE;
  const feedbackShown = enough(row.feedbackCount);
  return {
    offerId: row.key,
    title: row.label,
    sessions: row.sessions ?? 0,
    placesOffered: row.placesOffered ?? 0,
    booked: row.booked,
    attended: row.attended,
    walkIns: row.walkIns,
    noShows: row.noShows,
    waitingDemand: row.waitingDemand,
    feedbackCount: row.feedbackCount,
    referrers: row.referrers,
    feedback: feedbackShown
      ? {
          avgRating: row.avgRating,
          fiveA: fiveARows(row).map((a) => ({ name: a.name, average: enough(a.answers) ? a.average : null, withheld: !enough(a.answers) })),
          confidenceChange: enough(row.confidencePairs) ? row.avgConfidenceChange : null,
          confidenceWithheld: !enough(row.confidencePairs),
          intendYes: row.intendYes,
          intendMaybe: row.intendMaybe,
          intendNo: row.intendNo,
        }
      : null,
  };
}

export type ProviderOfferView = ReturnType<typeof providerOfferView>;
