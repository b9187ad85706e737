import type { Actor } from '../audit/actor.ts';
import { fillFreedPlaces, lockTasterSession } from '../capacity/places.ts';
import type { Db, Queryable, Tx } from '../db/database.ts';
import type { BookingStatus } from '../db/tables/bookings.ts';
import type { SessionStatus } from '../db/tables/publishing.ts';
import { errorCode, inTransaction } from '../db/transaction.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { type BookPlaceRow, bookPlaceLocked, cancelBookingLocked, findLiveBooking, findSessionOfOwnBooking } from './queries.ts';
import { BookingsTogether } from './together.ts';

/** What the emails queued by a change need from the configuration: the site's address, and MAIL_FROM (a calendar's ORGANIZER when the provider has no contact email). */
export type EmailContext = { baseUrl?: string | undefined; mailFrom?: string | undefined };

export type BookingOutcome = { bookingId: string; status: BookingStatus; created: boolean };

/** Why nobody can book a session right now, or null when they can. Shared by the rule and the panel. */
export function bookingProblem(session: { status: SessionStatus; startsAt: Date; bookingClosesAt: Date }, now: Date = new Date()): DomainError | null {
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
 *
 * One call to the database (bookPlaceLocked): the lock, then the existing booking, the count, the
 * insert, its audit entry and the facts of its email. Given a transaction, the lock is held until
 * that transaction ends; bookPlace runs it on its own, so it is held until this call commits.
 */
export async function book(
  db: Queryable,
  actor: Actor,
  sessionId: string,
  input: { confidenceBefore: number | null },
  options: EmailContext = {},
): Promise<BookingOutcome> {
  const row = await bookPlaceLocked(db, {
    sessionId,
    userId: actor.id,
    confidenceBefore: input.confidenceBefore,
    address: actor.address ?? null,
    baseUrl: options.baseUrl ?? null,
    mailFrom: options.mailFrom ?? null,
  });
  return outcomeOf(row);
}

/** What the booking statement answered, as the outcome or the reason nobody can book. */
function outcomeOf(row: BookPlaceRow): BookingOutcome {
  if (!row.sessionFound || !row.sessionStatus || !row.startsAt || !row.bookingClosesAt) throw new NotFoundError();
  if (!row.bookingId || !row.bookingStatus) {
    throw (
      bookingProblem({ status: row.sessionStatus, startsAt: row.startsAt, bookingClosesAt: row.bookingClosesAt }) ??
      new Error('a booking that could be made was not')
    );
  }
  return { bookingId: row.bookingId, status: row.bookingStatus, created: row.created === true };
}

/**
 * Rule 2: cancelling a place (or leaving the waiting list), up to the start, hands any freed
 * place to the longest-waiting person in the same transaction. Only the owner can cancel:
 * anyone else's booking is "not found". Cancelling twice changes nothing the second time.
 *
 * Under the lock: the lock, cancelBookingLocked (the cancellation, its audit entry and the facts
 * of its email) and, when a place was freed, promoteWaitingLocked; then the commit.
 */
export async function cancel(tx: Tx, actor: Actor, bookingId: string, options: EmailContext = {}): Promise<{ sessionId: string; promoted: number }> {
  const owned = await findSessionOfOwnBooking(tx, bookingId, actor.id);
  if (!owned) throw new NotFoundError();
  const sessionId = owned.tasterSessionId;
  const session = await lockTasterSession(tx, sessionId);
  if (!session) throw new NotFoundError();
  // The statement reads the booking again under the lock: another request may have cancelled or
  // promoted it meanwhile.
  const outcome = await cancelBookingLocked(tx, {
    bookingId,
    sessionId,
    actorId: actor.id,
    open: new Date(session.startsAt) > new Date(),
    address: actor.address ?? null,
    baseUrl: options.baseUrl ?? null,
    mailFrom: options.mailFrom ?? null,
  });
  if (!outcome || outcome.status === 'cancelled') return { sessionId, promoted: 0 };
  if (!outcome.was) {
    throw new DomainError('session_started', 'This session has already started, so the booking can no longer be cancelled');
  }
  // Leaving the waiting list frees no place: only a confirmed place can go to someone waiting.
  const promoted = outcome.was === 'confirmed' ? await fillFreedPlaces(tx, sessionId, actor.id, options) : [];
  return { sessionId, promoted: promoted.length };
}

function isDoubleBooking(error: unknown): boolean {
  return (
    errorCode(error) === '23505' && String((error as { constraint?: unknown }).constraint ?? 'bookings_one_live_per_person') === 'bookings_one_live_per_person'
  );
}

// One per database: the people booking a session through this process at the same moment.
const togetherOn = new WeakMap<Db, BookingsTogether>();

/**
 * The booking use case: one call, which the database commits by itself (retried when it is busy).
 * People booking the same session through this process at the same moment are booked by one call,
 * in the order they asked (BookingsTogether), each by the same rules as alone. If the database's
 * own unique index refuses a second live booking — the last line of defence for rule 3 — the
 * person gets the booking they already have.
 */
export async function bookPlace(
  db: Db,
  actor: Actor,
  sessionId: string,
  input: { confidenceBefore: number | null },
  options: EmailContext = {},
): Promise<BookingOutcome> {
  try {
    let together = togetherOn.get(db);
    if (!together) {
      together = new BookingsTogether(db);
      togetherOn.set(db, together);
    }
    const row = await together.book(sessionId, actor, input.confidenceBefore, { baseUrl: options.baseUrl ?? null, mailFrom: options.mailFrom ?? null });
    return outcomeOf(row);
  } catch (error) {
    if (!isDoubleBooking(error)) throw error;
    const existing = await findLiveBooking(db, sessionId, actor.id);
    if (!existing) throw error;
    return { bookingId: existing.id, status: existing.status, created: false };
  }
}

export async function cancelBooking(db: Db, actor: Actor, bookingId: string, options: EmailContext = {}) {
  return inTransaction(db, (tx) => cancel(tx, actor, bookingId, options));
}
