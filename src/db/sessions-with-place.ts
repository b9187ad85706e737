import { sql } from 'kysely';
import type { Queryable } from './database.ts';

// The one join every feature reads a taster session through, kept below them all so bookings,
// messages, capacity and publishing describe a session the same way without importing each other.

/**
 * A taster session with what it is (o), who runs it (g) and where (v, none when online): the join
 * behind booking pages, messages and releases, so they all describe a session the same way.
 */
export function sessionsWithPlace(db: Queryable) {
  return db
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as g', 'g.id', 'o.organisationId')
    .leftJoin('venues as v', 'v.id', 's.venueId');
}

/** How a session is named and placed in a message or booking page. */
export const placeColumns = [
  'o.title',
  'g.name as organisationName',
  'v.name as venueName',
  'v.addressLine1',
  'v.addressLine2',
  'v.town',
  'v.postcode',
] as const;

/**
 * The sessions join of sessionsWithPlace, in SQL, for the statements that queue messages under a
 * session's lock: the session as s, its offer o, organisation g and venue v (none when online).
 */
export const sessionsWithPlaceSql = sql`taster_sessions s
  join offers o on o.id = s.offer_id
  join organisations g on g.id = o.organisation_id
  left join venues v on v.id = s.venue_id`;
