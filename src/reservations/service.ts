import type { ActorInRole } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import { fillFreedPlaces, lockTasterSession } from '../capacity/places.ts';
import type { Db, Tx } from '../db/database.ts';
import { inTransaction } from '../db/transaction.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { viewHelpers as h } from '../lib/view-helpers.ts';
import { assertManages } from '../publishing/organisations/access.ts';
import * as q from './queries.ts';
import type { ReservationInput } from './schemas.ts';

type EmailOptions = { baseUrl?: string | undefined; mailFrom?: string | undefined };

/**
 * Keeps places of a session (or of it and every later session of its series) for a PCN, all in one
 * transaction or none. Each session is locked (in start order, as the series is listed) before its
 * places are counted, so a hold can never take a place a booking is taking at the same moment.
 * A hold fits only in places nobody has and no other hold keeps; confirmed places its PCN already
 * has count towards it (they are moved into it).
 */
export async function keepPlaces(tx: Tx, actor: ActorInRole, input: ReservationInput, now = new Date()): Promise<number> {
  const session = await q.sessionWithSeries(tx, input.sessionId, now);
  if (!session) throw new NotFoundError();
  assertManages(actor, session.organisationId);
  if (session.status === 'cancelled') throw new DomainError('session_cancelled', 'This session has been cancelled. Select another session', 'sessionId');
  if (session.startsAt <= now) throw new DomainError('session_started', 'This session has already started. Select another session', 'sessionId');
  const ids = input.wholeSeries && session.series.length ? session.series : [session.id];
  for (const id of ids) {
    const locked = await lockTasterSession(tx, id);
    if (!locked) throw new NotFoundError();
    const counts = await q.freeForHold(tx, id, input.pcn, now);
    if (!counts) throw new NotFoundError();
    const when = ids.length > 1 ? ` on ${h.date(locked.startsAt)}` : '';
    if (counts.existing) {
      throw new DomainError('pcn_already_held', `Places are already kept for ${input.pcn}${when}. Give those back first to change them`, 'pcn');
    }
    const free = counts.capacity - counts.confirmed - counts.held + Math.min(counts.adoptable, input.places);
    if (input.places > free) {
      const most = Math.max(0, free);
      throw new DomainError(
        'not_enough_places',
        most === 0 ? `No place is free to keep${when}` : `Only ${most} ${most === 1 ? 'place is' : 'places are'} free to keep${when}. Enter ${most} or fewer`,
        'places',
      );
    }
    const reservationId = await q.insertReservation(tx, {
      sessionId: id,
      pcn: input.pcn,
      places: input.places,
      releaseDays: input.releaseDays,
      createdBy: actor.id,
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'places_kept_for_pcn',
      subjectType: 'taster_session',
      subjectId: id,
      details: { reservationId, pcn: input.pcn, places: input.places, releaseDays: input.releaseDays },
      address: actor.address ?? null,
    });
  }
  return ids.length;
}

/**
 * Gives back the places kept for a PCN: they become places like any other at once, and the people
 * waiting get them in the same transaction. The bookings that took them keep their places.
 */
export async function giveBack(tx: Tx, actor: ActorInRole, reservationId: string, options: EmailOptions = {}) {
  const reservation = await q.findReservation(tx, reservationId);
  if (!reservation) throw new NotFoundError();
  assertManages(actor, reservation.organisationId);
  await lockTasterSession(tx, reservation.tasterSessionId);
  await q.deleteReservation(tx, reservationId);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'places_given_back',
    subjectType: 'taster_session',
    subjectId: reservation.tasterSessionId,
    details: { reservationId, pcn: reservation.pcn, places: reservation.places },
    address: actor.address ?? null,
  });
  const promoted = await fillFreedPlaces(tx, reservation.tasterSessionId, actor.id, options);
  return { sessionId: reservation.tasterSessionId, promoted: promoted.length };
}

/**
 * The release job: at a hold's release time its unused places become general, and the people
 * waiting are promoted. book_place does the same for its session whenever someone books, so this
 * only makes sure nobody waits for a booking to come along. Each session in its own transaction;
 * running it twice promotes nobody twice (promotion is computed from the live rows).
 */
export async function promoteAtRelease(db: Db, now: Date, options: EmailOptions = {}): Promise<number> {
  let promoted = 0;
  for (const id of await q.releasedWithWaiting(db, now)) {
    promoted += await inTransaction(db, async (tx) => {
      const locked = await lockTasterSession(tx, id);
      if (!locked) return 0;
      return (await fillFreedPlaces(tx, id, null, options)).length;
    });
  }
  return promoted;
}
