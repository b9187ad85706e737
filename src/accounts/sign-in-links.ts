import { recordAudit } from '../audit/record.ts';
import type { Tx } from '../db/database.ts';
import { DomainError } from '../lib/errors.ts';
import { hashToken } from '../lib/tokens.ts';
import { queueMessage } from '../messages/outbox.ts';
import * as q from './queries.ts';
import { createLink, type LinkState, recordSignIn, SIGN_IN_LINK_MINUTES, useLink } from './service.ts';
import { hasTwoStep } from './two-step/queries.ts';

/**
 * A new link no sooner than this after the last one. Each new link ends the one before, so a
 * stranger asking over and over would otherwise kill every link before the owner could open it;
 * this way the newest link in the owner's mailbox keeps working for at least these minutes.
 */
export const SIGN_IN_LINK_REISSUE_MINUTES = 5;

/**
 * Emails a one-time link that signs in without the password (a two-step user still enters a
 * code after it): the way in for the owner while strangers' guesses hold the password step.
 * Always answers the same way; only an active account gets a link.
 */
export async function requestSignInLink(tx: Tx, baseUrl: string, input: { email: string; address: string; now?: Date }) {
  const now = input.now ?? new Date();
  const user = await q.findUserByEmail(tx, input.email);
  if (user?.status !== 'active') return null;
  // One request per account at a time, so two together cannot leave two working links.
  await q.lockUser(tx, user.id);
  const latest = await q.latestWorkingLink(tx, user.id, 'sign_in', now);
  const tooSoon = latest !== undefined && new Date(latest.createdAt).getTime() > now.getTime() - SIGN_IN_LINK_REISSUE_MINUTES * 60_000;
  await recordAudit(tx, {
    actorId: null,
    action: 'sign_in_link_requested',
    subjectType: 'user',
    subjectId: user.id,
    details: { sent: !tooSoon },
    address: input.address,
  });
  if (tooSoon) return null;
  const link = await createLink(tx, baseUrl, { purpose: 'sign_in', email: user.email, userId: user.id });
  await queueMessage(tx, {
    dedupeKey: `sign_in:${link.id}`,
    kind: 'sign_in_link',
    to: user.email,
    recipientId: user.id,
    subject: 'Your link to sign in to Tasters',
    text:
      `Use this link to sign in to Tasters without your password:\n${link.url}\n\n` +
      `The link works once, within ${SIGN_IN_LINK_MINUTES} minutes. If you asked for more than one, only the newest works. ` +
      'If you use two-step sign-in, you will still need your security code.\n\n' +
      'If you did not ask for it, ignore this email: nobody can use it without your mailbox. ' +
      'Someone may be trying to guess your password, so make sure it is one you use nowhere else.\n',
  });
  return link;
}

export type LinkSignIn =
  | { outcome: 'signed_in'; userId: string }
  | { outcome: 'two_step'; userId: string }
  | { outcome: 'refused'; state: Exclude<LinkState, 'valid'> };

/**
 * Uses a sign-in link (once) in place of the password. With two-step sign-in the person is not
 * signed in yet: the code comes next, counted on the link's own path (see throttle.ts).
 */
export async function signInWithLink(tx: Tx, input: { token: string | null; address: string; now?: Date }): Promise<LinkSignIn> {
  const now = input.now ?? new Date();
  // null: not even shaped like a link's token. A token that is no link concerns no account: the
  // route logs it, and like every other made-up link it changes nothing.
  if (input.token === null) return { outcome: 'refused', state: 'unknown' };
  let link: Awaited<ReturnType<typeof useLink>>;
  try {
    link = await useLink(tx, 'sign_in', input.token);
  } catch (error) {
    if (!(error instanceof DomainError) || !error.code.startsWith('link_')) throw error;
    const reason = error.code.slice('link_'.length);
    if (reason !== 'expired' && reason !== 'used' && reason !== 'replaced') return { outcome: 'refused', state: 'unknown' };
    const stale = await q.findAccountLink(tx, 'sign_in', hashToken(input.token));
    const subject = stale?.userId ? { subjectType: 'user', subjectId: stale.userId } : {};
    await recordAudit(tx, { actorId: null, action: 'sign_in_link_refused', ...subject, details: { reason }, address: input.address });
    return { outcome: 'refused', state: reason };
  }
  const user = link.userId ? await q.findUserById(tx, link.userId) : undefined;
  if (user?.status !== 'active') {
    const subject = user ? { subjectType: 'user', subjectId: user.id } : {};
    await recordAudit(tx, {
      actorId: null,
      action: 'sign_in_link_refused',
      ...subject,
      details: { reason: user?.status ?? 'no_account' },
      address: input.address,
    });
    return { outcome: 'refused', state: 'unknown' };
  }
  if (await hasTwoStep(tx, user.id)) {
    await recordAudit(tx, { actorId: user.id, action: 'sign_in_link_used', subjectType: 'user', subjectId: user.id, address: input.address });
    return { outcome: 'two_step', userId: user.id };
  }
  await recordSignIn(tx, user.id, { address: input.address, now, firstStep: 'sign_in_link' });
  return { outcome: 'signed_in', userId: user.id };
}
