import { sql } from 'kysely';
import { recordAudit } from '../audit/record.ts';
import type { Db, Tx } from '../db/database.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import type { SessionStatus } from '../db/tables/publishing.ts';
import { queueBookingMessage } from './messages.ts';
import { findLiveBooking } from './queries.ts';
import type { BookingStatus } from '../db/tables/bookings.ts';
import { countConfirmed, fillFreedPlaces, lockTasterSession } from './waiting-list.ts';

export type Actor = { id: string; address?: string | null };
export type BookingOutcome = { bookingId: string; status: BookingStatus; created: boolean };

/** Why nobody can book a session right now, or null when they can. Shared by the rule and the panel. */
export function bookingProblem(
  session: { status: SessionStatus; startsAt: Date; bookingClosesAt: Date },
  now: Date = new Date(),
): DomainError | null {
  if (session.status === 'draft') return new NotFoundError();
  if (session.status === 'cancelled') return new DomainError('session_cancelled', 'This session has been cancelled');
  if (new Date(session.startsAt) <= now) return new DomainError('session_started', 'This session has already started');
  if (new Date(session.bookingClosesAt) <= now) return new DomainError('booking_closed', 'Booking for this session has closed');
  return null;
}

/**
 * Rules 1 and 3: a confirmed place while places are left, otherwise a place on the waiting list;
 * never two live bookings for one person. The session row is locked before anything is counted,
 * so two instances booking the last place at once take turns, and the second one waits.
 * A person who already has a live booking gets it back unchanged (a double click, a second tab),
 * even after booking has closed.
 */
export async function book(
  tx: Tx,
  actor: Actor,
  sessionId: string,
  input: { confidenceBefore: number | null },
  options: { baseUrl?: string } = {},
): Promise<BookingOutcome> {
  const session = await lockTasterSession(tx, sessionId);
  if (!session) throw new NotFoundError();
  const existing = await findLiveBooking(tx, sessionId, actor.id);
  if (existing) return { bookingId: existing.id, status: existing.status, created: false };
  const problem = bookingProblem(session);
  if (problem) throw problem;

  const status: BookingStatus = (await countConfirmed(tx, sessionId)) < session.capacity ? 'confirmed' : 'waitlisted';
  // clock_timestamp() is read while the lock is held, so the waiting order is the order in which
  // bookings got the lock, across every app instance (one clock: the database's).
  const booking = await tx
    .insertInto('bookings')
    .values({
      tasterSessionId: sessionId,
      userId: actor.id,
      status,
      confirmedAt: status === 'confirmed' ? sql<Date>`clock_timestamp()` : null,
      waitlistedAt: status === 'waitlisted' ? sql<Date>`clock_timestamp()` : null,
      confidenceBefore: input.confidenceBefore,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  await recordAudit(tx, {
    actorId: actor.id,
    action: status === 'confirmed' ? 'booking_confirmed' : 'booking_waitlisted',
    subjectType: 'booking',
    subjectId: booking.id,
    details: { sessionId },
    address: actor.address ?? null,
  });
  await queueBookingMessage(tx, status === 'confirmed' ? 'booking_confirmed' : 'booking_waitlisted', booking.id, options.baseUrl);
  return { bookingId: booking.id, status, created: true };
}

/**
 * Rule 2: cancelling a place (or leaving the waiting list), up to the start, hands any freed
 * place to the longest-waiting person in the same transaction. Only the owner can cancel:
 * anyone else's booking is "not found". Cancelling twice changes nothing the second time.
 */
export async function cancel(
  tx: Tx,
  actor: Actor,
  bookingId: string,
  options: { baseUrl?: string } = {},
): Promise<{ sessionId: string; promoted: number }> {
  const owned = await tx
    .selectFrom('bookings')
    .select(['tasterSessionId'])
    .where('id', '=', bookingId)
    .where('userId', '=', actor.id)
    .executeTakeFirst();
  if (!owned) throw new NotFoundError();
  const sessionId = owned.tasterSessionId;
  const session = await lockTasterSession(tx, sessionId);
  if (!session) throw new NotFoundError();
  // Read again under the lock: another request may have cancelled or promoted it meanwhile.
  const booking = await tx.selectFrom('bookings').select(['status']).where('id', '=', bookingId).executeTakeFirstOrThrow();
  if (booking.status === 'cancelled') return { sessionId, promoted: 0 };
  if (new Date(session.startsAt) <= new Date()) {
    throw new DomainError('session_started', 'This session has already started, so the booking can no longer be cancelled');
  }
  await tx
    .updateTable('bookings')
    .set({ status: 'cancelled', cancelledAt: sql<Date>`clock_timestamp()`, updatedAt: sql<Date>`clock_timestamp()` })
    .where('id', '=', bookingId)
    .execute();
  await recordAudit(tx, {
    actorId: actor.id,
    action: booking.status === 'confirmed' ? 'booking_cancelled' : 'waiting_list_left',
    subjectType: 'booking',
    subjectId: bookingId,
    details: { sessionId },
    address: actor.address ?? null,
  });
  await queueBookingMessage(tx, 'booking_cancelled', bookingId, options.baseUrl);
  const promoted = await fillFreedPlaces(tx, sessionId, actor.id, options);
  return { sessionId, promoted: promoted.length };
}

// Lock timeouts, serialization failures and deadlocks: nothing was written, so trying again is safe.
const RETRYABLE = new Set(['55P03', '40001', '40P01']);
const ATTEMPTS = 3;

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** Runs one transaction, again if the database asks for a retry; gives up after a few tries (the 503 page). */
export async function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (attempt >= ATTEMPTS || !RETRYABLE.has(errorCode(error) ?? '')) throw error;
      // A little jitter, so retries from many requests do not collide again in step.
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 40));
    }
  }
}

function isDoubleBooking(error: unknown): boolean {
  return errorCode(error) === '23505' && String((error as { constraint?: unknown }).constraint ?? 'bookings_one_live_per_person') === 'bookings_one_live_per_person';
}

/**
 * The booking use case: one transaction (retried when the database is busy). If the database's
 * own unique index refuses a second live booking — the last line of defence for rule 3 — the
 * person gets the booking they already have.
 */
export async function bookPlace(
  db: Db,
  actor: Actor,
  sessionId: string,
  input: { confidenceBefore: number | null },
  options: { baseUrl?: string } = {},
): Promise<BookingOutcome> {
  try {
    return await inTransaction(db, (tx) => book(tx, actor, sessionId, input, options));
  } catch (error) {
    if (!isDoubleBooking(error)) throw error;
    const existing = await findLiveBooking(db, sessionId, actor.id);
    if (!existing) throw error;
    return { bookingId: existing.id, status: existing.status, created: false };
  }
}

export async function cancelBooking(db: Db, actor: Actor, bookingId: string, options: { baseUrl?: string } = {}) {
  return inTransaction(db, (tx) => cancel(tx, actor, bookingId, options));
}
