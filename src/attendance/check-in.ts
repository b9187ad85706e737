import { createHmac } from 'node:crypto';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Queryable, Tx } from '../db/database.ts';
import { sameSecret } from '../lib/tokens.ts';
import * as q from './check-in-queries.ts';

/**
 * Self check-in at the door. The provider shows a QR code that opens /check-in/<token>; the token is
 * the session's id and an HMAC of it under the app's secret, so it names one session, cannot be
 * altered to name another, and is the same on every screen and printout of that session's code.
 * It carries no time: when it works is decided from the session's own times when it is used,
 * so a code printed the day before still works at the door, and moving the session moves its window.
 */
export function checkInToken(secret: string, sessionId: string): string {
  return `${sessionId}.${signature(secret, sessionId)}`;
}

// The purpose is part of what is signed, so no other signed link in the app can pass for this one.
function signature(secret: string, sessionId: string): string {
  return createHmac('sha256', secret).update(`check-in:${sessionId}`).digest('base64url');
}

const tokenPattern = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

/** The session a token names, or null for anything forged, altered or malformed. */
export function readCheckInToken(secret: string, token: string): string | null {
  const [, sessionId, given] = tokenPattern.exec(token) ?? [];
  if (!sessionId || !given) return null;
  return sameSecret(given, signature(secret, sessionId)) ? sessionId : null;
}

export function checkInPath(secret: string, sessionId: string): string {
  return `/check-in/${checkInToken(secret, sessionId)}`;
}

/** The code works from this long before the start (people arrive early)… */
export const OPENS_MINUTES_BEFORE = 30;
/** …until this long after the end (people leave after it, and some check in on the way out). */
export const CLOSES_MINUTES_AFTER = 30;

export function checkInOpensAt(session: { startsAt: Date }): Date {
  return new Date(session.startsAt.getTime() - OPENS_MINUTES_BEFORE * 60_000);
}

export function checkInClosesAt(session: { endsAt: Date }): Date {
  return new Date(session.endsAt.getTime() + CLOSES_MINUTES_AFTER * 60_000);
}

export type CheckInWindow = 'open' | 'not_yet' | 'over' | 'cancelled' | 'not_published';

export function checkInWindow(session: { status: string; startsAt: Date; endsAt: Date }, now: Date): CheckInWindow {
  if (session.status === 'cancelled') return 'cancelled';
  if (session.status !== 'published') return 'not_published';
  if (now < checkInOpensAt(session)) return 'not_yet';
  if (now > checkInClosesAt(session)) return 'over';
  return 'open';
}

/**
 * Where the person stands, as the check-in page says it. Every state but 'ready' and
 * 'checked_in' is a refusal that changes nothing.
 */
export type CheckInState = Exclude<CheckInWindow, 'open'> | 'ready' | 'checked_in' | 'waiting_list' | 'not_booked';

function stateOf(window: CheckInWindow, booking: { status: string; attendance: string | null } | undefined): CheckInState {
  if (window !== 'open') return window;
  if (!booking) return 'not_booked';
  if (booking.status === 'waitlisted') return 'waiting_list';
  return booking.attendance === 'attended' ? 'checked_in' : 'ready';
}

/** What the page shows before the button is pressed (no lock: the POST checks again under it). */
export async function checkInState(db: Queryable, sessionId: string, userId: string, now = new Date()) {
  const session = await q.findCheckInSession(db, sessionId);
  if (!session || session.status === 'draft') return null;
  const booking = await q.findLiveBookingFor(db, sessionId, userId);
  return { session, state: stateOf(checkInWindow(session, now), booking) };
}

/**
 * Marks the person attended, as checked in by themselves, when the session's window is open and
 * they have a confirmed place. Under the session's row lock, like the register, so a provider's
 * tap and a scan never interleave. Scanning again finds them attended and changes nothing. A
 * place marked "did not attend" becomes attended: they are at the door with the code in front of them.
 */
export async function selfCheckIn(tx: Tx, actor: Actor, sessionId: string, now = new Date()): Promise<CheckInState | null> {
  const session = await q.lockCheckInSession(tx, sessionId);
  if (!session || session.status === 'draft') return null;
  const booking = await q.lockLiveBookingFor(tx, sessionId, actor.id);
  const state = stateOf(checkInWindow(session, now), booking);
  if (state !== 'ready' || !booking) return state;
  await q.markSelfCheckedIn(tx, booking.id, actor.id, now);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'attendance_self_checked_in',
    subjectType: 'booking',
    subjectId: booking.id,
    details: { sessionId, previous: booking.attendance },
    address: actor.address ?? null,
  });
  return 'checked_in';
}
