import { SYSTEM } from '../audit/actor.ts';
import type { RetentionPolicy } from '../config.ts';
import type { Db } from '../db/database.ts';
import { DomainError } from '../lib/errors.ts';
import { clearDayFeedbackTextBefore } from './day-queries.ts';
import { erasePerson } from './erase.ts';
import * as q from './queries.ts';

export type RetentionResult = {
  feedbackCommentsRemoved: number;
  missedSessionDetailsRemoved: number;
  auditEntriesDeleted: number;
  sentMessagesDeleted: number;
  accountsErased: number;
  signInAttemptsDeleted: number;
  expiredSessionsDeleted: number;
  oldLinksDeleted: number;
  staleAccountRequestsDeleted: number;
  dayNeedsRemoved: number;
};

// Invitation, confirmation and reset links are useless once expired; a month later they go.
const EXPIRED_LINK_DAYS = 30;
// A registration, reset or sign-in link request is handled by its job within seconds and then
// deleted; one the job could not handle in a week is given up, as it may hold a password hash.
const STALE_ACCOUNT_REQUEST_DAYS = 7;

function monthsBefore(now: Date, months: number): Date {
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - months);
  return cutoff;
}

function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

/**
 * Removes or anonymises personal data past its retention period (the periods are in config and
 * stated in the privacy notice). Safe to run any number of times: each step only touches what is
 * past its date and not yet done. Run daily by the job queue.
 */
export async function applyRetention(db: Db, now: Date, policy: RetentionPolicy): Promise<RetentionResult> {
  const commentsCutoff = monthsBefore(now, policy.feedbackCommentsMonths);
  // Feedback on a taster day's tasters and on the day itself: the same words, kept the same time.
  const feedbackCommentsRemoved = (await q.clearFeedbackTextBefore(db, commentsCutoff)) + (await clearDayFeedbackTextBefore(db, commentsCutoff));
  // What got in the way is kept as its reason code; the free-text details go with the comments.
  const missedDetails = await q.clearMissedDetailsBefore(db, commentsCutoff);
  // A row with details but no reason has nothing left once the details go.
  const missedOnlyText = await q.deleteTextOnlyMissedReasonsBefore(db, commentsCutoff);

  const auditCutoff = monthsBefore(now, policy.auditMonths);
  const auditEntriesDeleted = await q.deleteAuditEventsBefore(db, auditCutoff);
  // Copies of emails sent are kept as long as the audit trail, as the record of what was sent.
  const sentMessagesDeleted = await q.deleteMessagesSentBefore(db, auditCutoff);

  const signInAttemptsDeleted = await q.deleteSignInAttemptsBefore(db, daysBefore(now, policy.signInAttemptsDays));
  const expiredSessionsDeleted = await q.deleteExpiredLoginSessions(db, now);
  const oldLinksDeleted = await q.deleteLinksExpiredBefore(db, daysBefore(now, EXPIRED_LINK_DAYS));
  const staleAccountRequestsDeleted = await q.deleteAccountRequestsBefore(db, daysBefore(now, STALE_ACCOUNT_REQUEST_DAYS));
  // Access and dietary needs given for a taster day are needed for that day only.
  const dayNeedsRemoved = await q.clearDayNeedsOfDaysEndedBefore(db, now);

  // Accounts nobody has signed in to for the whole period (never signed in: since created).
  const inactive = await q.listInactiveAccounts(db, monthsBefore(now, policy.inactiveAccountMonths));
  let accountsErased = 0;
  for (const { id } of inactive) {
    try {
      // One transaction each: one person's problem does not hold back everyone else's erasure.
      await db.transaction().execute((tx) => erasePerson(tx, SYSTEM, id, now));
      accountsErased++;
    } catch (error) {
      // The only active coordinator is kept, however long unused: someone must run the service.
      if (error instanceof DomainError && error.code === 'last_coordinator') continue;
      throw error;
    }
  }

  return {
    feedbackCommentsRemoved,
    missedSessionDetailsRemoved: missedDetails + missedOnlyText,
    auditEntriesDeleted,
    sentMessagesDeleted,
    accountsErased,
    signInAttemptsDeleted,
    expiredSessionsDeleted,
    oldLinksDeleted,
    staleAccountRequestsDeleted,
    dayNeedsRemoved,
  };
}
