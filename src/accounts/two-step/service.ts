import type { Actor } from '../../audit/actor.ts';
import { recordAudit } from '../../audit/record.ts';
import type { Tx } from '../../db/database.ts';
import type { Role } from '../../db/tables/accounts.ts';
import { DomainError, NotFoundError } from '../../lib/errors.ts';
import { endSessionsOf, findUserById, lockUser, markSignedIn, recordSignInAttempt } from '../queries.ts';
import { type AttemptPath, attemptThrottle, codeKind, type Throttle } from '../throttle.ts';
import { decryptSecret, encryptSecret, hashRecoveryCode } from './crypto.ts';
import * as q from './queries.ts';
import { looksLikeTotp, matchingStep, newRecoveryCode, normaliseCode, RECOVERY_CODE_COUNT } from './totp.ts';

/** Codes are counted per address (accounts/throttle.ts), so these always know where a request came from. */
type ActorAt = Actor & { address: string };

type Keys = { sessionSecret: string };

export type CodeCheck =
  | { outcome: 'accepted'; method: 'code' | 'recovery_code' }
  | { outcome: 'wrong' }
  | { outcome: 'reused' }
  | ({ outcome: 'throttled' } & Throttle);

/**
 * Checks a second-step code (or recovery code) for someone: limited like passwords (every code
 * tried counts in sign_in_attempts, under the path that led to it), each code accepted once.
 */
async function checkCode(
  tx: Tx,
  keys: Keys,
  user: { id: string; email: string },
  attempt: { code: string; address: string; path: AttemptPath; now: Date },
): Promise<CodeCheck> {
  const { address, path, now } = attempt;
  const throttle = await attemptThrottle(tx, { email: user.email, address, path, now });
  if (throttle) {
    await recordAudit(tx, {
      actorId: user.id,
      action: 'two_step_throttled',
      subjectType: 'user',
      subjectId: user.id,
      details: { limit: throttle.limit, path },
      address,
    });
    return { outcome: 'throttled', ...throttle };
  }

  const credential = await q.findCredential(tx, user.id);
  const code = normaliseCode(attempt.code);
  let result: CodeCheck = { outcome: 'wrong' };
  if (credential && looksLikeTotp(code)) {
    const step = matchingStep(decryptSecret(keys.sessionSecret, credential.secretEncrypted), code, now);
    if (step !== null) result = (await q.claimStep(tx, user.id, step)) ? { outcome: 'accepted', method: 'code' } : { outcome: 'reused' };
  } else if (credential && code.length === 10) {
    const hash = hashRecoveryCode(keys.sessionSecret, user.id, code);
    if (await q.useRecoveryCode(tx, user.id, hash)) result = { outcome: 'accepted', method: 'recovery_code' };
    else if (await q.recoveryCodeWasUsed(tx, user.id, hash)) result = { outcome: 'reused' };
  }
  // Successes are kept too: an account whose last attempt from an address succeeded is not one
  // that address is guessing at (see countAccountsFailedFrom).
  await recordSignInAttempt(tx, user.email, address, result.outcome === 'accepted', codeKind[path]);
  if (result.outcome !== 'accepted') {
    await recordAudit(tx, {
      actorId: user.id,
      action: 'two_step_refused',
      subjectType: 'user',
      subjectId: user.id,
      details: { reason: result.outcome },
      address,
    });
  }
  return result;
}

export type SecondStepResult = CodeCheck | { outcome: 'gone' };

/**
 * The second step of sign-in, after the password, an emailed sign-in link or a provider (`path`).
 * Only an accepted code signs the person in.
 */
export async function completeSignIn(
  tx: Tx,
  keys: Keys,
  input: { userId: string; code: string; address: string; path: 'password' | 'link' | 'provider'; provider?: string; now?: Date },
): Promise<SecondStepResult> {
  const now = input.now ?? new Date();
  const user = await findUserById(tx, input.userId);
  if (user?.status !== 'active') return { outcome: 'gone' };
  const result = await checkCode(tx, keys, user, { code: input.code, address: input.address, path: input.path, now });
  if (result.outcome !== 'accepted') return result;
  await markSignedIn(tx, user.id, now);
  await recordAudit(tx, {
    actorId: user.id,
    action: 'signed_in',
    subjectType: 'user',
    subjectId: user.id,
    details: {
      secondStep: result.method,
      ...(input.path === 'link' ? { firstStep: 'sign_in_link' } : {}),
      ...(input.path === 'provider' ? { firstStep: 'provider', provider: input.provider ?? 'unknown' } : {}),
    },
    address: input.address,
  });
  return result;
}

function newRecoveryCodes(keys: Keys, userId: string) {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  return { codes, hashes: codes.map((c) => hashRecoveryCode(keys.sessionSecret, userId, normaliseCode(c))) };
}

/**
 * Turns two-step sign-in on once the person proves their app makes the right codes. Returns the
 * recovery codes: shown once, stored only as hashes.
 */
export async function enableTwoStep(tx: Tx, keys: Keys, actor: ActorAt, secret: string, code: string, now = new Date()): Promise<string[]> {
  const step = matchingStep(secret, normaliseCode(code), now);
  if (step === null) {
    throw new DomainError('code_wrong', 'The code is not right. Enter the 6-digit code your app shows now', 'code');
  }
  await q.saveCredential(tx, actor.id, encryptSecret(keys.sessionSecret, secret), step);
  const { codes, hashes } = newRecoveryCodes(keys, actor.id);
  await q.replaceRecoveryCodes(tx, actor.id, hashes);
  await recordAudit(tx, { actorId: actor.id, action: 'two_step_enabled', subjectType: 'user', subjectId: actor.id, address: actor.address });
  return codes;
}

function refusal(result: CodeCheck): DomainError {
  switch (result.outcome) {
    case 'reused':
      return new DomainError('code_reused', 'This code has already been used. Wait for your app to show a new code', 'code');
    case 'throttled':
      return new DomainError('throttled', `Too many wrong codes. Try again in ${result.retryInMinutes} minutes`, 'code');
    default:
      return new DomainError('code_wrong', 'The code is not right. Enter the code your app shows now, or a recovery code', 'code');
  }
}

async function signedInUser(tx: Tx, userId: string) {
  const user = await findUserById(tx, userId);
  if (!user) throw new NotFoundError();
  return user;
}

/** New recovery codes (the old ones stop working), after a current code. */
export async function replaceRecoveryCodes(tx: Tx, keys: Keys, actor: ActorAt, code: string, now = new Date()): Promise<string[]> {
  const user = await signedInUser(tx, actor.id);
  const result = await checkCode(tx, keys, user, { code, address: actor.address, path: 'signed_in', now });
  if (result.outcome !== 'accepted') throw refusal(result);
  const { codes, hashes } = newRecoveryCodes(keys, actor.id);
  await q.replaceRecoveryCodes(tx, actor.id, hashes);
  await recordAudit(tx, { actorId: actor.id, action: 'two_step_recovery_codes_replaced', subjectType: 'user', subjectId: actor.id, address: actor.address });
  return codes;
}

/** Turns it off, after a current code; never for a role that must use it. */
export async function turnOffTwoStep(tx: Tx, keys: Keys, actor: ActorAt, requiredFor: Role[], code: string, now = new Date()) {
  const user = await signedInUser(tx, actor.id);
  if (requiredFor.includes(user.role)) {
    throw new DomainError('two_step_required', 'Two-step sign-in is required for your role and cannot be turned off', 'code');
  }
  const result = await checkCode(tx, keys, user, { code, address: actor.address, path: 'signed_in', now });
  if (result.outcome !== 'accepted') throw refusal(result);
  await q.deleteTwoStep(tx, actor.id);
  await recordAudit(tx, { actorId: actor.id, action: 'two_step_turned_off', subjectType: 'user', subjectId: actor.id, address: actor.address });
}

/**
 * A coordinator resets someone's second step (a lost phone and lost recovery codes): their
 * sessions end, and they set it up again at their next sign-in (if their role requires it).
 */
export async function resetTwoStep(tx: Tx, actor: ActorAt, personId: string) {
  if (personId === actor.id) {
    throw new DomainError('own_account', 'You cannot reset your own two-step sign-in. Ask another coordinator', 'twoStep');
  }
  const person = await lockUser(tx, personId);
  if (!person) throw new NotFoundError();
  if (!(await q.deleteTwoStep(tx, personId))) {
    throw new DomainError('not_enabled', 'This person has not set up two-step sign-in', 'twoStep');
  }
  await endSessionsOf(tx, personId);
  await recordAudit(tx, { actorId: actor.id, action: 'two_step_reset', subjectType: 'user', subjectId: personId, address: actor.address });
}
