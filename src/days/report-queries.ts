import { sql } from 'kysely';
import type { Queryable } from '../db/database.ts';

/**
 * The coordinator's report of one day, computed in SQL (counts ::int, averages ::float8, so both
 * databases return numbers). Cancelled registrations and choices count only as cancelled.
 */

/** Registrations and attendance by audience, with how many agreed to share their work email. */
export async function audienceFigures(db: Queryable, dayId: string) {
  return db
    .selectFrom('dayRegistrations')
    .select([
      'audience',
      sql<number>`count(*) filter (where status = 'confirmed')::int`.as('confirmed'),
      sql<number>`count(*) filter (where status = 'waitlisted')::int`.as('waiting'),
      sql<number>`count(*) filter (where status = 'cancelled')::int`.as('cancelled'),
      sql<number>`count(*) filter (where status = 'confirmed' and attendance = 'attended')::int`.as('attended'),
      sql<number>`count(*) filter (where status = 'confirmed' and attendance = 'no_show')::int`.as('noShows'),
      sql<number>`count(*) filter (where status = 'confirmed' and share_email)::int`.as('sharedContacts'),
    ])
    .where('tasterDayId', '=', dayId)
    .groupBy('audience')
    .execute();
}

/**
 * Each taster of the day: its places, who chose it and who tried it (by audience), and the
 * feedback on it — confidence before and after, and the change, over those who answered.
 */
export async function tasterFigures(db: Queryable, dayId: string) {
  return db
    .selectFrom('dayTasters as t')
    .innerJoin('dayProgrammeItems as i', 'i.id', 't.programmeItemId')
    .innerJoin('organisations as org', 'org.id', 't.organisationId')
    .leftJoin('offers as o', 'o.id', 't.offerId')
    .leftJoin('dayTasterChoices as c', (join) => join.onRef('c.dayTasterId', '=', 't.id').on('c.status', '<>', 'cancelled'))
    .leftJoin('dayRegistrations as r', 'r.id', 'c.registrationId')
    .leftJoin('dayFeedback as f', 'f.dayTasterChoiceId', 'c.id')
    .select([
      't.id',
      't.title',
      't.capacity',
      't.offerId',
      'o.title as offerTitle',
      'org.name as organisationName',
      'i.title as slotTitle',
      'i.startsAt',
      sql<number>`count(c.id) filter (where c.status = 'confirmed')::int`.as('confirmed'),
      sql<number>`count(c.id) filter (where c.status = 'waitlisted')::int`.as('waiting'),
      sql<number>`count(c.id) filter (where c.attendance = 'attended' and r.audience = 'link_worker')::int`.as('triedByLinkWorkers'),
      sql<number>`count(c.id) filter (where c.attendance = 'attended' and r.audience = 'cultural')::int`.as('triedByCultural'),
      sql<number>`count(f.id)::int`.as('feedbackCount'),
      sql<number | null>`avg(f.rating)::float8`.as('avgRating'),
      sql<number | null>`avg(f.confidence_before)::float8`.as('avgConfidenceBefore'),
      sql<number | null>`avg(f.confidence_after)::float8`.as('avgConfidenceAfter'),
      sql<number | null>`avg(f.confidence_after - f.confidence_before)::float8`.as('avgConfidenceChange'),
    ])
    .where('i.tasterDayId', '=', dayId)
    .groupBy(['t.id', 't.title', 't.capacity', 't.offerId', 'o.title', 'org.name', 'i.title', 'i.startsAt'])
    .orderBy('i.startsAt')
    .orderBy('t.title')
    .execute();
}

/** Feedback on the day as a whole: how many answered, the rating, and confidence before and after. */
export async function dayFeedbackFigures(db: Queryable, dayId: string) {
  return db
    .selectFrom('dayFeedback as f')
    .innerJoin('dayRegistrations as r', 'r.id', 'f.registrationId')
    .select([
      sql<number>`count(*)::int`.as('feedbackCount'),
      sql<number | null>`avg(f.rating)::float8`.as('avgRating'),
      sql<number | null>`avg(f.confidence_before)::float8`.as('avgConfidenceBefore'),
      sql<number | null>`avg(f.confidence_after)::float8`.as('avgConfidenceAfter'),
      sql<number | null>`avg(f.confidence_after - f.confidence_before)::float8`.as('avgConfidenceChange'),
    ])
    .where('r.tasterDayId', '=', dayId)
    .where('f.dayTasterChoiceId', 'is', null)
    .executeTakeFirstOrThrow();
}

/**
 * Referrals to the offers behind the day's tasters, by the link workers who tried them, recorded
 * for the day's month or any month after (as the reports count them): weeks later, the answer to
 * whether trying led to referring. Each person and offer once, however many tasters of it they tried.
 */
export async function referralsAfterDay(db: Queryable, dayId: string) {
  const tried = db
    .selectFrom('dayTasterChoices as c')
    .innerJoin('dayRegistrations as r', 'r.id', 'c.registrationId')
    .innerJoin('dayTasters as t', 't.id', 'c.dayTasterId')
    .innerJoin('tasterDays as d', 'd.id', 'r.tasterDayId')
    .select(['r.userId', 't.offerId', 'd.startsAt'])
    .distinct()
    .where('r.tasterDayId', '=', dayId)
    .where('r.audience', '=', 'link_worker')
    .where('c.attendance', '=', 'attended')
    .where('t.offerId', 'is not', null)
    .where('r.userId', 'is not', null);
  return db
    .selectFrom(tried.as('tr'))
    .innerJoin('offers as o', 'o.id', 'tr.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .leftJoin('referralReports as rr', (join) =>
      join
        .onRef('rr.userId', '=', 'tr.userId')
        .onRef('rr.offerId', '=', 'tr.offerId')
        .on(sql<boolean>`rr.month >= date_trunc('month', tr.starts_at at time zone 'Europe/London')::date`),
    )
    .select([
      'o.id as offerId',
      'o.title as offerTitle',
      'org.name as organisationName',
      sql<number>`count(distinct tr.user_id)::int`.as('tried'),
      sql<number>`count(distinct rr.user_id)::int`.as('referrers'),
      sql<number>`coalesce(sum(rr.referral_count), 0)::int`.as('referrals'),
    ])
    .groupBy(['o.id', 'o.title', 'org.name'])
    .orderBy('o.title')
    .execute();
}
