import { sql } from 'kysely';
import type { Queryable, Tx } from '../db/database.ts';
import type { Attendance } from '../db/tables/bookings.ts';

/** The session a register belongs to, with what the page heading and the access check need. */
export async function findRegisterSession(db: Queryable, sessionId: string) {
  return db
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .leftJoin('venues as v', 'v.id', 's.venueId')
    .select([
      's.id',
      's.startsAt',
      's.endsAt',
      's.capacity',
      's.status',
      's.isOnline',
      's.registerCompletedAt',
      'o.title as offerTitle',
      'o.organisationId',
      'org.name as organisationName',
      'v.name as venueName',
    ])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
}

export type RegisterSession = NonNullable<Awaited<ReturnType<typeof findRegisterSession>>>;

const registerColumns = [
  'b.id',
  'b.status',
  'b.attendance',
  'b.isWalkIn',
  'b.attendanceMarkedBy',
  'b.waitlistedAt',
  'b.confirmedAt',
  'u.name',
  'u.practice',
] as const;

/**
 * The people at the door: confirmed places first, then the waiting list in waiting order. Only
 * name and practice — contact details stay off a phone screen that others can see.
 */
export async function listRegister(db: Queryable, sessionId: string) {
  return db
    .selectFrom('bookings as b')
    .leftJoin('users as u', 'u.id', 'b.userId')
    .select(registerColumns)
    .where('b.tasterSessionId', '=', sessionId)
    .where('b.status', 'in', ['confirmed', 'waitlisted'])
    .orderBy('b.status')
    .orderBy('u.name')
    .orderBy('b.waitlistedAt')
    .orderBy('b.id')
    .execute();
}

export type RegisterEntry = Awaited<ReturnType<typeof listRegister>>[number];

export async function findRegisterEntry(db: Queryable, sessionId: string, bookingId: string) {
  return db
    .selectFrom('bookings as b')
    .leftJoin('users as u', 'u.id', 'b.userId')
    .select(registerColumns)
    .where('b.id', '=', bookingId)
    .where('b.tasterSessionId', '=', sessionId)
    .where('b.status', 'in', ['confirmed', 'waitlisted'])
    .executeTakeFirst();
}

/** Locks the session whose register is being taken, for the rest of the transaction. */
export async function lockRegisterSession(tx: Tx, sessionId: string) {
  return tx.selectFrom('tasterSessions').select(['id', 'status', 'startsAt', 'endsAt']).where('id', '=', sessionId).forUpdate().executeTakeFirst();
}

/** Records attendance on one booking; someone admitted from the waiting list becomes a confirmed walk-in. */
export async function setAttendance(tx: Tx, bookingId: string, change: { attendance: Attendance; recordedBy: string; now: Date; admitted: boolean }) {
  const { attendance, recordedBy, now, admitted } = change;
  await tx
    .updateTable('bookings')
    .set({
      attendance,
      attendanceRecordedAt: now,
      attendanceRecordedBy: recordedBy,
      attendanceMarkedBy: 'register',
      updatedAt: now,
      ...(admitted ? { status: 'confirmed' as const, confirmedAt: now, isWalkIn: true } : {}),
    })
    .where('id', '=', bookingId)
    .execute();
}

/** A confirmed, attended booking for someone who turned up without one. */
export async function insertWalkIn(tx: Tx, walkIn: { sessionId: string; userId: string; recordedBy: string; now: Date }) {
  const { now } = walkIn;
  return tx
    .insertInto('bookings')
    .values({
      tasterSessionId: walkIn.sessionId,
      userId: walkIn.userId,
      status: 'confirmed',
      requestedAt: now,
      confirmedAt: now,
      isWalkIn: true,
      attendance: 'attended',
      attendanceRecordedAt: now,
      attendanceRecordedBy: walkIn.recordedBy,
      attendanceMarkedBy: 'register',
      updatedAt: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** Everyone with a place not yet marked becomes "did not attend"; returns their bookings. */
export async function markUnmarkedAsNoShow(tx: Tx, sessionId: string, recordedBy: string, now: Date) {
  return tx
    .updateTable('bookings')
    .set({ attendance: 'no_show', attendanceRecordedAt: now, attendanceRecordedBy: recordedBy, attendanceMarkedBy: 'register', updatedAt: now })
    .where('tasterSessionId', '=', sessionId)
    .where('status', '=', 'confirmed')
    .where('attendance', 'is', null)
    .returning('id')
    .execute();
}

export async function markRegisterCompleted(tx: Tx, sessionId: string, completedBy: string, now: Date) {
  await tx.updateTable('tasterSessions').set({ registerCompletedAt: now, registerCompletedBy: completedBy }).where('id', '=', sessionId).execute();
}

/** Locks one live booking on a session for the rest of the transaction. */
export async function lockLiveBooking(tx: Tx, sessionId: string, bookingId: string) {
  return tx
    .selectFrom('bookings')
    .select(['id', 'userId', 'status', 'attendance', 'isWalkIn'])
    .where('id', '=', bookingId)
    .where('tasterSessionId', '=', sessionId)
    .where('status', 'in', ['confirmed', 'waitlisted'])
    .forUpdate()
    .executeTakeFirst();
}

export async function findLinkWorkerByEmail(db: Queryable, email: string) {
  return db.selectFrom('users').select(['id', 'name', 'status']).where('email', '=', email).where('role', '=', 'link_worker').executeTakeFirst();
}

export async function findLiveBookingOf(tx: Tx, sessionId: string, userId: string) {
  return tx
    .selectFrom('bookings')
    .select(['id', 'status', 'attendance'])
    .where('tasterSessionId', '=', sessionId)
    .where('userId', '=', userId)
    .where('status', '<>', 'cancelled')
    .forUpdate()
    .executeTakeFirst();
}

/** How the register stands: for the summary line and the "what changed" announcement. */
export async function registerCounts(db: Queryable, sessionId: string) {
  return db
    .selectFrom('bookings')
    .select([
      sql<number>`count(*) filter (where attendance = 'attended')::int`.as('attended'),
      sql<number>`count(*) filter (where attendance = 'no_show')::int`.as('noShows'),
      sql<number>`count(*) filter (where status = 'confirmed' and attendance is null)::int`.as('unmarked'),
      sql<number>`count(*) filter (where is_walk_in and attendance = 'attended')::int`.as('walkIns'),
    ])
    .where('tasterSessionId', '=', sessionId)
    .where('status', 'in', ['confirmed', 'waitlisted'])
    .executeTakeFirstOrThrow();
}

export type RegisterCounts = Awaited<ReturnType<typeof registerCounts>>;
