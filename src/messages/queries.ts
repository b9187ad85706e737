import type { Queryable } from '../db/database.ts';
import { placeColumns, sessionsWithPlace } from '../publishing/sessions/queries.ts';

/** What any message about a session says about it: what, who runs it, when and where. */
export async function findSessionFacts(db: Queryable, sessionId: string) {
  return sessionsWithPlace(db).select([
    's.id',
    's.status',
    's.startsAt',
    's.endsAt',
    's.isOnline',
    's.venueId',
    's.joiningInstructions',
    's.whatToBring',
    's.cancellationReason',
    'o.id as offerId',
    ...placeColumns,
  ])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
}

export type SessionFacts = NonNullable<Awaited<ReturnType<typeof findSessionFacts>>>;

export async function findVenuePlace(db: Queryable, venueId: string) {
  return db
    .selectFrom('venues')
    .select(['name as venueName', 'addressLine1', 'addressLine2', 'town', 'postcode'])
    .where('id', '=', venueId)
    .executeTakeFirst();
}

/** Everyone with a place or on the waiting list for a session, whose account is active. */
export async function listLivePeople(db: Queryable, sessionId: string) {
  return db
    .selectFrom('bookings as b')
    .innerJoin('users as u', 'u.id', 'b.userId')
    .select(['b.id as bookingId', 'b.status', 'u.id as userId', 'u.email', 'u.name'])
    .where('b.tasterSessionId', '=', sessionId)
    .where('b.status', 'in', ['confirmed', 'waitlisted'])
    .where('u.status', '=', 'active')
    .orderBy('b.id')
    .execute();
}
