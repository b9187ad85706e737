import { createHmac } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { sameSecret } from '../lib/tokens.ts';
import type { Block } from '../messages/compose.ts';
import { absolute, preferencesFooter } from '../messages/facts.ts';
import { findUnsubscriber, lockUnsubscriber } from './queries.ts';
import { messageChoices, type OptionalMessage, optionalMessages } from './schemas.ts';
import { getPreferences, savePreferences } from './service.ts';

/**
 * The "stop these emails" link of an optional email, in its List-Unsubscribe header (RFC 8058)
 * and its footer. Mail clients POST to it with no cookie and no CSRF token, so the link itself
 * is the credential: the person's id, the kind of email, and an HMAC of both under the app's
 * secret. Changing either breaks the signature, so a link can only ever switch off what it was
 * sent about, for the person it was sent to. It does not expire: switching something off twice
 * is harmless, and mail clients may offer the button long after the email arrived.
 */
export function unsubscribeToken(secret: string, userId: string, choice: OptionalMessage): string {
  return `${userId}.${choice}.${signature(secret, userId, choice)}`;
}

// The purpose is part of what is signed, so no other signed link in the app can pass for this one.
function signature(secret: string, userId: string, choice: OptionalMessage): string {
  return createHmac('sha256', secret).update(`unsubscribe:${userId}:${choice}`).digest('base64url');
}

const tokenPattern = new RegExp(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.(${optionalMessages.join('|')})\\.([A-Za-z0-9_-]{43})$`);

export type UnsubscribeTarget = { userId: string; choice: OptionalMessage };

/** What a token stands for, or null for anything forged, altered or malformed. */
export function readUnsubscribeToken(secret: string, token: string): UnsubscribeTarget | null {
  const [, userId, choice, given] = tokenPattern.exec(token) ?? [];
  if (!userId || !choice || !given) return null;
  const target = { userId, choice: choice as OptionalMessage };
  return sameSecret(given, signature(secret, target.userId, target.choice)) ? target : null;
}

export function unsubscribePath(secret: string, userId: string, choice: OptionalMessage): string {
  return `/unsubscribe/${unsubscribeToken(secret, userId, choice)}`;
}

/**
 * What an optional email needs to be switched off from: the address for its List-Unsubscribe
 * header, and its footer links (the same address, which asks first, and all the email choices).
 */
export function unsubscribeLinks(options: { baseUrl: string; secret: string; userId: string; choice: OptionalMessage }): { url: string; footer: Block[] } {
  const url = absolute(options.baseUrl, unsubscribePath(options.secret, options.userId, options.choice));
  return {
    url,
    footer: [{ type: 'link', text: `Stop getting ${messageChoices[options.choice].inSentence}`, href: url }, preferencesFooter(options.baseUrl)],
  };
}

/** The person a link names, if they still have an account: an erased one has nothing left to switch off. */
export async function findUnsubscribeTarget(db: Db, target: UnsubscribeTarget) {
  const person = await findUnsubscriber(db, target.userId);
  return person && !person.erasedAt ? person : undefined;
}

/**
 * Switches off one kind of email for the person a link names, as an ordinary change of their
 * choices: only choices their role has, audited as theirs, marked as coming from the email link.
 */
export async function unsubscribe(db: Db, target: UnsubscribeTarget, address: string | null): Promise<'switched_off' | 'not_found'> {
  return db.transaction().execute(async (tx) => {
    const person = await lockUnsubscriber(tx, target.userId);
    if (!person || person.erasedAt) return 'not_found';
    const current = await getPreferences(tx, person.id);
    await savePreferences(tx, { id: person.id, role: person.role, address }, { ...current, [target.choice]: false }, { via: 'email_link' });
    return 'switched_off';
  });
}
