import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import { sessionsWithPlaceSql } from '../../db/sessions-with-place.ts';
import type { BroadcastAudience } from '../../db/tables/broadcasts.ts';
import { sessionFactsJson } from '../../messages/queries.ts';

/** How many messages were sent about a session since a moment, and when the oldest of them was. */
export async function broadcastsSince(tx: Tx, sessionId: string, since: Date) {
  return tx
    .selectFrom('sessionBroadcasts')
    .select([sql<number>`count(*)::int`.as('sent'), sql<Date | null>`min(sent_at)`.as('oldest')])
    .where('tasterSessionId', '=', sessionId)
    .where('sentAt', '>', since)
    .executeTakeFirstOrThrow();
}

/**
 * Queues the provider's message for everyone with a place (or everyone waiting) on the session, as
 * facts the delivery worker writes the email from, in one statement. Only active accounts; a person
 * is told once however the rows fall. Returns how many were queued.
 */
export async function insertBroadcastMessages(
  tx: Tx,
  message: { broadcastId: string; sessionId: string; audience: BroadcastAudience; body: string; baseUrl: string | null },
): Promise<number> {
  const status = message.audience === 'booked' ? 'confirmed' : 'waitlisted';
  const result = await sql<{ id: string }>`
    insert into outbox_messages (dedupe_key, kind, recipient_email, recipient_id, facts)
    select 'session_broadcast:' || ${message.broadcastId}::text || ':' || u.id, 'session_broadcast', u.email, u.id,
      jsonb_build_object('baseUrl', ${message.baseUrl}::text, 'name', u.name, 'email', u.email,
        'booking', jsonb_build_object('id', b.id, 'status', b.status),
        'audience', ${message.audience}::text, 'body', ${message.body}::text, 'contact', g.contact_email,
        'session', ${sessionFactsJson})
    from ${sessionsWithPlaceSql}
    join bookings b on b.taster_session_id = s.id and b.status = ${status}
    join users u on u.id = b.user_id and u.status = 'active'
    where s.id = ${message.sessionId}::uuid
    on conflict (dedupe_key) do nothing
    returning id`.execute(tx);
  return result.rows.length;
}

export async function insertBroadcast(
  tx: Tx,
  broadcast: { id: string; sessionId: string; audience: BroadcastAudience; body: string; recipients: number; sentBy: string },
) {
  await tx
    .insertInto('sessionBroadcasts')
    .values({
      id: broadcast.id,
      tasterSessionId: broadcast.sessionId,
      audience: broadcast.audience,
      body: broadcast.body,
      recipients: broadcast.recipients,
      sentBy: broadcast.sentBy,
    })
    .execute();
}

/** The messages sent about a session, newest first, with who sent each: its history of messages. */
export async function listBroadcasts(db: Queryable, sessionId: string) {
  return db
    .selectFrom('sessionBroadcasts as m')
    .leftJoin('users as u', 'u.id', 'm.sentBy')
    .select(['m.id', 'm.audience', 'm.body', 'm.recipients', 'm.sentAt', 'u.name as senderName'])
    .where('m.tasterSessionId', '=', sessionId)
    .orderBy('m.sentAt', 'desc')
    .orderBy('m.id')
    .execute();
}

/** How many people a message to each audience would reach now. */
export async function audienceSizes(db: Queryable, sessionId: string) {
  const row = await db
    .selectFrom('bookings as b')
    .innerJoin('users as u', 'u.id', 'b.userId')
    .select([
      sql<number>`count(*) filter (where b.status = 'confirmed')::int`.as('booked'),
      sql<number>`count(*) filter (where b.status = 'waitlisted')::int`.as('waiting'),
    ])
    .where('b.tasterSessionId', '=', sessionId)
    .where('u.status', '=', 'active')
    .executeTakeFirstOrThrow();
  return { booked: row.booked, waiting: row.waiting };
}
