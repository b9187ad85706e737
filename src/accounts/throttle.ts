import type { Tx } from '../db/database.ts';
import type { SignInAttemptKind } from '../db/tables/two-step.ts';
import * as q from './queries.ts';

export const THROTTLE_WINDOW_MINUTES = 15;
/** Wrong passwords or codes for one account from one address: that address waits, the owner elsewhere does not. */
export const MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS = 10;
/** For one account from every address together (guesses spread over many): the password step then needs an emailed link. */
export const MAX_FAILURES_PER_ACCOUNT = 30;
/** Accounts last tried without success from one address: one password tried on account after account. */
export const MAX_ACCOUNTS_FAILED_PER_ADDRESS = 10;

/**
 * How someone reached the check: the password (or a second-step code after it), a second-step code
 * after an emailed sign-in link, a second-step code after signing in with a provider (NHSmail), or a
 * code asked for while signed in. Each path counts only its own
 * failures, so a stranger guessing passwords never slows the owner who comes by their mailbox or
 * is already signed in; only someone with the mailbox or the session can fail on those paths.
 */
export type AttemptPath = 'password' | 'link' | 'provider' | 'signed_in';

const kindsOf: Record<AttemptPath, readonly SignInAttemptKind[]> = {
  password: ['password', 'two_step'],
  link: ['link_two_step'],
  provider: ['provider_two_step'],
  signed_in: ['signed_in_two_step'],
};

/** The kind a second-step code is recorded as, by the path that led to it. */
export const codeKind: Record<AttemptPath, SignInAttemptKind> = {
  password: 'two_step',
  link: 'link_two_step',
  provider: 'provider_two_step',
  signed_in: 'signed_in_two_step',
};

/**
 * Which limit stopped an attempt. 'account_at_address': this account from this address;
 * 'address': many accounts from this address; 'account': this account from everywhere.
 */
export type ThrottleLimit = 'account_at_address' | 'address' | 'account';
export type Throttle = { limit: ThrottleLimit; retryInMinutes: number };

/**
 * Takes this account's and this address's turn to try a password or a two-step code, and says
 * which limit stops it and for how many minutes (null: go ahead). One attempt at a time per
 * account and per address, held to the end of the transaction: otherwise guesses sent together all
 * read the same count and all get checked (seen: 17 of 30 instead of 10).
 *
 * No limit shuts the owner out: the one a stranger at one address reaches holds only that address;
 * the one for guesses from everywhere holds only the password path, which the owner skips with an
 * emailed sign-in link.
 */
export async function attemptThrottle(db: Tx, attempt: { email: string; address: string; path: AttemptPath; now: Date }): Promise<Throttle | null> {
  const { email, address, now } = attempt;
  await q.lockSignInAttempts(db, email, address);
  const since = new Date(now.getTime() - THROTTLE_WINDOW_MINUTES * 60_000);
  const kinds = kindsOf[attempt.path];
  const [here, everywhere, accounts] = await Promise.all([
    q.countRecentFailures(db, since, kinds, { email, address }),
    q.countRecentFailures(db, since, kinds, { email }),
    q.countAccountsFailedFrom(db, since, kinds, address),
  ]);
  // In this order, the first that applies is the one the person is told about: when the whole
  // account is held, the way in is the emailed link, whatever else holds this address.
  const blocking: Array<{ limit: ThrottleLimit; from: Date | null }> = [];
  if (everywhere.failures >= MAX_FAILURES_PER_ACCOUNT) blocking.push({ limit: 'account', from: everywhere.oldest });
  if (accounts.accounts >= MAX_ACCOUNTS_FAILED_PER_ADDRESS) blocking.push({ limit: 'address', from: accounts.earliest });
  if (here.failures >= MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS) blocking.push({ limit: 'account_at_address', from: here.oldest });
  const first = blocking[0];
  if (!first) return null;
  const freesAt = Math.max(...blocking.map((b) => (b.from ?? now).getTime())) + THROTTLE_WINDOW_MINUTES * 60_000;
  return { limit: first.limit, retryInMinutes: Math.max(1, Math.ceil((freesAt - now.getTime()) / 60_000)) };
}
