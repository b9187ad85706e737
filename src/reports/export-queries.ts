import { type Expression, sql } from 'kysely';
import type { Queryable } from '../db/database.ts';
import { dayTasterKey, scopedDayTasters } from './day-tasters.ts';
import type { ReportFilters } from './filters.ts';

/**
 * The CSV exports, read a page at a time by keyset pagination: each page starts after the last
 * row of the one before, on an ordered key, so no page costs more than the first and nothing is
 * held but the page in hand. The key's timestamp travels as PostgreSQL's own text, so microseconds
 * survive the round trip (a JavaScript Date would cut them and repeat rows).
 *
 * People appear by a reference (their account id), practice and PCN — never name or contact
 * details: exports go to funders and researchers.
 */

/** A timestamp as London wall-clock text, formatted by the database: no Date objects per cell. */
function london(column: string) {
  return sql<string | null>`to_char(${sql.ref(column)} at time zone 'Europe/London', 'YYYY-MM-DD HH24:MI')`;
}

export const exportKinds = ['bookings', 'attendance', 'feedback', 'referrals'] as const;
export type ExportKind = (typeof exportKinds)[number];

export type SessionCursor = { startsAt: string; sessionId: string; bookingId: string };
export type MonthCursor = { month: string; id: string };

/** Bookings of published sessions in the period, with the columns every session export shares. */
function bookingsInScope(db: Queryable, f: ReportFilters, after: SessionCursor | null, limit: number) {
  return (
    db
      .selectFrom('bookings as b')
      .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
      .innerJoin('offers as o', 'o.id', 's.offerId')
      .innerJoin('organisations as org', 'org.id', 'o.organisationId')
      .leftJoin('users as u', 'u.id', 'b.userId')
      .where('s.status', '=', 'published')
      .where('s.startsAt', '>=', f.start)
      .where('s.startsAt', '<', f.end)
      // $call and a ternary rather than $if: the ternary narrows each filter to non-null for its where.
      .$call((qb) => (f.organisationId === null ? qb : qb.where('o.organisationId', '=', f.organisationId)))
      .$call((qb) => (f.kind === null ? qb : qb.where('org.kind', '=', f.kind)))
      .$call((qb) => (f.category === null ? qb : qb.where('o.category', '=', f.category)))
      .$call((qb) => (f.pcn === null ? qb : qb.where('u.pcn', '=', f.pcn)))
      .$call((qb) =>
        after === null
          ? qb
          : qb
              .where('s.startsAt', '>=', sql<Date>`${after.startsAt}::timestamptz`)
              .where(sql<boolean>`(s.starts_at, s.id, b.id) > (${after.startsAt}::timestamptz, ${after.sessionId}::uuid, ${after.bookingId}::uuid)`),
      )
      .select([
        sql<string>`s.starts_at::text`.as('cursorStartsAt'),
        's.id as sessionId',
        'b.id as bookingId',
        london('s.startsAt').as('sessionStart'),
        london('s.endsAt').as('sessionEnd'),
        'o.title as activity',
        sql<string>`o.category::text`.as('category'),
        'org.name as organisation',
        sql<string>`org.kind::text`.as('organisationKind'),
        sql<string | null>`null::text`.as('tasterDay'),
        'b.userId as linkWorkerRef',
        'u.practice',
        'u.pcn',
        sql<Date>`s.starts_at`.as('sortAt'),
      ])
      .orderBy('s.startsAt')
      .orderBy('s.id')
      .orderBy('b.id')
      .limit(limit)
  );
}

/**
 * A taster day's tasters, as the on-screen reports count them (src/reports/day-tasters.ts): each
 * link worker's choice of a taster of a published day is a row like a booking, the taster standing
 * for the session (its slot's times), its offer for the activity (the taster's own title when it
 * has none, category "Not linked to an offer"), and the day named. Cultural-sector staff are on
 * the day's own report only. There is no walk-in on a day, and confidence before is asked in the
 * taster's feedback.
 */
function tasterChoicesInScope(db: Queryable, f: ReportFilters, after: SessionCursor | null, limit: number) {
  const [category, activity] = [dayTasterKey('category')[0], dayTasterKey('offer')[1]];
  return scopedDayTasters(db, f)
    .innerJoin('dayTasterChoices as c', 'c.dayTasterId', 'dt.id')
    .innerJoin('dayRegistrations as r', 'r.id', 'c.registrationId')
    .leftJoin('users as u', 'u.id', 'r.userId')
    .leftJoin('dayFeedback as df', 'df.dayTasterChoiceId', 'c.id')
    .where('r.audience', '=', 'link_worker')
    .$call((qb) => (f.pcn === null ? qb : qb.where('u.pcn', '=', f.pcn)))
    .$call((qb) =>
      after === null
        ? qb
        : qb
            .where('s.startsAt', '>=', sql<Date>`${after.startsAt}::timestamptz`)
            .where(sql<boolean>`(s.starts_at, dt.id, c.id) > (${after.startsAt}::timestamptz, ${after.sessionId}::uuid, ${after.bookingId}::uuid)`),
    )
    .select([
      sql<string>`s.starts_at::text`.as('cursorStartsAt'),
      'dt.id as sessionId',
      'c.id as bookingId',
      london('s.startsAt').as('sessionStart'),
      london('s.endsAt').as('sessionEnd'),
      activity.as('activity'),
      category.as('category'),
      'org.name as organisation',
      sql<string>`org.kind::text`.as('organisationKind'),
      sql<string | null>`d.title`.as('tasterDay'),
      'r.userId as linkWorkerRef',
      'u.practice',
      'u.pcn',
      sql<Date>`s.starts_at`.as('sortAt'),
    ])
    .orderBy('s.startsAt')
    .orderBy('dt.id')
    .orderBy('c.id')
    .limit(limit);
}

/**
 * One page of sessions' bookings and days' taster choices together, in the cursor's order. Each
 * branch is ordered and cut to the page's size first, so a page reads at most two pages' rows
 * whatever the period holds. `sortAt` is the start time itself, for the order (the cursor's text is
 * for the next page); present() drops it.
 */
async function sessionsAndTasters<R>(db: Queryable, limit: number, sessions: Expression<R>, tasters: Expression<R>): Promise<R[]> {
  const result = await sql<R>`
    select * from (${sessions} union all ${tasters}) page
    order by sort_at, session_id, booking_id
    limit ${limit}`.execute(db);
  return result.rows;
}

export async function bookingsPage(db: Queryable, f: ReportFilters, after: SessionCursor | null, limit: number) {
  return sessionsAndTasters(
    db,
    limit,
    bookingsInScope(db, f, after, limit).select([
      sql<string>`b.status::text`.as('status'),
      'b.isWalkIn as walkIn',
      london('b.requestedAt').as('requestedAt'),
      london('b.waitlistedAt').as('waitlistedAt'),
      london('b.confirmedAt').as('confirmedAt'),
      london('b.cancelledAt').as('cancelledAt'),
      sql<string | null>`b.attendance::text`.as('attendance'),
      'b.confidenceBefore',
    ]),
    tasterChoicesInScope(db, f, after, limit).select([
      sql<string>`c.status::text`.as('status'),
      sql<boolean>`false`.as('walkIn'),
      // A choice keeps no time of its own for the request: the first of waiting and confirmation.
      sql<string | null>`to_char(least(c.waitlisted_at, c.confirmed_at) at time zone 'Europe/London', 'YYYY-MM-DD HH24:MI')`.as('requestedAt'),
      london('c.waitlistedAt').as('waitlistedAt'),
      london('c.confirmedAt').as('confirmedAt'),
      london('c.cancelledAt').as('cancelledAt'),
      sql<string | null>`c.attendance::text`.as('attendance'),
      'df.confidenceBefore',
    ]),
  );
}

export async function attendancePage(db: Queryable, f: ReportFilters, after: SessionCursor | null, limit: number) {
  return sessionsAndTasters(
    db,
    limit,
    bookingsInScope(db, f, after, limit)
      .where('b.attendance', 'is not', null)
      .select([sql<string | null>`b.attendance::text`.as('attendance'), 'b.isWalkIn as walkIn', london('b.attendanceRecordedAt').as('recordedAt')]),
    tasterChoicesInScope(db, f, after, limit)
      .where('c.attendance', 'is not', null)
      .select([sql<string | null>`c.attendance::text`.as('attendance'), sql<boolean>`false`.as('walkIn'), london('c.attendanceRecordedAt').as('recordedAt')]),
  );
}

export async function feedbackPage(db: Queryable, f: ReportFilters, after: SessionCursor | null, limit: number) {
  const answers = (before: 'b' | 'df') =>
    [
      sql<number | null>`${sql.ref(`${before}.confidence_before`)}`.as('confidenceBefore'),
      sql<number>`fb.confidence_after`.as('confidenceAfter'),
      sql<number | null>`(fb.confidence_after - ${sql.ref(`${before}.confidence_before`)})::int`.as('confidenceChange'),
      sql<number>`fb.rating`.as('rating'),
      sql<number | null>`fb.accessible`.as('accessible'),
      sql<number | null>`fb.appropriate`.as('appropriate'),
      sql<number | null>`fb.adequate`.as('adequate'),
      sql<number | null>`fb.affordable`.as('affordable'),
      sql<number | null>`fb.available`.as('available'),
      sql<string | null>`fb.intends_to_refer`.as('intendsToRefer'),
      sql<string | null>`fb.referring_easier`.as('referringEasier'),
      sql<string | null>`fb.comments`.as('comments'),
      london('fb.submittedAt').as('submittedAt'),
      london('fb.updatedAt').as('updatedAt'),
    ] as const;
  return sessionsAndTasters(
    db,
    limit,
    bookingsInScope(db, f, after, limit).innerJoin('feedback as fb', 'fb.bookingId', 'b.id').select(answers('b')),
    // The taster's feedback is df (joined by the scope for confidence before); fb is the same row.
    tasterChoicesInScope(db, f, after, limit).innerJoin('dayFeedback as fb', 'fb.dayTasterChoiceId', 'c.id').select(answers('df')),
  );
}

/** Referral reports for the months of the period, by month then id. */
export async function referralsPage(db: Queryable, f: ReportFilters, after: MonthCursor | null, limit: number) {
  return db
    .selectFrom('referralReports as r')
    .innerJoin('offers as o', 'o.id', 'r.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .leftJoin('users as u', 'u.id', 'r.userId')
    .where('r.month', '>=', f.fromMonth)
    .where('r.month', '<=', f.toMonth)
    .$call((qb) => (f.organisationId === null ? qb : qb.where('o.organisationId', '=', f.organisationId)))
    .$call((qb) => (f.kind === null ? qb : qb.where('org.kind', '=', f.kind)))
    .$call((qb) => (f.category === null ? qb : qb.where('o.category', '=', f.category)))
    .$call((qb) => (f.pcn === null ? qb : qb.where('u.pcn', '=', f.pcn)))
    .$call((qb) => (after === null ? qb : qb.where(sql<boolean>`(r.month, r.id) > (${after.month}::date, ${after.id}::uuid)`)))
    .select([
      sql<string>`to_char(r.month, 'YYYY-MM-DD')`.as('cursorMonth'),
      'r.id',
      sql<string>`to_char(r.month, 'YYYY-MM')`.as('month'),
      'o.title as activity',
      'o.category',
      'org.name as organisation',
      'org.kind as organisationKind',
      'r.userId as linkWorkerRef',
      'u.practice',
      'u.pcn',
      'r.referralCount as referrals',
      london('r.createdAt').as('createdAt'),
      london('r.updatedAt').as('updatedAt'),
    ])
    .orderBy('r.month')
    .orderBy('r.id')
    .limit(limit)
    .execute();
}
