import { sql } from 'kysely';
import type { Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Queryable, Tx } from '../db/database.ts';
import { DomainError } from '../lib/errors.ts';

/**
 * Meeting each other, after the day (issue 15, item 5's second half): each person with a place may
 * agree to share their work email with the people they met. Those who agreed see each other's
 * names, roles, organisations and emails; nobody else's, and nobody sees anything without agreeing
 * first. Withdrawing takes effect at once: the list is read from the choice every time. Someone
 * recorded as not having come did not meet anyone, so they are not offered it and do not appear.
 */

/** The choice is offered from the start of the day (people meet on the day), to those with a place who came. */
export function shareEmailProblem(
  day: { status: string; startsAt: Date },
  registration: { status: string; attendance: string | null } | undefined,
  now = new Date(),
): DomainError | null {
  if (registration?.status !== 'confirmed') return new DomainError('not_booked', 'Only people with a place on the day can share their email');
  if (day.status !== 'published') return new DomainError('session_cancelled', 'This day was cancelled');
  if (now < day.startsAt) return new DomainError('register_not_open', 'You can share your email with the people you met from the start of the day');
  if (registration.attendance === 'no_show')
    return new DomainError('not_attended', 'You were recorded as not coming to the day, so there is nobody to share your email with');
  return null;
}

export async function findMyRegistration(db: Queryable, dayId: string, userId: string) {
  return db
    .selectFrom('dayRegistrations')
    .select(['id', 'status', 'attendance', 'shareEmail'])
    .where('tasterDayId', '=', dayId)
    .where('userId', '=', userId)
    .where('status', '<>', 'cancelled')
    .executeTakeFirst();
}

/** Agreeing to share, or withdrawing: stored at once; choosing the same again changes nothing. */
export async function chooseShareEmail(tx: Tx, actor: Actor, day: { id: string; status: string; startsAt: Date }, share: boolean, now = new Date()) {
  const registration = await findMyRegistration(tx, day.id, actor.id);
  // Withdrawing is always allowed while there is something to withdraw.
  if (!(registration?.shareEmail && !share)) {
    const problem = shareEmailProblem(day, registration, now);
    if (problem) throw problem;
  }
  if (!registration || registration.shareEmail === share) return;
  await tx.updateTable('dayRegistrations').set({ shareEmail: share, updatedAt: sql<Date>`now()` }).where('id', '=', registration.id).execute();
  await recordAudit(tx, {
    actorId: actor.id,
    action: share ? 'day_email_shared' : 'day_email_withdrawn',
    subjectType: 'taster_day',
    subjectId: day.id,
    address: actor.address ?? null,
  });
}

/** The others who agreed to share: confirmed, active, not recorded as absent, still agreeing. */
export async function sharedContacts(db: Queryable, dayId: string, exceptUserId: string) {
  return db
    .selectFrom('dayRegistrations as r')
    .innerJoin('users as u', 'u.id', 'r.userId')
    .leftJoin('organisations as o', 'o.id', 'u.organisationId')
    .select(['r.id', 'r.audience', 'u.name', 'u.email', 'u.pcn', 'u.practice', 'o.name as organisationName'])
    .where('r.tasterDayId', '=', dayId)
    .where('r.status', '=', 'confirmed')
    .where('r.shareEmail', '=', true)
    .where((eb) => eb.or([eb('r.attendance', 'is', null), eb('r.attendance', '<>', 'no_show')]))
    .where('u.status', '=', 'active')
    .where('u.id', '<>', exceptUserId)
    .orderBy('u.name')
    .orderBy('r.id')
    .execute();
}
