import { randomUUID } from 'node:crypto';
import type { Actor, SYSTEM } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Tx } from '../db/database.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { unlinkDaysAndColleaguesOf } from './day-queries.ts';
import * as q from './queries.ts';

export const ERASED_NAME = 'Erased person';

function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Erases a person (UK GDPR Article 17). Their identity goes; what they did stays as anonymous
 * rows, so every report figure is unchanged:
 *
 * - the user row stays, anonymised: name "Erased person", an address that can receive nothing,
 *   no password, no practice. Role, organisation and PCN stay: reports are grouped by them and
 *   none identifies a person on its own. Bookings, feedback and referral counts keep pointing at
 *   the anonymous row, so "distinct link workers" counts stay right too;
 * - free text they wrote (feedback comments on sessions and taster days, what got in the way) is
 *   removed; who booked a colleague's place and who sent a session's message are unlinked;
 * - rows that exist only for them are deleted: sessions (so they are signed out everywhere),
 *   links, calendar feed, two-step sign-in, preferences — every table whose reference to users
 *   deletes with the user, found in the database catalogue — and sign-in attempts and emails;
 * - the audit trail keeps what happened, not who: their network addresses go, and any detail
 *   that was their name or email address is replaced.
 */
export async function erasePerson(tx: Tx, actor: Actor | typeof SYSTEM, personId: string, now = new Date()) {
  const person = await q.lockPersonToErase(tx, personId);
  if (!person) throw new NotFoundError();
  if (person.erasedAt) throw new DomainError('already_erased', 'This person has already been erased');
  if (actor.id === personId) throw new DomainError('own_account', 'You cannot erase your own account. Ask another coordinator');
  if (person.role === 'coordinator' && person.status === 'active') {
    const others = await q.countOtherActiveCoordinators(tx, personId);
    if (others === 0) throw new DomainError('last_coordinator', 'This is the only active coordinator. Invite another coordinator first');
  }
  const { name, email } = person;

  await q.anonymiseUser(tx, personId, { name: ERASED_NAME, email: `erased-${randomUUID()}@invalid`, now });

  // Rows that exist only for this person: the same rows deleting the user would delete.
  for (const reference of await q.userReferences(tx)) {
    if (reference.onDelete !== 'cascade') continue;
    await q.deleteRowsReferring(tx, reference, personId);
  }
  await q.deleteRowsForAddress(tx, personId, email);

  await q.clearFreeTextOf(tx, personId);
  await unlinkDaysAndColleaguesOf(tx, personId);

  // The audit trail: by them or about them, without their address; their name and email out of every detail.
  await q.forgetAuditAddressesOf(tx, personId);
  for (const [value, replacement] of [
    [email, 'erased'],
    [name, ERASED_NAME],
  ] as const) {
    await q.replaceInAuditDetails(tx, JSON.stringify(value), JSON.stringify(replacement));
  }
  // Emails to other people that named them (a provider's "new booking" notice).
  await redactMessages(tx, [
    [email, 'erased'],
    [name, ERASED_NAME],
    [escapeHtml(name), ERASED_NAME],
  ]);

  await recordAudit(tx, { actorId: actor.id, action: 'person_erased', subjectType: 'user', subjectId: personId, address: actor.address ?? null });
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Replaces a name or address wherever it stands as a whole in the text columns of the outbox
 * (subject, bodies, attachments), found from the catalogue so a column the messages feature adds
 * later is covered too.
 */
async function redactMessages(tx: Tx, pairs: Array<[value: string, replacement: string]>) {
  const columns = await q.outboxTextColumns(tx);
  const seen = new Set<string>();
  for (const [value, replacement] of pairs) {
    if (!value || seen.has(value)) continue;
    seen.add(value);
    for (const { columnName, dataType } of columns) {
      if (dataType === 'jsonb') {
        // Inside JSON text a value is escaped: search for and write the escaped forms.
        const escaped = JSON.stringify(value).slice(1, -1);
        await q.replaceInOutboxJson(tx, columnName, escaped, JSON.stringify(replacement).slice(1, -1));
      } else {
        // Not inside a longer word: "Al" is replaced, "Also" is not.
        const pattern = `(?<![[:alnum:]_])${regexEscape(value)}(?![[:alnum:]_])`;
        await q.replaceMatchesInOutboxText(tx, columnName, pattern, replacement);
      }
    }
  }
}
