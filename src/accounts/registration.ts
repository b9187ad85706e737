import type { Selectable } from 'kysely';
import { recordAudit } from '../audit/record.ts';
import type { Queryable, Tx } from '../db/database.ts';
import type { AccountRequestsTable } from '../db/tables/accounts.ts';
import { DomainError } from '../lib/errors.ts';
import { hashToken } from '../lib/tokens.ts';
import { queueMessage } from '../messages/outbox.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import * as q from './queries.ts';
import { createLink, emailDomainAllowed, linkProblem, useLink } from './service.ts';

/*
 * Self-registration of link workers, and why it cannot be used to take an account over.
 *
 * The threat: someone registers an address that is not theirs (before or after its owner does)
 * and hopes to end up knowing the password of the account the owner activates. So:
 *
 * 1. Registering creates no account and changes none. The request stores the details typed
 *    (password hashed) as an account request and answers the same page whatever the address;
 *    a job then looks the address up. An address with an account gets "you already have an
 *    account" by email and nothing else happens. Any other address gets a confirmation link
 *    that carries that registration's own details: name, practice, PCN and password hash.
 * 2. A new confirmation link replaces every earlier one for the address (service.ts
 *    createLink), so when the owner registers after an attacker, only the owner's link works,
 *    and it carries the owner's details.
 * 3. Confirming asks for the password chosen when registering, checked against the hash the
 *    link carries. The link proves control of the mailbox; the password proves it is the same
 *    person who registered. Without it, an owner who clicked an attacker's link (sent to their
 *    own mailbox, unasked) would activate an account with the attacker's password. So the
 *    password an account ends up with was chosen by someone who also held the mailbox.
 * 4. The account is made at confirmation, from the link's details. An old account left
 *    unconfirmed by the earlier design is brought up to date from the link the same way; an
 *    address that has an active or disabled account by then is refused and left alone.
 *
 * Without email (development, the demo) the page points to the email instead (routes.ts), which
 * anyone registering can read: that copy has no real mailboxes to protect.
 */

export type RegistrationInput = { name: string; email: string; practice: string; pcn: string; password: string };

/**
 * The request's part: the same work for every address (check the domain, hash the password,
 * store one row). What differs between addresses happens in `sendRegistrationEmail`, on the job queue.
 */
export async function askToRegister(db: Queryable, domains: string[], input: RegistrationInput): Promise<{ requestId: string }> {
  if (!emailDomainAllowed(input.email, domains)) {
    throw new DomainError(
      'domain_not_allowed',
      `Use your work email address ending in ${domains.join(' or ')}, or ask your coordinator for an invitation`,
      'email',
    );
  }
  const passwordHash = await hashPassword(input.password);
  const { id } = await q.insertAccountRequest(db, {
    kind: 'registration',
    email: input.email,
    name: input.name,
    practice: input.practice,
    pcn: input.pcn,
    passwordHash,
  });
  return { requestId: id };
}

export type RegistrationOutcome = 'confirmation_sent' | 'already_registered';

/** The job's part: a confirmation link, or "you already have an account", to the address. */
export async function sendRegistrationEmail(tx: Tx, baseUrl: string, request: Selectable<AccountRequestsTable>): Promise<RegistrationOutcome> {
  const dedupeKey = `account_request:${request.id}`;
  const existing = await q.findUserByEmail(tx, request.email);
  if (existing && existing.status !== 'unconfirmed') {
    await queueMessage(tx, {
      dedupeKey,
      kind: 'already_registered',
      to: request.email,
      recipientId: existing.id,
      subject: 'You already have a Tasters account',
      text:
        `Someone, probably you, asked to create a Tasters account with this email address. You already have one, so nothing has changed.\n\n` +
        `Sign in: ${baseUrl}/sign-in\n\nIf you have forgotten your password, reset it: ${baseUrl}/reset-password\n\n` +
        `If it was not you, you can ignore this email: your account and password are as they were.\n`,
    });
    await recordAudit(tx, {
      actorId: null,
      action: 'registration_refused',
      subjectType: 'user',
      subjectId: existing.id,
      details: { reason: 'already_registered' },
    });
    return 'already_registered';
  }
  const { name, practice, pcn, passwordHash } = request;
  if (name === null || practice === null || pcn === null || passwordHash === null) throw new Error(`account request ${request.id} has no registration details`);
  const link = await createLink(tx, baseUrl, {
    purpose: 'email_confirmation',
    email: request.email,
    userId: existing?.id,
    registration: { name, practice, pcn, passwordHash },
  });
  await queueMessage(tx, {
    dedupeKey,
    kind: 'email_confirmation',
    to: request.email,
    ...(existing ? { recipientId: existing.id } : {}),
    subject: 'Confirm your email address for Tasters',
    text:
      `Confirm your email address to finish setting up your Tasters account:\n${link.url}\n\n` +
      `You will be asked for the password you chose when you registered. The link works once, within 48 hours; if the address is registered again, only the newest link works.\n\n` +
      `If you did not register, ignore this email: no account is made without that password.\n`,
  });
  return 'confirmation_sent';
}

export const WRONG_REGISTRATION_PASSWORD = 'Enter the password you chose when you registered. If you have forgotten it, register again for a new link';

/**
 * Makes (or, for an account left unconfirmed by the earlier design, completes) the account from
 * the link's registration, once the password chosen then is given. A wrong password changes
 * nothing and leaves the link usable.
 */
export async function confirmEmail(tx: Tx, token: string, password: string): Promise<string> {
  // The address first, then the link, in the same order as the job that replaces links.
  const peek = await q.findAccountLink(tx, 'email_confirmation', hashToken(token));
  if (peek) await q.lockEmailAddress(tx, peek.email);
  const link = await useLink(tx, 'email_confirmation', token);
  const existing = await q.findUserByEmail(tx, link.email);
  // A link from before links carried their registration confirms the account it was made for.
  const legacy = link.passwordHash === null;
  const chosenHash = legacy ? (existing && existing.id === link.userId ? existing.passwordHash : null) : link.passwordHash;
  if (!(await verifyPassword(chosenHash, password))) throw new DomainError('wrong_password', WRONG_REGISTRATION_PASSWORD, 'password');

  if (existing && existing.status !== 'unconfirmed') {
    throw new DomainError(
      'already_registered',
      'There is already an account with this email address. Sign in, or reset your password if you have forgotten it.',
    );
  }
  // A registration's link carries everything given at registration (sendConfirmation above refuses
  // to make one without), so a name missing here is a broken row, not something a person did.
  if (!legacy && link.name === null) throw new Error('an email confirmation link has a password but no name');
  const name = link.name ?? '';
  const registration = legacy ? {} : { name, practice: link.practice, pcn: link.pcn, passwordHash: link.passwordHash };
  if (existing) {
    await q.activateUser(tx, existing.id, registration);
    await recordAudit(tx, { actorId: existing.id, action: 'email_confirmed', subjectType: 'user', subjectId: existing.id });
    return existing.id;
  }
  if (legacy) throw new DomainError('link_unknown', linkProblem('unknown'));
  const user = await q.insertActiveUser(tx, {
    email: link.email,
    name,
    practice: link.practice,
    pcn: link.pcn,
    passwordHash: link.passwordHash,
    role: 'link_worker',
  });
  await recordAudit(tx, { actorId: user.id, action: 'registered', subjectType: 'user', subjectId: user.id });
  return user.id;
}
