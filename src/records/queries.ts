import { sql } from 'kysely';
import type { Queryable } from '../db/database.ts';

/**
 * The tasters a link worker attended, for their continuing professional development record:
 * oldest first, as a log reads. Hours are the session's length.
 */
export async function attendedTasters(db: Queryable, userId: string) {
  return db
    .selectFrom('bookings as b')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .leftJoin('venues as v', 'v.id', 's.venueId')
    .leftJoin('feedback as f', 'f.bookingId', 'b.id')
    .select([
      'b.id as bookingId',
      's.startsAt',
      's.endsAt',
      's.isOnline',
      'o.title as offerTitle',
      'o.category',
      'org.name as organisationName',
      'v.name as venueName',
      sql<number>`round((extract(epoch from (s.ends_at - s.starts_at)) / 3600)::numeric, 2)::float8`.as('hours'),
      sql<boolean>`f.id is not null`.as('feedbackGiven'),
    ])
    .where('b.userId', '=', userId)
    .where('b.attendance', '=', 'attended')
    .orderBy('s.startsAt')
    .orderBy('b.id')
    .execute();
}

export type AttendedTaster = Awaited<ReturnType<typeof attendedTasters>>[number];
