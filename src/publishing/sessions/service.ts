import { randomUUID } from 'node:crypto';
import type { ActorInRole } from '../../audit/actor.ts';
import { recordAudit } from '../../audit/record.ts';
import { countConfirmed, fillFreedPlaces, lockTasterSession } from '../../capacity/places.ts';
import type { Tx } from '../../db/database.ts';
import { DomainError, NotFoundError } from '../../lib/errors.ts';
import { addLondonWeeks, londonParts } from '../../lib/london-time.ts';
import { queueSessionCancelled, queueSessionChanged } from '../../messages/session-messages.ts';
import { assertManages } from '../organisations/access.ts';
import { findUsableVenue } from '../venues/queries.ts';
import * as q from './queries.ts';
import type { SessionInput } from './schemas.ts';

function audit(tx: Tx, actor: ActorInRole, action: string, sessionId: string, details: Record<string, unknown>) {
  return recordAudit(tx, { actorId: actor.id, action, subjectType: 'taster_session', subjectId: sessionId, details, address: actor.address ?? null });
}

/**
 * A session the actor may change, with its row locked for the rest of the transaction (the same
 * lock bookings take, so a capacity check here cannot race a booking). The organisation is checked
 * before the lock, so nobody can hold another organisation's row.
 */
export async function sessionForChange(tx: Tx, actor: ActorInRole, id: string) {
  const owner = await q.sessionOwner(tx, id);
  if (!owner) throw new NotFoundError();
  assertManages(actor, owner.organisationId);
  await lockTasterSession(tx, id);
  const session = await q.findSession(tx, id);
  if (!session) throw new NotFoundError();
  return { ...session, organisationId: owner.organisationId };
}

async function checkVenue(tx: Tx, organisationId: string, venueId: string | null) {
  if (!venueId) return;
  if (!(await findUsableVenue(tx, organisationId, venueId))) throw new DomainError('venue_not_found', 'Select one of your venues', 'venueId');
}

export type SeriesDate = { isoDate: string; startsAt: Date; endsAt: Date; bookingClosesAt: Date };

/**
 * Every week of a new series (or the one session), before any is skipped. Each week keeps the same
 * London wall-clock times, so a series across a clock change stays at 2pm rather than drifting.
 */
export function seriesDates(input: Pick<SessionInput, 'startsAt' | 'endsAt' | 'bookingClosesAt' | 'repeatWeeks'>): SeriesDate[] {
  const dates: SeriesDate[] = [];
  for (let week = 0; week < input.repeatWeeks; week++) {
    const startsAt = addLondonWeeks(input.startsAt, week);
    const endsAt = addLondonWeeks(input.endsAt, week);
    const bookingClosesAt = addLondonWeeks(input.bookingClosesAt, week);
    if (!startsAt || !endsAt || !bookingClosesAt) {
      throw new DomainError('time_skipped', 'One of the weeks falls in the hour skipped when the clocks go forward. Choose another time', 'repeatWeeks');
    }
    dates.push({ isoDate: londonParts(startsAt).isoDate, startsAt, endsAt, bookingClosesAt });
  }
  return dates;
}

/**
 * Creates one session, or a weekly series of them, as drafts in one transaction: all of them or
 * none, leaving out the dates the provider chose to skip (bank holidays, closures).
 */
export async function createSessions(tx: Tx, actor: ActorInRole, offerId: string, input: SessionInput & { skipDates?: readonly string[] }): Promise<string[]> {
  const offer = await q.findOfferOfSessions(tx, offerId);
  if (!offer) throw new NotFoundError();
  assertManages(actor, offer.organisationId);
  if (offer.status === 'archived') throw new DomainError('offer_archived', 'This activity is archived. Restore it before adding taster sessions');
  await checkVenue(tx, offer.organisationId, input.venueId);

  const skipped = new Set(input.skipDates ?? []);
  const kept = seriesDates(input).filter((date) => !skipped.has(date.isoDate));
  if (kept.length === 0) throw new DomainError('all_dates_skipped', 'Keep at least one date in the series', 'skip');
  const seriesId = input.repeatWeeks > 1 ? randomUUID() : null;
  const sessions: q.NewSession[] = kept.map(({ startsAt, endsAt, bookingClosesAt }) => ({
    offerId,
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
    seriesId,
    createdBy: actor.id,
  }));
  const created = await q.insertSessions(tx, sessions);
  for (const session of created) {
    await audit(tx, actor, 'session_created', session.id, { offerId, seriesId, startsAt: session.startsAt, capacity: input.capacity });
  }
  return created.map((s) => s.id);
}

function assertChangeable(session: { status: string; startsAt: Date }, now: Date) {
  if (session.status === 'cancelled') throw new DomainError('session_cancelled', 'This session has been cancelled, so it can no longer be changed');
  if (session.startsAt <= now) throw new DomainError('session_started', 'This session has already started, so it can no longer be changed');
}

/**
 * Edits a draft or published session. Capacity never drops below the confirmed bookings; raising
 * it hands the new places to the waiting list in this same transaction.
 */
export async function updateSession(
  tx: Tx,
  actor: ActorInRole,
  id: string,
  input: SessionInput,
  options: { now?: Date; baseUrl?: string; mailFrom?: string } = {},
): Promise<{ promoted: number }> {
  const now = options.now ?? new Date();
  const session = await sessionForChange(tx, actor, id);
  assertChangeable(session, now);
  if (input.venueId !== session.venueId) await checkVenue(tx, session.organisationId, input.venueId);
  const confirmed = await countConfirmed(tx, id);
  if (input.capacity < confirmed) {
    throw new DomainError(
      'capacity_below_bookings',
      `${confirmed} ${confirmed === 1 ? 'person has' : 'people have'} a confirmed place, so there must be at least ${confirmed} ${confirmed === 1 ? 'place' : 'places'}`,
      'capacity',
    );
  }
  await q.updateSession(tx, id, {
    venueId: input.venueId,
    isOnline: input.isOnline,
    joiningInstructions: input.joiningInstructions,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    capacity: input.capacity,
    bookingClosesAt: input.bookingClosesAt,
    whatToBring: input.whatToBring,
    accessNotes: input.accessNotes,
    facilitatorNote: input.facilitatorNote,
  });
  await audit(tx, actor, 'session_updated', id, {
    capacity: { from: session.capacity, to: input.capacity },
    startsAt: { from: session.startsAt, to: input.startsAt },
    venueId: { from: session.venueId, to: input.venueId },
  });
  // A new time or place is news to everyone booked or waiting: told in this same transaction, as
  // facts (the lock is held for SQL only; the delivery worker writes the emails).
  const before = { startsAt: session.startsAt, endsAt: session.endsAt, venueId: session.venueId, isOnline: session.isOnline };
  const after = { startsAt: input.startsAt, endsAt: input.endsAt, venueId: input.venueId, isOnline: input.isOnline };
  await queueSessionChanged(tx, id, { before, after }, { baseUrl: options.baseUrl, mailFrom: options.mailFrom });
  let promoted = 0;
  if (session.status === 'published' && input.capacity > session.capacity) {
    // The people promoted are told by email, with a link to their booking.
    promoted = (await fillFreedPlaces(tx, id, actor.id, { baseUrl: options.baseUrl, mailFrom: options.mailFrom })).length;
  }
  return { promoted };
}

async function publishLocked(tx: Tx, actor: ActorInRole, session: Awaited<ReturnType<typeof sessionForChange>>, now: Date) {
  if (session.status === 'published') throw new DomainError('already_published', 'This session is already published');
  if (session.status === 'cancelled') throw new DomainError('session_cancelled', 'This session has been cancelled, so it cannot be published');
  if (session.startsAt <= now) throw new DomainError('session_started', 'This session has already started, so it cannot be published');
  if (session.bookingClosesAt <= now) {
    throw new DomainError('booking_closed', 'Booking for this session has already closed. Change when booking closes before publishing it');
  }
  const offer = await q.findOfferOfSessions(tx, session.offerId);
  if (!offer) throw new NotFoundError();
  if (offer.status === 'archived') throw new DomainError('offer_archived', 'This activity is archived. Restore it before publishing sessions');
  await q.setSessionStatus(tx, session.id, 'published');
  await audit(tx, actor, 'session_published', session.id, { offerId: session.offerId });
}

/** draft → published: link workers can now see and book it. */
export async function publishSession(tx: Tx, actor: ActorInRole, id: string, now = new Date()): Promise<void> {
  const session = await sessionForChange(tx, actor, id);
  await publishLocked(tx, actor, session, now);
}

/** Publishes every draft of a weekly series that can still be booked, in one transaction. */
export async function publishSeries(tx: Tx, actor: ActorInRole, id: string, now = new Date()): Promise<number> {
  const first = await sessionForChange(tx, actor, id);
  if (!first.seriesId) {
    await publishLocked(tx, actor, first, now);
    return 1;
  }
  let published = 0;
  for (const draft of await q.draftsInSeries(tx, first.seriesId)) {
    const session = draft.id === first.id ? first : await sessionForChange(tx, actor, draft.id);
    if (session.status !== 'draft' || session.startsAt <= now || session.bookingClosesAt <= now) continue;
    await publishLocked(tx, actor, session, now);
    published++;
  }
  if (published === 0) throw new DomainError('nothing_to_publish', 'There are no draft sessions in this series that can still be published');
  return published;
}

/**
 * published → cancelled, with a reason everyone sees. Bookings stay as they are (they show the
 * session as cancelled), and everyone booked or waiting is emailed in the same transaction.
 */
export async function cancelSession(
  tx: Tx,
  actor: ActorInRole,
  id: string,
  reason: string,
  options: { now?: Date; baseUrl?: string; mailFrom?: string } = {},
): Promise<void> {
  const now = options.now ?? new Date();
  const session = await sessionForChange(tx, actor, id);
  if (session.status === 'draft')
    throw new DomainError('draft_not_cancellable', 'This session is a draft that nobody can see yet. Delete it instead of cancelling it');
  if (session.status === 'cancelled') throw new DomainError('already_cancelled', 'This session is already cancelled');
  if (session.endsAt <= now) throw new DomainError('session_over', 'This session has already happened, so it cannot be cancelled');
  await q.setSessionStatus(tx, id, 'cancelled', { cancellationReason: reason });
  await audit(tx, actor, 'session_cancelled', id, { reason, confirmed: await countConfirmed(tx, id) });
  // Everyone booked or waiting is told, with the reason, in this same transaction.
  await queueSessionCancelled(tx, id, { baseUrl: options.baseUrl, mailFrom: options.mailFrom });
}

/** Only a draft can be deleted: once published, people may have seen or booked it. */
export async function deleteSession(tx: Tx, actor: ActorInRole, id: string): Promise<{ offerId: string }> {
  const session = await sessionForChange(tx, actor, id);
  if (session.status !== 'draft') throw new DomainError('not_draft', 'Only a draft can be deleted. Cancel a published session instead');
  await q.deleteSession(tx, id);
  await audit(tx, actor, 'session_deleted', id, { offerId: session.offerId, startsAt: session.startsAt });
  return { offerId: session.offerId };
}
