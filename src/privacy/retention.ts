import { sql } from 'kysely';
import type { RetentionPolicy } from '../config.ts';
import type { Db } from '../db/database.ts';
import { DomainError } from '../lib/errors.ts';
import { erasePerson } from './erase.ts';
import { SYSTEM } from '../audit/actor.ts';

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

const count = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }) => Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n);

/**
 * Removes or anonymises personal data past its retention period (the periods are in config and
 * stated in the privacy notice). Safe to run any number of times: each step only touches what is
 * past its date and not yet done. Run daily by the job queue.
 */
export async function applyRetention(db: Db, now: Date, policy: RetentionPolicy): Promise<RetentionResult> {
  const commentsCutoff = monthsBefore(now, policy.feedbackCommentsMonths);
  const feedback = await db
    .updateTable('feedback')
    .set({ comments: null, referringEasier: null })
    .where('submittedAt', '<', commentsCutoff)
    .where((eb) => eb.or([eb('comments', 'is not', null), eb('referringEasier', 'is not', null)]))
    .executeTakeFirst();
  // What got in the way is kept as its reason code; the free-text details go with the comments.
  const missed = await db
    .updateTable('missedSessionReasons')
    .set({ details: null })
    .where('createdAt', '<', commentsCutoff)
    .where('details', 'is not', null)
    .where('reason', 'is not', null)
    .executeTakeFirst();
  // A row with details but no reason has nothing left once the details go.
  const missedOnlyText = await db
    .deleteFrom('missedSessionReasons')
    .where('createdAt', '<', commentsCutoff)
    .where('reason', 'is', null)
    .executeTakeFirst();

  const auditCutoff = monthsBefore(now, policy.auditMonths);
  const audit = await db.deleteFrom('auditEvents').where('occurredAt', '<', auditCutoff).executeTakeFirst();
  // Copies of emails sent are kept as long as the audit trail, as the record of what was sent.
  const messages = await db.deleteFrom('outboxMessages').where('sentAt', '<', auditCutoff).executeTakeFirst();

  const attempts = await db.deleteFrom('signInAttempts').where('attemptedAt', '<', daysBefore(now, policy.signInAttemptsDays)).executeTakeFirst();
  const sessions = await db
    .deleteFrom('loginSessions')
    .where((eb) => eb.or([eb('idleExpiresAt', '<', now), eb('absoluteExpiresAt', '<', now)]))
    .executeTakeFirst();
  const links = await db.deleteFrom('accountLinks').where('expiresAt', '<', daysBefore(now, EXPIRED_LINK_DAYS)).executeTakeFirst();
  const requests = await db.deleteFrom('accountRequests').where('createdAt', '<', daysBefore(now, STALE_ACCOUNT_REQUEST_DAYS)).executeTakeFirst();

  // Accounts nobody has signed in to for the whole period (never signed in: since created).
  const inactiveCutoff = monthsBefore(now, policy.inactiveAccountMonths);
  const inactive = await db
    .selectFrom('users')
    .select('id')
    .where('erasedAt', 'is', null)
    .where(sql<boolean>`coalesce(last_signed_in_at, created_at) < ${inactiveCutoff}`)
    .orderBy('createdAt')
    .execute();
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
    feedbackCommentsRemoved: count(feedback),
    missedSessionDetailsRemoved: count(missed) + count(missedOnlyText),
    auditEntriesDeleted: count(audit),
    sentMessagesDeleted: count(messages),
    accountsErased,
    signInAttemptsDeleted: count(attempts),
    expiredSessionsDeleted: count(sessions),
    oldLinksDeleted: count(links),
    staleAccountRequestsDeleted: count(requests),
  };
}
