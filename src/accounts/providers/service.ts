import { recordAudit } from '../../audit/record.ts';
import type { SignInProvider } from '../../config.ts';
import type { Tx } from '../../db/database.ts';
import { verifyPassword } from '../passwords.ts';
import * as accountQueries from '../queries.ts';
import { emailDomainAllowed, recordSignIn } from '../service.ts';
import { attemptThrottle, type Throttle } from '../throttle.ts';
import { hasTwoStep } from '../two-step/queries.ts';
import type { ProviderClaims } from './client.ts';
import * as q from './queries.ts';

/*
 * Signing in with an OpenID Connect provider, and why it cannot be used to take an account over.
 *
 * - The provider's `sub` identifies the person, once linked; the email address only ever says
 *   which account to offer, never which to sign in to. An address that already has an account is
 *   linked only after the person proves that account (its password here, or signing in by an
 *   emailed link and connecting from Your account).
 * - Only a verified address from a domain the provider's settings allow gets anywhere.
 * - An account that may not sign in (disabled, erased: erased accounts are disabled and their
 *   identities deleted with them) cannot come back this way.
 * - Nobody becomes provider staff or a coordinator this way: those are invited. Someone with an
 *   invitation waiting is sent to it, and a new account made here is a link worker's, as
 *   self-registration makes.
 */

export type RefusalReason = 'no_email' | 'email_unverified' | 'domain_not_allowed' | 'disabled' | 'unconfirmed' | 'invited' | 'linked_elsewhere';

/** The identity the provider vouched for, kept in the session while the person creates or proves an account. */
export type ProviderIdentity = { provider: string; subject: string; email: string; name: string | null; mfa: boolean };

export type ProviderSignIn =
  | { outcome: 'signed_in'; userId: string; mfa: boolean }
  | { outcome: 'two_step'; userId: string }
  | { outcome: 'new_account'; identity: ProviderIdentity }
  | { outcome: 'prove_account'; identity: ProviderIdentity }
  | { outcome: 'connected'; userId: string }
  | { outcome: 'refused'; reason: RefusalReason };

/** Whether the provider's own multi-factor sign-in happened, by the `amr` or `acr` values its settings accept. */
export function providerMfa(provider: SignInProvider, claims: Pick<ProviderClaims, 'amr' | 'acr'>): boolean {
  return provider.twoStepAmr.some((value) => claims.amr.includes(value)) || (claims.acr !== null && provider.twoStepAcr.includes(claims.acr));
}

async function refuse(tx: Tx, provider: SignInProvider, reason: RefusalReason, address: string, userId?: string): Promise<ProviderSignIn> {
  await recordAudit(tx, {
    actorId: null,
    action: 'provider_sign_in_refused',
    ...(userId ? { subjectType: 'user', subjectId: userId } : {}),
    details: { provider: provider.id, reason },
    address,
  });
  return { outcome: 'refused', reason };
}

/** Finishes signing in (or lets the second step follow) for an active account whose identity this is. */
async function finish(tx: Tx, provider: SignInProvider, userId: string, mfa: boolean, address: string, now: Date): Promise<ProviderSignIn> {
  // A TOTP second step is still asked for unless the provider's own multi-factor sign-in counts.
  if (!mfa && (await hasTwoStep(tx, userId))) {
    await recordAudit(tx, {
      actorId: userId,
      action: 'provider_sign_in_first_step',
      subjectType: 'user',
      subjectId: userId,
      details: { provider: provider.id },
      address,
    });
    return { outcome: 'two_step', userId };
  }
  await recordSignIn(tx, userId, { address, now, firstStep: 'provider', provider: provider.id, mfa });
  return { outcome: 'signed_in', userId, mfa };
}

/**
 * What the provider's verified answer leads to. `connectTo`: the signed-in person who asked to
 * connect this provider to their account from Your account.
 */
export async function signInWithProvider(
  tx: Tx,
  provider: SignInProvider,
  claims: ProviderClaims,
  context: { address: string; connectTo?: string; now?: Date },
): Promise<ProviderSignIn> {
  const now = context.now ?? new Date();
  const { address } = context;
  if (!claims.email) return refuse(tx, provider, 'no_email', address);
  if (!claims.emailVerified) return refuse(tx, provider, 'email_unverified', address);
  if (!emailDomainAllowed(claims.email, provider.emailDomains)) return refuse(tx, provider, 'domain_not_allowed', address);
  const mfa = providerMfa(provider, claims);
  const identity = await q.findIdentity(tx, provider.id, claims.subject);

  if (context.connectTo) {
    if (identity && identity.userId !== context.connectTo) return refuse(tx, provider, 'linked_elsewhere', address, context.connectTo);
    if (!identity) await link(tx, provider, { userId: context.connectTo, subject: claims.subject, email: claims.email, address, now });
    return { outcome: 'connected', userId: context.connectTo };
  }

  if (identity) {
    const user = await accountQueries.findUserById(tx, identity.userId);
    if (user?.status !== 'active') return refuse(tx, provider, 'disabled', address, identity.userId);
    await q.markIdentityUsed(tx, identity.id, now);
    return finish(tx, provider, user.id, mfa, address, now);
  }

  const pending: ProviderIdentity = { provider: provider.id, subject: claims.subject, email: claims.email, name: claims.name, mfa };
  const existing = await accountQueries.findUserByEmail(tx, claims.email);
  if (existing) {
    if (existing.status === 'disabled') return refuse(tx, provider, 'disabled', address, existing.id);
    if (existing.status === 'unconfirmed') return refuse(tx, provider, 'unconfirmed', address, existing.id);
    return { outcome: 'prove_account', identity: pending };
  }
  if (await q.hasOpenInvitation(tx, claims.email, now)) return refuse(tx, provider, 'invited', address);
  return { outcome: 'new_account', identity: pending };
}

async function link(tx: Tx, provider: SignInProvider, to: { userId: string; subject: string; email: string; address: string; now: Date }) {
  await q.insertIdentity(tx, { userId: to.userId, provider: provider.id, subject: to.subject, email: to.email, now: to.now });
  await recordAudit(tx, {
    actorId: to.userId,
    action: 'provider_linked',
    subjectType: 'user',
    subjectId: to.userId,
    details: { provider: provider.id, email: to.email },
    address: to.address,
  });
}

export type NewAccountResult = { outcome: 'signed_in'; userId: string; mfa: boolean } | { outcome: 'refused'; reason: 'already_registered' | 'invited' };

/** A link worker's account for someone the provider vouched for, with no account yet: made and signed in. */
export async function createAccountWithProvider(
  tx: Tx,
  provider: SignInProvider,
  identity: ProviderIdentity,
  input: { name: string; practice: string; pcn: string },
  context: { address: string; now?: Date },
): Promise<NewAccountResult> {
  const now = context.now ?? new Date();
  // Another way of making an account for this address may be finishing at the same moment.
  await accountQueries.lockEmailAddress(tx, identity.email);
  if ((await accountQueries.findUserByEmail(tx, identity.email)) || (await q.findIdentity(tx, provider.id, identity.subject))) {
    return { outcome: 'refused', reason: 'already_registered' };
  }
  if (await q.hasOpenInvitation(tx, identity.email, now)) return { outcome: 'refused', reason: 'invited' };
  const user = await accountQueries.insertActiveUser(tx, {
    email: identity.email,
    name: input.name,
    role: 'link_worker',
    practice: input.practice,
    pcn: input.pcn,
    passwordHash: null,
  });
  await recordAudit(tx, {
    actorId: user.id,
    action: 'registered',
    subjectType: 'user',
    subjectId: user.id,
    details: { provider: provider.id },
    address: context.address,
  });
  await link(tx, provider, { userId: user.id, subject: identity.subject, email: identity.email, address: context.address, now });
  await recordSignIn(tx, user.id, { address: context.address, now, firstStep: 'provider', provider: provider.id, mfa: identity.mfa });
  return { outcome: 'signed_in', userId: user.id, mfa: identity.mfa };
}

export type ProveResult =
  | { outcome: 'signed_in'; userId: string; mfa: boolean }
  | { outcome: 'two_step'; userId: string }
  | { outcome: 'wrong_password' }
  | { outcome: 'gone' }
  | ({ outcome: 'throttled' } & Throttle);

/**
 * Links the provider's identity to the account with its address once the person gives that
 * account's password. Counted and held back exactly like the password on the sign-in page.
 */
export async function linkWithPassword(
  tx: Tx,
  provider: SignInProvider,
  identity: ProviderIdentity,
  input: { password: string; address: string; now?: Date },
): Promise<ProveResult> {
  const now = input.now ?? new Date();
  const { address } = input;
  const throttle = await attemptThrottle(tx, { email: identity.email, address, path: 'password', now });
  if (throttle) {
    await recordAudit(tx, { actorId: null, action: 'sign_in_throttled', details: { limit: throttle.limit, provider: provider.id }, address });
    return { outcome: 'throttled', ...throttle };
  }
  const user = await accountQueries.findUserByEmail(tx, identity.email);
  const right = await verifyPassword(user?.passwordHash ?? null, input.password);
  await accountQueries.recordSignInAttempt(tx, identity.email, address, right);
  if (user?.status !== 'active') return { outcome: 'gone' };
  if (!right) {
    await recordAudit(tx, {
      actorId: null,
      action: 'provider_sign_in_refused',
      subjectType: 'user',
      subjectId: user.id,
      details: { provider: provider.id, reason: 'wrong_password' },
      address,
    });
    return { outcome: 'wrong_password' };
  }
  if (await q.findIdentity(tx, provider.id, identity.subject)) return { outcome: 'gone' };
  await link(tx, provider, { userId: user.id, subject: identity.subject, email: identity.email, address, now });
  const result = await finish(tx, provider, user.id, identity.mfa, address, now);
  if (result.outcome === 'signed_in' || result.outcome === 'two_step') return result;
  return { outcome: 'gone' };
}

/** Removes a provider from the person's own account: they sign in with their password or an emailed link after. */
export async function removeIdentity(tx: Tx, userId: string, identityId: string, address: string | null): Promise<boolean> {
  const removed = await q.deleteIdentity(tx, userId, identityId);
  if (!removed) return false;
  await recordAudit(tx, {
    actorId: userId,
    action: 'provider_unlinked',
    subjectType: 'user',
    subjectId: userId,
    details: { provider: removed.provider, email: removed.email },
    address,
  });
  return true;
}
