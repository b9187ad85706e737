import { type RawBuilder, sql } from 'kysely';
import type { Queryable, Tx } from '../db/database.ts';
import { placeColumns, sessionsWithPlace, sessionsWithPlaceSql } from '../db/sessions-with-place.ts';
import type { MessageAttachment } from '../db/tables/messages.ts';

/** What any message about a session says about it: what, who runs it, when and where. */
export async function findSessionFacts(db: Queryable, sessionId: string) {
  return sessionsWithPlace(db)
    .select([
      's.id',
      's.status',
      's.startsAt',
      's.endsAt',
      's.isOnline',
      's.venueId',
      's.joiningInstructions',
      's.whatToBring',
      's.cancellationReason',
      'o.id as offerId',
      ...placeColumns,
    ])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
}

export type SessionFacts = NonNullable<Awaited<ReturnType<typeof findSessionFacts>>>;

/**
 * The session as every message about it describes it (SessionFactsJson in facts.ts), built by the
 * database in the statement that queues the message, from the row as it is at that moment.
 */
export const sessionFactsJson = sql`jsonb_build_object(
  'id', s.id, 'status', s.status, 'title', o.title, 'organisationName', g.name,
  'startsAt', s.starts_at, 'endsAt', s.ends_at, 'isOnline', s.is_online, 'venueId', s.venue_id,
  'venueName', v.name, 'addressLine1', v.address_line1, 'addressLine2', v.address_line2, 'town', v.town, 'postcode', v.postcode,
  'joiningInstructions', s.joining_instructions, 'cancellationReason', s.cancellation_reason)`;

/**
 * The SEQUENCE of the calendar event of booking b (its UID is the booking's id), given the
 * session's count of moves and cancellation (taster_sessions.calendar_sequence, or the value a
 * statement has just raised it to). One more once the booking was promoted from the waiting list,
 * one more once it is cancelled. promoted_at is never cleared and a cancelled booking is never
 * revived (booking again makes a new booking, so a new UID), so every part only grows, and the
 * sum rises with every move, promotion and cancellation, in whatever order they come, without
 * writing to every booking of a session when it moves. See migration 20261203_0901.
 */
export function calendarSequence(sessionSequence: RawBuilder<number> = sql<number>`s.calendar_sequence`) {
  return sql<number>`(${sessionSequence} + (b.promoted_at is not null)::int + (b.status = 'cancelled')::int)`;
}

/**
 * Who organises a booking's calendar event (ORGANIZER, RFC 5546): the contact email of the
 * provider's organisation g, else the service's from-address (MAIL_FROM).
 */
export function calendarOrganizer(mailFrom: string | null) {
  return sql<string | null>`coalesce(g.contact_email, ${senderAddress(mailFrom)}::text)`;
}

/** The address of a From header such as "Tasters <tasters@example.org>"; null for none. */
export function senderAddress(mailFrom: string | null | undefined): string | null {
  if (!mailFrom) return null;
  return /<([^<>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim();
}

/** Everyone with a place or on the waiting list of the session s (b), whose account is active (u). */
export const livePeopleOfSession = sql`join bookings b on b.taster_session_id = s.id and b.status in ('confirmed', 'waitlisted')
  join users u on u.id = b.user_id and u.status = 'active'`;

export type PlaceAndTime = { startsAt: Date; endsAt: Date; venueId: string | null; isOnline: boolean };

/**
 * Queues "the time or place has changed" for everyone booked or waiting, as facts that
 * session-messages.ts writes the emails from, in one statement after the session's update: the
 * session as it is now, and `before` as it was, with its old venue's name and address. Each
 * change is its own event (a new id in every dedupe key), so changing it back later is news again.
 * Returns how many were queued.
 */
export async function insertSessionChangedMessages(
  tx: Tx,
  sessionId: string,
  change: { before: PlaceAndTime; timeChanged: boolean; placeChanged: boolean; baseUrl: string | null; mailFrom: string | null },
): Promise<number> {
  const { before } = change;
  // The move raises the session's calendar SEQUENCE (calendarSequence), and the emails carry the
  // raised value: the sub-statements share one snapshot, so it is read from RETURNING.
  const result = await sql<{ id: string }>`
    with event as (select gen_random_uuid()::text as id),
    moved as (
      update taster_sessions set calendar_sequence = calendar_sequence + 1
      where id = ${sessionId}::uuid returning calendar_sequence
    ),
    was as (
      select ${JSON.stringify({ startsAt: before.startsAt, endsAt: before.endsAt, venueId: before.venueId, isOnline: before.isOnline })}::jsonb || jsonb_build_object(
        'venueName', ov.name, 'addressLine1', ov.address_line1, 'addressLine2', ov.address_line2, 'town', ov.town, 'postcode', ov.postcode) as facts
      from (values (true)) as one (x) left join venues ov on ov.id = ${before.venueId}::uuid
    )
    insert into outbox_messages (dedupe_key, kind, recipient_email, recipient_id, facts)
    select 'session_changed:' || event.id || ':' || b.id, 'session_changed', u.email, u.id,
      jsonb_build_object('baseUrl', ${change.baseUrl}::text, 'name', u.name,
        'email', u.email, 'organizer', ${calendarOrganizer(change.mailFrom)},
        'booking', jsonb_build_object('id', b.id, 'status', b.status, 'sequence', ${calendarSequence(sql<number>`moved.calendar_sequence`)}),
        'session', ${sessionFactsJson}, 'before', was.facts,
        'timeChanged', ${change.timeChanged}::boolean, 'placeChanged', ${change.placeChanged}::boolean)
    from event, was, moved, ${sessionsWithPlaceSql} ${livePeopleOfSession}
    where s.id = ${sessionId}::uuid and s.status = 'published'
    on conflict (dedupe_key) do nothing
    returning id`.execute(tx);
  return result.rows.length;
}

/**
 * Queues "the organiser cancelled it" for everyone booked or waiting, as facts, in one statement
 * after the session's cancellation (it carries the reason). Returns how many were queued.
 */
export async function insertSessionCancelledMessages(tx: Tx, sessionId: string, baseUrl: string | null, mailFrom: string | null): Promise<number> {
  // The cancellation raises the session's calendar SEQUENCE, as a move does (calendarSequence).
  const result = await sql<{ id: string }>`
    with called_off as (
      update taster_sessions set calendar_sequence = calendar_sequence + 1
      where id = ${sessionId}::uuid and status = 'cancelled' returning calendar_sequence
    )
    insert into outbox_messages (dedupe_key, kind, recipient_email, recipient_id, facts)
    select 'session_cancelled:' || b.id, 'session_cancelled', u.email, u.id,
      jsonb_build_object('baseUrl', ${baseUrl}::text, 'name', u.name,
        'email', u.email, 'organizer', ${calendarOrganizer(mailFrom)},
        'booking', jsonb_build_object('id', b.id, 'status', b.status, 'sequence', ${calendarSequence(sql<number>`called_off.calendar_sequence`)}),
        'session', ${sessionFactsJson})
    from called_off, ${sessionsWithPlaceSql} ${livePeopleOfSession}
    where s.id = ${sessionId}::uuid and s.status = 'cancelled'
    on conflict (dedupe_key) do nothing
    returning id`.execute(tx);
  return result.rows.length;
}

/**
 * One written message into the outbox; nothing when a message with its dedupe key is already
 * there. Returns the new row's id, or undefined when it was a duplicate.
 */
export async function insertOutboxMessage(
  db: Queryable,
  message: {
    dedupeKey: string;
    kind: string;
    recipientEmail: string;
    recipientId: string | null;
    subject: string;
    textBody: string;
    htmlBody: string;
    attachments: MessageAttachment[];
    unsubscribeUrl: string | null;
  },
) {
  return db
    .insertInto('outboxMessages')
    .values({ ...message, attachments: JSON.stringify(message.attachments) })
    .onConflict((oc) => oc.column('dedupeKey').doNothing())
    .returning('id')
    .executeTakeFirst();
}

const listColumns = [
  'id',
  'kind',
  'recipientEmail',
  'subject',
  'textBody',
  'createdAt',
  'sentAt',
  'deliveredVia',
  'attempts',
  'lastError',
  'attachments',
] as const;

/** The newest messages, for the development mailbox; `to` narrows them to one address. */
export async function listRecentMessages(db: Queryable, options: { limit?: number; to?: string } = {}) {
  let query = db.selectFrom('outboxMessages').select([...listColumns]);
  if (options.to) query = query.where('recipientEmail', '=', options.to.toLowerCase());
  return query
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit ?? 50)
    .execute();
}

export async function findMessage(db: Queryable, id: string) {
  return db.selectFrom('outboxMessages').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findMessageByDedupeKey(db: Queryable, dedupeKey: string) {
  return db.selectFrom('outboxMessages').selectAll().where('dedupeKey', '=', dedupeKey).executeTakeFirst();
}
