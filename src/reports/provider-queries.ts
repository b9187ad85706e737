import { sql } from 'kysely';
import type { Queryable } from '../db/database.ts';

/**
 * The provider's view of its own sessions and offers. Its funnel figures come from funnelBy in
 * queries.ts, with the organisation as the filter; these are the parts only providers see.
 */

/** The provider's view: no feedback figure is shown for fewer responses than this. */
export const MIN_GROUP_SIZE = 3;

/** Attendance at each of an organisation's sessions that has started, most recent first. */
export async function sessionAttendance(db: Queryable, organisationId: string, now: Date, limit = 12) {
  return db
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .leftJoin('bookings as b', (join) => join.onRef('b.tasterSessionId', '=', 's.id').on('b.status', '<>', 'cancelled'))
    .leftJoin('feedback as fb', 'fb.bookingId', 'b.id')
    .select([
      's.id',
      's.startsAt',
      's.capacity',
      's.registerCompletedAt',
      'o.title as offerTitle',
      sql<number>`count(b.id) filter (where b.status = 'confirmed' and not b.is_walk_in)::int`.as('booked'),
      sql<number>`count(b.id) filter (where b.attendance = 'attended')::int`.as('attended'),
      sql<number>`count(b.id) filter (where b.attendance = 'no_show' and not b.is_walk_in)::int`.as('noShows'),
      sql<number>`count(b.id) filter (where b.attendance = 'attended' and b.is_walk_in)::int`.as('walkIns'),
      sql<number>`count(fb.id)::int`.as('feedbackCount'),
    ])
    .where('o.organisationId', '=', organisationId)
    .where('s.status', '=', 'published')
    .where('s.startsAt', '<=', now)
    .groupBy(['s.id', 's.startsAt', 's.capacity', 's.registerCompletedAt', 'o.title'])
    .orderBy('s.startsAt', 'desc')
    .limit(limit)
    .execute();
}

/**
 * What link workers wrote about an organisation's offers, without names: each different text once,
 * with how many wrote it, most said first (never by date, which would point at a session). Only
 * for offers with at least MIN_GROUP_SIZE responses: the rule is in the query, so a smaller
 * group's words never leave the database.
 */
export async function offerComments(db: Queryable, organisationId: string) {
  const bigEnough = db
    .selectFrom('feedback as fb')
    .innerJoin('bookings as b', 'b.id', 'fb.bookingId')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .select('o.id')
    .where('o.organisationId', '=', organisationId)
    .groupBy('o.id')
    .having(sql<number>`count(*)`, '>=', MIN_GROUP_SIZE);
  const texts = (column: 'fb.comments' | 'fb.referringEasier') =>
    db
      .selectFrom('feedback as fb')
      .innerJoin('bookings as b', 'b.id', 'fb.bookingId')
      .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
      .select(['s.offerId', sql<string>`${sql.ref(column)}`.as('text'), sql<number>`count(*)::int`.as('people')])
      .where('s.offerId', 'in', bigEnough)
      .where(column, 'is not', null)
      .groupBy(['s.offerId', column])
      .orderBy('people', 'desc')
      .orderBy(column)
      .execute();
  const [comments, easier] = await Promise.all([texts('fb.comments'), texts('fb.referringEasier')]);
  return { comments, easier };
}

/** Referrals link workers recorded to an organisation's offers, at any time. */
export async function referralsToOffers(db: Queryable, organisationId: string) {
  return db
    .selectFrom('referralReports as r')
    .innerJoin('offers as o', 'o.id', 'r.offerId')
    .select([
      'o.id as offerId',
      'o.title as offerTitle',
      sql<number>`sum(r.referral_count)::int`.as('referrals'),
      sql<number>`count(distinct r.user_id)::int`.as('linkWorkers'),
    ])
    .where('o.organisationId', '=', organisationId)
    .groupBy(['o.id', 'o.title'])
    .orderBy('o.title')
    .execute();
}
