import { type SqlBool, sql } from 'kysely';
import type { Queryable, Tx } from '../db/database.ts';
import { placeColumns, sessionsWithPlace } from '../db/sessions-with-place.ts';

// A minimum to run (migration 20261204_0502). "Short" is counted from live rows, like every place.

const confirmed = sql<number>`(select count(*)::int from bookings c where c.taster_session_id = s.id and c.status = 'confirmed' and not c.is_walk_in)`;

/** Published, still to come, inside the check time, below its minimum, and nobody chose to run it anyway. */
function atRisk(now: Date, hours: number) {
  return sql<SqlBool>`s.status = 'published' and s.minimum_bookings is not null and s.run_anyway_at is null
    and s.starts_at > ${now}::timestamptz and s.starts_at - make_interval(hours => ${hours}::int) <= ${now}::timestamptz
    and ${confirmed} < s.minimum_bookings`;
}

/** The minimum of a session, what is booked, and whether it is at risk now. */
export async function findMinimum(db: Queryable, sessionId: string, now: Date, hours: number) {
  return db
    .selectFrom('tasterSessions as s')
    .select([
      's.minimumBookings',
      's.minimumToldAt',
      's.runAnywayAt',
      's.capacity',
      confirmed.as('confirmed'),
      sql<boolean>`coalesce(${atRisk(now, hours)}, false)`.as('atRisk'),
    ])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
}

/** The sessions of an organisation at risk of not running, for its dashboard. */
export async function atRiskSessionIds(db: Queryable, organisationId: string, now: Date, hours: number): Promise<string[]> {
  const rows = await db
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .select('s.id')
    .where('o.organisationId', '=', organisationId)
    .where(atRisk(now, hours))
    .execute();
  return rows.map((r) => r.id);
}

/** Sessions short of their minimum at the check time whose staff have not been told yet. */
export async function shortSessionsToTell(db: Queryable, now: Date, hours: number) {
  return sessionsWithPlace(db)
    .select(['s.id', 's.startsAt', 's.endsAt', 's.isOnline', 's.minimumBookings', 'g.id as organisationId', confirmed.as('confirmed'), ...placeColumns])
    .where(atRisk(now, hours))
    .where('s.minimumToldAt', 'is', null)
    .orderBy('s.startsAt')
    .execute();
}

/** Marks the staff as told; false when another run got there first (so only one run queues the emails). */
export async function markTold(tx: Tx, sessionId: string, now: Date): Promise<boolean> {
  const result = await tx
    .updateTable('tasterSessions')
    .set({ minimumToldAt: now })
    .where('id', '=', sessionId)
    .where('minimumToldAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The organisation's active staff, who are told. */
export async function staffOf(db: Queryable, organisationId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name'])
    .where('organisationId', '=', organisationId)
    .where('role', '=', 'provider')
    .where('status', '=', 'active')
    .execute();
}

export async function setMinimum(tx: Tx, sessionId: string, minimum: number | null) {
  // A new minimum is checked afresh: the staff are told again if it is short at the check time.
  await tx
    .updateTable('tasterSessions')
    .set({ minimumBookings: minimum, minimumToldAt: null, runAnywayAt: null, runAnywayBy: null })
    .where('id', '=', sessionId)
    .execute();
}

export async function setRunAnyway(tx: Tx, sessionId: string, userId: string, now: Date) {
  await tx.updateTable('tasterSessions').set({ runAnywayAt: now, runAnywayBy: userId }).where('id', '=', sessionId).where('runAnywayAt', 'is', null).execute();
}
