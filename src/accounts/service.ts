import { recordAudit } from '../audit/record.ts';
import type { Queryable, Tx } from '../db/database.ts';
import type { AccountLinkPurpose, Role } from '../db/tables/accounts.ts';
import { DomainError } from '../lib/errors.ts';
import { hashToken, newToken } from '../lib/tokens.ts';
import { queueMessage } from '../messages/outbox.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import * as q from './queries.ts';
import { attemptThrottle, type Throttle } from './throttle.ts';
import { hasTwoStep } from './two-step/queries.ts';

/** How long an emailed sign-in link works. */
export const SIGN_IN_LINK_MINUTES = 15;

const linkLifetimes: Record<AccountLinkPurpose, number> = {
  invitation: 7 * 24 * 3_600_000,
  email_confirmation: 48 * 3_600_000,
  password_reset: 3_600_000,
  sign_in: SIGN_IN_LINK_MINUTES * 60_000,
};

const linkPaths: Record<AccountLinkPurpose, string> = {
  invitation: '/invitations/',
  email_confirmation: '/register/confirm/',
  password_reset: '/reset-password/',
  sign_in: '/sign-in/link/',
};

export type SignInResult =
  | { outcome: 'signed_in'; userId: string }
  | { outcome: 'two_step'; userId: string }
  | { outcome: 'refused' }
  | { outcome: 'unconfirmed' }
  | { outcome: 'disabled' }
  | ({ outcome: 'throttled' } & Throttle);

/**
 * Checks an email and password. Unknown emails take the same path and time as wrong passwords,
 * and count against the same limits, so the answer never tells whether an account exists.
 */
export async function signIn(db: Tx, input: { email: string; password: string; address: string; now?: Date }): Promise<SignInResult> {
  const now = input.now ?? new Date();
  const throttle = await attemptThrottle(db, { email: input.email, address: input.address, path: 'password', now });
  if (throttle) {
    await recordAudit(db, { actorId: null, action: 'sign_in_throttled', details: { limit: throttle.limit }, address: input.address });
    return { outcome: 'throttled', ...throttle };
  }

  const user = await q.findUserByEmail(db, input.email);
  const passwordRight = await verifyPassword(user?.passwordHash ?? null, input.password);
  await q.recordSignInAttempt(db, input.email, input.address, passwordRight);
  if (!user || !passwordRight) {
    await recordAudit(db, {
      actorId: null,
      action: 'sign_in_refused',
      details: { reason: user ? 'wrong_password' : 'unknown_email' },
      address: input.address,
    });
    return { outcome: 'refused' };
  }
  if (user.status === 'unconfirmed' || user.status === 'disabled') {
    // The right password for an account that may not sign in: refused, and on the record like any refusal.
    await recordAudit(db, {
      actorId: null,
      action: 'sign_in_refused',
      subjectType: 'user',
      subjectId: user.id,
      details: { reason: user.status },
      address: input.address,
    });
    return { outcome: user.status };
  }
  // The right password is only half of it for someone with two-step sign-in: not signed in yet.
  if (await hasTwoStep(db, user.id)) return { outcome: 'two_step', userId: user.id };
  await recordSignIn(db, user.id, { address: input.address, now });
  return { outcome: 'signed_in', userId: user.id };
}

/** A completed sign-in, however it began (password, sign-in link, accepted invitation, a provider): noted on the account and audited. */
export async function recordSignIn(
  db: Queryable,
  userId: string,
  how: { address: string | null; now: Date; firstStep?: 'sign_in_link' | 'provider'; provider?: string; mfa?: boolean },
) {
  await q.markSignedIn(db, userId, how.now);
  const details = {
    ...(how.firstStep ? { firstStep: how.firstStep } : {}),
    ...(how.provider ? { provider: how.provider } : {}),
    ...(how.mfa ? { secondStep: 'provider_mfa' } : {}),
  };
  await recordAudit(db, {
    actorId: userId,
    action: 'signed_in',
    subjectType: 'user',
    subjectId: userId,
    ...(Object.keys(details).length ? { details } : {}),
    address: how.address,
  });
}

// A newer link of these purposes replaces the older ones for the same address: only the link in
// the latest email works, so a link someone else caused to be sent earlier is dead.
const replacedByNewer: ReadonlySet<AccountLinkPurpose> = new Set(['email_confirmation', 'password_reset', 'sign_in']);

/** Makes a single-use link. For confirmations, resets and sign-in links, earlier links to the same address stop working. */
export async function createLink(
  tx: Tx,
  baseUrl: string,
  link: {
    purpose: AccountLinkPurpose;
    email: string;
    userId?: string | undefined;
    role?: Role;
    organisationId?: string | null;
    createdBy?: string;
    registration?: { name: string; practice: string; pcn: string; passwordHash: string };
  },
) {
  if (replacedByNewer.has(link.purpose)) {
    // Two links made at once for one address must not both survive.
    await q.lockEmailAddress(tx, link.email);
    await q.replaceUnusedLinks(tx, link.purpose, link.email);
  }
  const { token, hash } = newToken();
  const { id } = await q.insertAccountLink(tx, {
    ...link,
    tokenHash: hash,
    expiresAt: new Date(Date.now() + linkLifetimes[link.purpose]),
  });
  return { id, url: `${baseUrl}${linkPaths[link.purpose]}${token}` };
}

export type LinkState = 'valid' | 'expired' | 'used' | 'replaced' | 'unknown';

function linkState(link: { expiresAt: Date; usedAt: Date | null; replacedAt: Date | null } | undefined, now = new Date()): LinkState {
  if (!link) return 'unknown';
  if (link.usedAt) return 'used';
  if (link.replacedAt) return 'replaced';
  if (new Date(link.expiresAt).getTime() <= now.getTime()) return 'expired';
  return 'valid';
}

/** Looks at a link without using it: the page says whether it still works before the form is filled in. */
export async function inspectLink(db: Queryable, purpose: AccountLinkPurpose, token: string) {
  const link = await q.findAccountLink(db, purpose, hashToken(token));
  return { state: linkState(link), link };
}

/** Takes a link for use inside a transaction: locked, so it works exactly once. */
export async function useLink(tx: Tx, purpose: AccountLinkPurpose, token: string) {
  const link = await q.lockAccountLink(tx, purpose, hashToken(token));
  const state = linkState(link);
  if (state !== 'valid') throw new DomainError(`link_${state}`, linkProblem(state));
  if (!link) throw new DomainError('link_unknown', linkProblem('unknown'));
  await q.markAccountLinkUsed(tx, link.id);
  return link;
}

export function linkProblem(state: LinkState): string {
  switch (state) {
    case 'expired':
      return 'This link has expired. Ask for a new one.';
    case 'used':
      return 'This link has already been used. Each link works once.';
    case 'replaced':
      return 'A newer link has been sent to this email address since, and only the newest one works. Use the link in the latest email.';
    default:
      return 'This link is not valid. Check you copied the whole link, or ask for a new one.';
  }
}

// ---------- invitations ----------

export async function invite(
  tx: Tx,
  baseUrl: string,
  input: { email: string; role: Role; organisationId: string | null; invitedBy: string; address?: string },
) {
  if (await q.findUserByEmail(tx, input.email)) {
    throw new DomainError('already_registered', 'There is already an account with this email address', 'email');
  }
  if (input.role === 'provider' && !input.organisationId) {
    throw new DomainError('organisation_required', 'Select the organisation this person works for', 'organisationId');
  }
  const organisationId = input.role === 'provider' ? input.organisationId : null;
  const link = await createLink(tx, baseUrl, {
    purpose: 'invitation',
    email: input.email,
    role: input.role,
    organisationId,
    createdBy: input.invitedBy,
  });
  await queueMessage(tx, {
    dedupeKey: `invitation:${link.id}`,
    kind: 'invitation',
    to: input.email,
    subject: 'You are invited to Tasters',
    text: `You have been invited to Tasters, where link workers book taster sessions of community activities.\n\nSet up your account with this link (it works once, within 7 days):\n${link.url}\n`,
  });
  await recordAudit(tx, {
    actorId: input.invitedBy,
    action: 'invitation_created',
    subjectType: 'invitation',
    subjectId: link.id,
    details: { email: input.email, role: input.role, organisationId },
    address: input.address ?? null,
  });
  return link;
}

/**
 * Makes the invited person's account and signs them in: they have just proved they hold the link
 * and chosen their password, so asking for it again at once would only be in their way.
 */
export async function acceptInvitation(
  tx: Tx,
  token: string,
  input: { name: string; password: string; practice: string | null; pcn: string | null },
  address: string | null = null,
  now = new Date(),
) {
  const link = await useLink(tx, 'invitation', token);
  // An account for this address may be being made from a confirmation link at the same moment.
  await q.lockEmailAddress(tx, link.email);
  if (await q.findUserByEmail(tx, link.email)) {
    throw new DomainError('already_registered', 'There is already an account with this email address. Sign in instead.');
  }
  const role = link.role ?? 'link_worker';
  const user = await q.insertActiveUser(tx, {
    email: link.email,
    name: input.name,
    role,
    organisationId: role === 'provider' ? link.organisationId : null,
    practice: role === 'link_worker' ? input.practice : null,
    pcn: role === 'link_worker' ? input.pcn : null,
    passwordHash: await hashPassword(input.password),
  });
  await recordAudit(tx, { actorId: user.id, action: 'invitation_accepted', subjectType: 'user', subjectId: user.id });
  await recordSignIn(tx, user.id, { address, now });
  return user;
}

// ---------- self-registration of link workers (the rest is in registration.ts) ----------

export function emailDomainAllowed(email: string, domains: string[]): boolean {
  const domain = email.split('@')[1] ?? '';
  return domains.some((allowed) => domain === allowed || domain.endsWith(`.${allowed}`));
}

// ---------- password reset ----------

/**
 * A reset link for an active account, emailed to it; earlier reset links to the address stop
 * working. Null for any other account. A coordinator's request names them as `requestedBy`.
 */
export async function requestPasswordReset(tx: Tx, baseUrl: string, email: string, requestedBy?: string) {
  const user = await q.findUserByEmail(tx, email);
  if (!user) return null;
  return issuePasswordReset(tx, baseUrl, user, { ...(requestedBy ? { requestedBy } : {}) });
}

/** `dedupeKey` ties the email to what caused it (the account request a job is handling). */
export async function issuePasswordReset(
  tx: Tx,
  baseUrl: string,
  user: { id: string; email: string; status: string },
  options: { requestedBy?: string; dedupeKey?: string } = {},
) {
  if (user.status !== 'active') return null;
  const { requestedBy } = options;
  const link = await createLink(tx, baseUrl, {
    purpose: 'password_reset',
    email: user.email,
    userId: user.id,
    ...(requestedBy ? { createdBy: requestedBy } : {}),
  });
  await queueMessage(tx, {
    dedupeKey: options.dedupeKey ?? `password_reset:${link.id}`,
    kind: 'password_reset',
    to: user.email,
    recipientId: user.id,
    subject: 'Reset your Tasters password',
    text: `Use this link to choose a new password for Tasters:\n${link.url}\n\nThe link works once, within 1 hour, and only until another reset link is sent. If you did not ask for it, ignore this email: your password has not changed.\n`,
  });
  await recordAudit(tx, { actorId: requestedBy ?? user.id, action: 'password_reset_requested', subjectType: 'user', subjectId: user.id });
  return link;
}

export async function resetPassword(tx: Tx, token: string, password: string) {
  const link = await useLink(tx, 'password_reset', token);
  if (!link.userId) throw new DomainError('link_unknown', linkProblem('unknown'));
  await q.setPasswordHash(tx, link.userId, await hashPassword(password));
  // Whoever knew the old password is signed out everywhere.
  await q.endSessionsOf(tx, link.userId);
  await recordAudit(tx, { actorId: link.userId, action: 'password_reset', subjectType: 'user', subjectId: link.userId });
}
