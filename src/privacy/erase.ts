import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { type Actor, SYSTEM } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Tx } from '../db/database.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { userReferences } from './queries.ts';

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
 * - free text they wrote (feedback comments, what got in the way) is removed;
 * - rows that exist only for them are deleted: sessions (so they are signed out everywhere),
 *   links, calendar feed, two-step sign-in, preferences — every table whose reference to users
 *   deletes with the user, found in the database catalogue — and sign-in attempts and emails;
 * - the audit trail keeps what happened, not who: their network addresses go, and any detail
 *   that was their name or email address is replaced.
 */
export async function erasePerson(tx: Tx, actor: Actor | typeof SYSTEM, personId: string, now = new Date()) {
  const person = await tx.selectFrom('users').selectAll().where('id', '=', personId).forUpdate().executeTakeFirst();
  if (!person) throw new NotFoundError();
  if (person.erasedAt) throw new DomainError('already_erased', 'This person has already been erased');
  if (actor.id === personId) throw new DomainError('own_account', 'You cannot erase your own account. Ask another coordinator');
  if (person.role === 'coordinator' && person.status === 'active') {
    const others = await tx
      .selectFrom('users')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('role', '=', 'coordinator')
      .where('status', '=', 'active')
      .where('erasedAt', 'is', null)
      .where('id', '<>', personId)
      .executeTakeFirstOrThrow();
    if (others.n === 0) throw new DomainError('last_coordinator', 'This is the only active coordinator. Invite another coordinator first');
  }
  const { name, email } = person;

  await tx
    .updateTable('users')
    .set({
      name: ERASED_NAME,
      email: `erased-${randomUUID()}@invalid`,
      practice: null,
      passwordHash: null,
      status: 'disabled',
      lastSignedInAt: null,
      erasedAt: now,
      updatedAt: now,
    })
    .where('id', '=', personId)
    .execute();

  // Rows that exist only for this person: the same rows deleting the user would delete.
  for (const reference of await userReferences(tx)) {
    if (reference.onDelete !== 'cascade') continue;
    await sql`delete from ${sql.table(reference.table)} where ${sql.ref(reference.column)} = ${personId}`.execute(tx);
  }
  await tx.deleteFrom('accountLinks').where('email', '=', email).execute();
  await tx.deleteFrom('accountRequests').where('email', '=', email).execute();
  await tx.deleteFrom('signInAttempts').where('email', '=', email).execute();
  await tx.deleteFrom('outboxMessages').where((eb) => eb.or([eb('recipientId', '=', personId), eb('recipientEmail', '=', email)])).execute();

  const theirBookings = tx.selectFrom('bookings').select('id').where('userId', '=', personId);
  await tx.updateTable('feedback').set({ comments: null, referringEasier: null }).where('bookingId', 'in', theirBookings).execute();
  await tx.updateTable('missedSessionReasons').set({ details: null }).where('bookingId', 'in', theirBookings).execute();

  // The audit trail: by them or about them, without their address; their name and email out of every detail.
  await tx
    .updateTable('auditEvents')
    .set({ address: null })
    .where((eb) => eb.or([eb('actorId', '=', personId), eb.and([eb('subjectType', '=', 'user'), eb('subjectId', '=', personId)])]))
    .execute();
  for (const [value, replacement] of [[email, 'erased'], [name, ERASED_NAME]] as const) {
    const quoted = JSON.stringify(value);
    await sql`
      update audit_events set details = replace(details::text, ${quoted}, ${JSON.stringify(replacement)})::jsonb
      where strpos(details::text, ${quoted}) > 0`.execute(tx);
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
  const columns = await sql<{ columnName: string; dataType: string }>`
    select column_name, data_type from information_schema.columns
    where table_schema = current_schema() and table_name = 'outbox_messages'
      and data_type in ('text', 'jsonb') and column_name not in ('recipient_email', 'dedupe_key', 'kind', 'delivered_via', 'last_error')`.execute(tx);
  const seen = new Set<string>();
  for (const [value, replacement] of pairs) {
    if (!value || seen.has(value)) continue;
    seen.add(value);
    for (const { columnName, dataType } of columns.rows) {
      const column = sql.ref(columnName);
      if (dataType === 'jsonb') {
        // Inside JSON text a value is escaped: search for and write the escaped forms.
        const escaped = JSON.stringify(value).slice(1, -1);
        await sql`
          update outbox_messages set ${column} = replace(${column}::text, ${escaped}, ${JSON.stringify(replacement).slice(1, -1)})::jsonb
          where strpos(${column}::text, ${escaped}) > 0`.execute(tx);
      } else {
        // Not inside a longer word: "Al" is replaced, "Also" is not.
        const pattern = `(?<![[:alnum:]_])${regexEscape(value)}(?![[:alnum:]_])`;
        await sql`
          update outbox_messages set ${column} = regexp_replace(${column}, ${pattern}, ${replacement}, 'g')
          where ${column} ~ ${pattern}`.execute(tx);
      }
    }
  }
}
