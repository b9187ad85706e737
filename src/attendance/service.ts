import { DateTime } from 'luxon';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Tx } from '../db/database.ts';
import type { Attendance } from '../db/tables/bookings.ts';
import { DomainError, type DomainErrorCode, NotFoundError } from '../lib/errors.ts';
import type { CurrentUser } from '../web/current-user.ts';
import * as q from './queries.ts';

/** How long after a session its register can still be changed. */
export const REGISTER_OPEN_DAYS = 14;

/**
 * Provider staff take the registers of their own organisation's sessions; coordinators any. For
 * anyone else the session does not exist: a 404 says nothing about another organisation.
 */
export function assertCanTakeRegister(user: CurrentUser, session: { organisationId: string }) {
  if (user.role === 'coordinator') return;
  if (user.role === 'provider' && user.organisationId === session.organisationId) return;
  throw new NotFoundError();
}

export type RegisterWindow = 'open' | 'not_started' | 'closed' | 'cancelled' | 'draft';

/** Attendance is recorded from the start of the session until 14 days after it ends. */
export function registerWindow(session: { status: string; startsAt: Date; endsAt: Date }, now: Date): RegisterWindow {
  if (session.status === 'cancelled') return 'cancelled';
  if (session.status !== 'published') return 'draft';
  if (now < session.startsAt) return 'not_started';
  if (now > registerClosesAt(session)) return 'closed';
  return 'open';
}

export function registerClosesAt(session: { endsAt: Date }): Date {
  // Calendar days in London, so a clock change in between does not move the deadline by an hour.
  return DateTime.fromJSDate(session.endsAt, { zone: 'Europe/London' }).plus({ days: REGISTER_OPEN_DAYS }).toJSDate();
}

const windowErrors: Record<Exclude<RegisterWindow, 'open'>, [code: DomainErrorCode, message: string]> = {
  not_started: ['register_not_open', 'You can record attendance from the start of the session'],
  closed: ['register_closed', `Attendance can only be changed until ${REGISTER_OPEN_DAYS} days after the session. Ask your coordinator to correct it`],
  cancelled: ['session_cancelled', 'This session was cancelled, so there is no register to take'],
  draft: ['session_not_published', 'This session has not been published, so there is no register to take'],
};

async function lockOpenSession(tx: Tx, sessionId: string, now: Date) {
  const session = await q.lockRegisterSession(tx, sessionId);
  if (!session) throw new NotFoundError();
  const window = registerWindow(session, now);
  if (window !== 'open') {
    const [code, message] = windowErrors[window];
    throw new DomainError(code, message);
  }
  return session;
}

/**
 * Marks one person as attended or not. Someone on the waiting list who turns up is let in as a
 * walk-in: they are confirmed, but a walk-in never counts against the places that were booked.
 */
export async function markAttendance(tx: Tx, actor: Actor, sessionId: string, bookingId: string, attendance: Attendance, now = new Date()) {
  await lockOpenSession(tx, sessionId, now);
  const booking = await q.lockLiveBooking(tx, sessionId, bookingId);
  if (!booking) throw new NotFoundError();
  if (booking.status === 'waitlisted' && attendance === 'no_show') {
    throw new DomainError('not_booked', 'People on the waiting list had no place, so they are not marked as did not attend');
  }
  if (booking.attendance === attendance) return { changed: false };
  const admitted = booking.status === 'waitlisted';
  await q.setAttendance(tx, booking.id, { attendance, recordedBy: actor.id, now, admitted });
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'attendance_recorded',
    subjectType: 'booking',
    subjectId: booking.id,
    details: { sessionId, attendance, previous: booking.attendance, fromWaitingList: admitted },
    address: actor.address ?? null,
  });
  return { changed: true };
}

export type WalkInOutcome = { bookingId: string; name: string; outcome: 'added' | 'marked' | 'already' };

/**
 * Adds someone who turned up without a place. They need a link worker account (that is who the
 * service is for, and their attendance counts towards their record). A walk-in is confirmed and
 * attended but marked is_walk_in, so it never takes one of the places that people booked.
 */
export async function addWalkIn(tx: Tx, actor: Actor, sessionId: string, email: string, now = new Date()): Promise<WalkInOutcome> {
  // The session lock also orders this after any booking being made for the same person right now.
  await lockOpenSession(tx, sessionId, now);
  const person = await q.findLinkWorkerByEmail(tx, email);
  if (person?.status !== 'active') {
    throw new DomainError(
      'unknown_link_worker',
      'No link worker has an account with this email address. Check it, or ask them to register and then add them',
      'email',
    );
  }
  const existing = await q.findLiveBookingOf(tx, sessionId, person.id);
  if (existing?.status === 'confirmed' && existing.attendance === 'attended') {
    return { bookingId: existing.id, name: person.name, outcome: 'already' };
  }
  if (existing) {
    await markAttendance(tx, actor, sessionId, existing.id, 'attended', now);
    return { bookingId: existing.id, name: person.name, outcome: 'marked' };
  }
  const booking = await q.insertWalkIn(tx, { sessionId, userId: person.id, recordedBy: actor.id, now });
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'walk_in_added',
    subjectType: 'booking',
    subjectId: booking.id,
    details: { sessionId, userId: person.id },
    address: actor.address ?? null,
  });
  return { bookingId: booking.id, name: person.name, outcome: 'added' };
}

/**
 * "Register complete": everyone with a place who was not ticked in is recorded as did not attend,
 * so no-show figures are not quietly undercounted, and the time is kept on the session.
 */
export async function completeRegister(tx: Tx, actor: Actor, sessionId: string, now = new Date()) {
  await lockOpenSession(tx, sessionId, now);
  const unmarked = await q.markUnmarkedAsNoShow(tx, sessionId, actor.id, now);
  for (const booking of unmarked) {
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'attendance_recorded',
      subjectType: 'booking',
      subjectId: booking.id,
      details: { sessionId, attendance: 'no_show', previous: null, byRegisterComplete: true },
      address: actor.address ?? null,
    });
  }
  await q.markRegisterCompleted(tx, sessionId, actor.id, now);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'register_completed',
    subjectType: 'taster_session',
    subjectId: sessionId,
    details: { markedDidNotAttend: unmarked.length },
    address: actor.address ?? null,
  });
  return { markedDidNotAttend: unmarked.length };
}
