import type { ActorInRole } from '../../audit/actor.ts';
import { recordAudit } from '../../audit/record.ts';
import { countConfirmed, fillFreedPlaces, lockTasterSession } from '../../capacity/places.ts';
import type { Tx } from '../../db/database.ts';
import { DomainError, NotFoundError } from '../../lib/errors.ts';
import { londonInstant, londonParts } from '../../lib/london-time.ts';
import { viewHelpers } from '../../lib/view-helpers.ts';
import { assertManages } from '../organisations/access.ts';
import { findUsableVenue } from '../venues/queries.ts';
import * as q from './queries.ts';
import { insertSeriesCancelledMessages, insertSeriesChangedMessages, laterInSeries, raiseCalendarSequence, type SeriesMove } from './series-queries.ts';
import type { SeriesChange } from './series-schemas.ts';

/*
 * Changing or cancelling "this session and all later ones in the series" (issue 16, item 3), in
 * one transaction: every session is locked in time order (the capacity rule's lock, so nothing
 * races a booking), checked, then changed; a refusal for any one changes none. Everything under
 * the locks is a database statement; the emails are queued as facts, one per person for the whole
 * change, and written by the delivery worker (src/messages/series-messages.ts).
 */

type Options = { now?: Date; baseUrl?: string | undefined; mailFrom?: string | undefined };
type Session = NonNullable<Awaited<ReturnType<typeof q.findSession>>>;

function audit(tx: Tx, actor: ActorInRole, action: string, sessionId: string, details: Record<string, unknown>) {
  return recordAudit(tx, { actorId: actor.id, action, subjectType: 'taster_session', subjectId: sessionId, details, address: actor.address ?? null });
}

const onDate = (session: { startsAt: Date }) => `On ${viewHelpers.date(session.startsAt)}`;

/**
 * The session and every later one of its series, each locked, in time order. The organisation is
 * checked before any lock, so nobody can hold another organisation's rows.
 */
async function lockSeriesFrom(tx: Tx, actor: ActorInRole, id: string, now: Date): Promise<{ first: Session; sessions: Session[] }> {
  const owner = await q.sessionOwner(tx, id);
  if (!owner) throw new NotFoundError();
  assertManages(actor, owner.organisationId);
  const first = await q.findSession(tx, id);
  if (!first) throw new NotFoundError();
  if (!first.seriesId) throw new DomainError('not_in_series', 'This session is not part of a series. Change it on its own instead');
  if (first.status === 'cancelled') throw new DomainError('session_cancelled', 'This session has been cancelled, so it can no longer be changed');
  if (first.startsAt <= now) throw new DomainError('session_started', 'This session has already started, so it can no longer be changed');
  const sessions: Session[] = [];
  for (const { id: laterId } of await laterInSeries(tx, first.seriesId, first.startsAt, now)) {
    await lockTasterSession(tx, laterId);
    // Read again under the lock: a session cancelled or started meanwhile is left as it is.
    const locked = await q.findSession(tx, laterId);
    if (locked && locked.status !== 'cancelled' && locked.startsAt > now) sessions.push(locked);
  }
  if (!sessions.some((s) => s.id === first.id)) throw new DomainError('session_cancelled', 'This session can no longer be changed');
  return { first: sessions.find((s) => s.id === first.id) ?? first, sessions };
}

/** The instants of a London time of day on a session's own London date (null: the clocks skip it). */
function onItsDate(session: Session, time: string): Date | null {
  return londonInstant(londonParts(session.startsAt).isoDate, time);
}

/**
 * Changes the time of day, place, places and details of this session and every later one of its
 * series. Each keeps its own date, and booking still closes as long before it starts as it did.
 * Places never drop below a session's confirmed bookings; raising them hands the new places to its
 * waiting list in this transaction. Everyone booked or waiting on a session whose time or place
 * changed is told once, in one email listing each of their sessions.
 */
export async function changeSeries(
  tx: Tx,
  actor: ActorInRole,
  id: string,
  input: SeriesChange,
  options: Options = {},
): Promise<{ changed: number; promoted: number; told: number }> {
  const now = options.now ?? new Date();
  const { sessions, first } = await lockSeriesFrom(tx, actor, id, now);
  if (input.venueId && input.venueId !== first.venueId) {
    const owner = await q.sessionOwner(tx, id);
    if (!owner || !(await findUsableVenue(tx, owner.organisationId, input.venueId)))
      throw new DomainError('venue_not_found', 'Select one of your venues', 'venueId');
  }

  // Every check before any write, so a refusal leaves the whole series as it was.
  const planned = [];
  for (const session of sessions) {
    const startsAt = onItsDate(session, input.startTime);
    const endsAt = onItsDate(session, input.endTime);
    if (!startsAt)
      throw new DomainError('time_skipped', `${onDate(session)} the clocks go forward, so that start time does not exist. Choose another`, 'startTime');
    if (!endsAt) throw new DomainError('time_skipped', `${onDate(session)} the clocks go forward, so that end time does not exist. Choose another`, 'endTime');
    if (startsAt <= now) throw new DomainError('time_passed', `${onDate(session)} that start time has already passed. Choose a later time`, 'startTime');
    const confirmed = await countConfirmed(tx, session.id);
    if (input.capacity < confirmed) {
      throw new DomainError(
        'capacity_below_bookings',
        `${onDate(session)} ${confirmed} ${confirmed === 1 ? 'person has' : 'people have'} a confirmed place, so there must be at least ${confirmed} ${confirmed === 1 ? 'place' : 'places'}`,
        'capacity',
      );
    }
    const bookingClosesAt = new Date(startsAt.getTime() - (session.startsAt.getTime() - session.bookingClosesAt.getTime()));
    planned.push({ session, startsAt, endsAt, bookingClosesAt });
  }

  const moves: SeriesMove[] = [];
  let promoted = 0;
  for (const { session, startsAt, endsAt, bookingClosesAt } of planned) {
    await q.updateSession(tx, session.id, {
      venueId: input.venueId,
      isOnline: input.isOnline,
      joiningInstructions: input.joiningInstructions,
      startsAt,
      endsAt,
      capacity: input.capacity,
      bookingClosesAt,
      whatToBring: input.whatToBring,
      accessNotes: input.accessNotes,
      facilitatorNote: input.facilitatorNote,
    });
    const timeChanged = startsAt.getTime() !== session.startsAt.getTime() || endsAt.getTime() !== session.endsAt.getTime();
    const placeChanged = input.venueId !== session.venueId || input.isOnline !== session.isOnline;
    if (timeChanged || placeChanged) {
      await raiseCalendarSequence(tx, session.id);
      moves.push({
        sessionId: session.id,
        before: { startsAt: session.startsAt, endsAt: session.endsAt, venueId: session.venueId, isOnline: session.isOnline },
        timeChanged,
        placeChanged,
      });
    }
    await audit(tx, actor, 'session_updated', session.id, {
      series: { id: session.seriesId, changedFrom: first.id },
      capacity: { from: session.capacity, to: input.capacity },
      startsAt: { from: session.startsAt, to: startsAt },
      venueId: { from: session.venueId, to: input.venueId },
    });
    if (session.status === 'published' && input.capacity > session.capacity) {
      promoted += (await fillFreedPlaces(tx, session.id, actor.id, { baseUrl: options.baseUrl, mailFrom: options.mailFrom })).length;
    }
  }
  // After the promotions, so each person's email says whether they now have a place.
  const told = await insertSeriesChangedMessages(tx, moves, { baseUrl: options.baseUrl ?? null, mailFrom: options.mailFrom ?? null });
  return { changed: planned.length, promoted, told };
}

/**
 * Cancels this session and every later one of its series, with one reason. Published sessions are
 * cancelled (their bookings stay, showing it); drafts, which nobody could see or book, are deleted.
 * Everyone booked or waiting is told once, in one email listing each of their sessions.
 */
export async function cancelSeries(
  tx: Tx,
  actor: ActorInRole,
  id: string,
  reason: string,
  options: Options = {},
): Promise<{ cancelled: number; deleted: number; told: number }> {
  const now = options.now ?? new Date();
  const { sessions } = await lockSeriesFrom(tx, actor, id, now);
  const cancelled: string[] = [];
  let deleted = 0;
  for (const session of sessions) {
    if (session.status === 'draft') {
      await q.deleteSession(tx, session.id);
      await audit(tx, actor, 'session_deleted', session.id, { offerId: session.offerId, startsAt: session.startsAt, series: session.seriesId });
      deleted++;
      continue;
    }
    await q.setSessionStatus(tx, session.id, 'cancelled', { cancellationReason: reason });
    await raiseCalendarSequence(tx, session.id);
    await audit(tx, actor, 'session_cancelled', session.id, {
      reason,
      confirmed: await countConfirmed(tx, session.id),
      series: { id: session.seriesId, cancelledFrom: id },
    });
    cancelled.push(session.id);
  }
  const told = await insertSeriesCancelledMessages(tx, cancelled, { baseUrl: options.baseUrl ?? null, mailFrom: options.mailFrom ?? null });
  return { cancelled: cancelled.length, deleted, told };
}
