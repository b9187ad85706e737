import type { Queryable, Tx } from '../db/database.ts';

/** The session a check-in code names, with what its pages show. */
export async function findCheckInSession(db: Queryable, sessionId: string) {
  return db
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .leftJoin('venues as v', 'v.id', 's.venueId')
    .select([
      's.id',
      's.status',
      's.startsAt',
      's.endsAt',
      's.isOnline',
      'o.title as offerTitle',
      'o.organisationId',
      'org.name as organisationName',
      'v.name as venueName',
    ])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
}

export type CheckInSession = NonNullable<Awaited<ReturnType<typeof findCheckInSession>>>;

export async function findLiveBookingFor(db: Queryable, sessionId: string, userId: string) {
  return db
    .selectFrom('bookings')
    .select(['id', 'status', 'attendance'])
    .where('tasterSessionId', '=', sessionId)
    .where('userId', '=', userId)
    .where('status', 'in', ['confirmed', 'waitlisted'])
    .executeTakeFirst();
}

/** The session's row lock (the one the register and bookings take), with the times the window needs. */
export async function lockCheckInSession(tx: Tx, sessionId: string) {
  return tx.selectFrom('tasterSessions').select(['id', 'status', 'startsAt', 'endsAt']).where('id', '=', sessionId).forUpdate().executeTakeFirst();
}

export async function lockLiveBookingFor(tx: Tx, sessionId: string, userId: string) {
  return tx
    .selectFrom('bookings')
    .select(['id', 'status', 'attendance'])
    .where('tasterSessionId', '=', sessionId)
    .where('userId', '=', userId)
    .where('status', 'in', ['confirmed', 'waitlisted'])
    .forUpdate()
    .executeTakeFirst();
}

export async function markSelfCheckedIn(tx: Tx, bookingId: string, userId: string, now: Date) {
  await tx
    .updateTable('bookings')
    .set({ attendance: 'attended', attendanceRecordedAt: now, attendanceRecordedBy: userId, attendanceMarkedBy: 'self_check_in', updatedAt: now })
    .where('id', '=', bookingId)
    .execute();
}
