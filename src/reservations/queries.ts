import { type SqlBool, sql } from 'kysely';
import type { Queryable, Tx } from '../db/database.ts';

// Places kept for PCNs (migration 20261204_0501). The release is computed, never stored: these
// statements ask the database's own functions (reservation_release_at, session_holds,
// session_places_for), so a page, find and book_place agree on which places anyone can take.

/** When a hold of `releaseDays` days on a session starting at `startsAt` is released. */
export const releaseAt = sql<Date>`reservation_release_at(s.starts_at, r.release_days)`;

/** The places a link worker of PCN `pcn` (null: none) could book on session `sessionIdSql` at `at`. */
export function placesFor(sessionIdSql: ReturnType<typeof sql>, pcn: string | null, at: Date) {
  return sql<number>`session_places_for(${sessionIdSql}, ${pcn}::text, ${at}::timestamptz)`;
}

/** The places a person could book now, and the hold for their PCN if there is one still in force. */
export async function placesForPerson(db: Queryable, sessionId: string, pcn: string | null, at: Date) {
  const row = await db
    .selectFrom('tasterSessions as s')
    .leftJoin('sessionReservations as r', (join) =>
      join
        .onRef('r.tasterSessionId', '=', 's.id')
        .on(sql<SqlBool>`lower(btrim(r.pcn)) = lower(btrim(${pcn}::text))`)
        .on(sql<SqlBool>`reservation_release_at(s.starts_at, r.release_days) > ${at}::timestamptz`),
    )
    .select([
      placesFor(sql`s.id`, pcn, at).as('places'),
      'r.pcn',
      sql<Date | null>`case when r.id is not null then ${releaseAt} end`.as('releaseAt'),
      sql<number | null>`(select h.free from session_holds(s.id, ${at}::timestamptz) h where h.reservation_id = r.id)`.as('heldFree'),
    ])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
  return row;
}

/** A session's holds, for its page: how many places each keeps, how many its PCN has taken, when it is released. */
export async function listReservations(db: Queryable, sessionId: string, at: Date) {
  return db
    .selectFrom('sessionReservations as r')
    .innerJoin('tasterSessions as s', 's.id', 'r.tasterSessionId')
    .select([
      'r.id',
      'r.pcn',
      'r.places',
      'r.releaseDays',
      releaseAt.as('releaseAt'),
      sql<boolean>`reservation_release_at(s.starts_at, r.release_days) <= ${at}::timestamptz`.as('released'),
      sql<number>`(select count(*)::int from bookings c where c.reservation_id = r.id and c.status = 'confirmed')`.as('taken'),
    ])
    .where('r.tasterSessionId', '=', sessionId)
    .orderBy('r.pcn')
    .execute();
}

export type ReservationRow = Awaited<ReturnType<typeof listReservations>>[number];

/** The PCNs link workers have given, to choose from (a typed name could match nobody). */
export async function knownPcns(db: Queryable): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select(sql<string>`min(btrim(pcn))`.as('pcn'))
    .where('role', '=', 'link_worker')
    .where('status', '=', 'active')
    .where(sql<SqlBool>`btrim(coalesce(pcn, '')) <> ''`)
    .groupBy(sql`lower(btrim(pcn))`)
    .orderBy(sql`min(btrim(pcn))`)
    .execute();
  return rows.map((r) => r.pcn);
}

/** Upcoming sessions (drafts and published) a person may keep places on: every organisation's for a coordinator. */
export async function reservableSessions(db: Queryable, organisationId: string | null, now: Date, limit = 300) {
  let query = db
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as g', 'g.id', 'o.organisationId')
    .select(['s.id', 's.startsAt', 's.seriesId', 's.capacity', 'o.title', 'g.name as organisationName'])
    .where('s.status', 'in', ['draft', 'published'])
    .where('s.startsAt', '>', now);
  if (organisationId) query = query.where('o.organisationId', '=', organisationId);
  return query.orderBy('s.startsAt').orderBy('s.id').limit(limit).execute();
}

/** The session and its organisation, and the later sessions of its series still to come. */
export async function sessionWithSeries(db: Queryable, sessionId: string, now: Date) {
  const session = await db
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .select(['s.id', 's.seriesId', 's.startsAt', 's.status', 'o.organisationId'])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
  if (!session) return undefined;
  const later = session.seriesId
    ? await db
        .selectFrom('tasterSessions')
        .select('id')
        .where('seriesId', '=', session.seriesId)
        .where('startsAt', '>=', session.startsAt)
        .where('startsAt', '>', now)
        .where('status', 'in', ['draft', 'published'])
        .orderBy('startsAt')
        .execute()
    : [];
  return { ...session, series: later.map((r) => r.id) };
}

// ---------- under the session's lock ----------

/**
 * The places of a locked session nobody has and no other hold keeps, counting the confirmed
 * bookings of `pcn` that no hold names (they can move into a new hold for their PCN).
 */
export async function freeForHold(tx: Tx, sessionId: string, pcn: string, at: Date) {
  const result = await sql<{ capacity: number; confirmed: number; held: number; adoptable: number; existing: boolean }>`
    select s.capacity,
      (select count(*)::int from bookings c where c.taster_session_id = s.id and c.status = 'confirmed' and not c.is_walk_in) as confirmed,
      (select coalesce(sum(h.free), 0)::int from session_holds(s.id, ${at}::timestamptz) h) as held,
      (select count(*)::int from bookings c join users u on u.id = c.user_id
        where c.taster_session_id = s.id and c.status = 'confirmed' and not c.is_walk_in and c.reservation_id is null
          and lower(btrim(u.pcn)) = lower(btrim(${pcn}::text))) as adoptable,
      exists (select from session_reservations r where r.taster_session_id = s.id and lower(btrim(r.pcn)) = lower(btrim(${pcn}::text))) as existing
    from taster_sessions s where s.id = ${sessionId}::uuid`.execute(tx);
  return result.rows[0];
}

/** A new hold, and the confirmed places its PCN already has (up to its size) moved into it. */
export async function insertReservation(
  tx: Tx,
  input: { sessionId: string; pcn: string; places: number; releaseDays: number; createdBy: string },
): Promise<string> {
  const result = await sql<{ id: string }>`
    with made as (
      insert into session_reservations (taster_session_id, pcn, places, release_days, created_by)
      values (${input.sessionId}::uuid, ${input.pcn}, ${input.places}, ${input.releaseDays}, ${input.createdBy}::uuid)
      returning id
    ),
    adopted as (
      update bookings b set reservation_id = (select id from made)
      where b.id in (
        select c.id from bookings c join users u on u.id = c.user_id
        where c.taster_session_id = ${input.sessionId}::uuid and c.status = 'confirmed' and not c.is_walk_in and c.reservation_id is null
          and lower(btrim(u.pcn)) = lower(btrim(${input.pcn}::text))
        order by c.confirmed_at, c.id limit ${input.places}
      )
    )
    select id from made`.execute(tx);
  const made = result.rows[0];
  if (!made) throw new Error('the reservation was not made');
  return made.id;
}

export async function findReservation(db: Queryable, id: string) {
  return db
    .selectFrom('sessionReservations as r')
    .innerJoin('tasterSessions as s', 's.id', 'r.tasterSessionId')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .select(['r.id', 'r.tasterSessionId', 'r.pcn', 'r.places', 'o.organisationId'])
    .where('r.id', '=', id)
    .executeTakeFirst();
}

export async function deleteReservation(tx: Tx, id: string) {
  await tx.deleteFrom('sessionReservations').where('id', '=', id).execute();
}

/**
 * Published sessions still to come whose hold has been released and that have people waiting and
 * a place free: what the release job promotes. Nothing is marked, so running it twice does nothing new.
 */
export async function releasedWithWaiting(db: Queryable, at: Date) {
  const rows = await sql<{ id: string }>`
    select distinct s.id from session_reservations r
    join taster_sessions s on s.id = r.taster_session_id
    where s.status = 'published' and s.starts_at > ${at}::timestamptz
      and reservation_release_at(s.starts_at, r.release_days) <= ${at}::timestamptz
      and exists (select from bookings w where w.taster_session_id = s.id and w.status = 'waitlisted')`.execute(db);
  return rows.rows.map((r) => r.id);
}
