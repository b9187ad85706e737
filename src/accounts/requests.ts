import type { Db, Queryable } from '../db/database.ts';
import * as q from './queries.ts';
import { type RegistrationOutcome, sendRegistrationEmail } from './registration.ts';
import { issuePasswordReset } from './service.ts';
import { requestSignInLink } from './sign-in-links.ts';

/**
 * Asking for a password reset stores one row and nothing else, whether or not the address has an
 * account: the answer takes the same work either way, and what differs (looking the account up,
 * making a link, queuing the email) happens in `runAccountRequest`, on the job queue.
 */
export async function askForPasswordReset(db: Queryable, email: string): Promise<{ requestId: string }> {
  const { id } = await q.insertAccountRequest(db, { kind: 'password_reset', email });
  return { requestId: id };
}

/** Asking for a sign-in link, likewise: one row whatever the address; the job decides. */
export async function askForSignInLink(db: Queryable, email: string, address: string): Promise<{ requestId: string }> {
  const { id } = await q.insertAccountRequest(db, { kind: 'sign_in_link', email, address });
  return { requestId: id };
}

export type AccountRequestOutcome = RegistrationOutcome | 'reset_sent' | 'no_reset' | 'link_sent' | 'no_link' | 'missing';

/**
 * The job for one registration, reset or sign-in link request (src/accounts/request-worker.ts). One transaction:
 * the email is queued and the request deleted together, so a job run twice, or by two instances
 * at once, sends one email. The outcome never leaves the server (it is the job's result).
 */
export async function runAccountRequest(db: Db, baseUrl: string, requestId: string): Promise<AccountRequestOutcome> {
  return db.transaction().execute(async (tx) => {
    const request = await q.lockAccountRequest(tx, requestId);
    if (!request) return 'missing';
    // One thing at a time per address: a registration and a reset for it, or two registrations.
    await q.lockEmailAddress(tx, request.email);
    let outcome: AccountRequestOutcome;
    if (request.kind === 'registration') {
      outcome = await sendRegistrationEmail(tx, baseUrl, request);
    } else if (request.kind === 'sign_in_link') {
      const link = await requestSignInLink(tx, baseUrl, { email: request.email, address: request.address ?? 'unknown' });
      outcome = link ? 'link_sent' : 'no_link';
    } else {
      const user = await q.findUserByEmail(tx, request.email);
      const link = user ? await issuePasswordReset(tx, baseUrl, user, { dedupeKey: `account_request:${request.id}` }) : null;
      outcome = link ? 'reset_sent' : 'no_reset';
    }
    await q.deleteAccountRequest(tx, request.id);
    return outcome;
  });
}
