import { sql } from 'kysely';
import type { Queryable } from '../db/database.ts';
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

function bookingsInScope(db: Queryable, f: ReportFilters, after: SessionCursor | null) {
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
              // The plain range lets the sessions index start at the right place; the row comparison
              // then skips what the previous page already gave.
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
        'o.category',
        'org.name as organisation',
        'org.kind as organisationKind',
        'b.userId as linkWorkerRef',
        'u.practice',
        'u.pcn',
      ])
      .orderBy('s.startsAt')
      .orderBy('s.id')
      .orderBy('b.id')
  );
}

export async function bookingsPage(db: Queryable, f: ReportFilters, after: SessionCursor | null, limit: number) {
  return bookingsInScope(db, f, after)
    .select([
      'b.status',
      'b.isWalkIn as walkIn',
      london('b.requestedAt').as('requestedAt'),
      london('b.waitlistedAt').as('waitlistedAt'),
      london('b.confirmedAt').as('confirmedAt'),
      london('b.cancelledAt').as('cancelledAt'),
      'b.attendance',
      'b.confidenceBefore',
    ])
    .limit(limit)
    .execute();
}

export async function attendancePage(db: Queryable, f: ReportFilters, after: SessionCursor | null, limit: number) {
  return bookingsInScope(db, f, after)
    .where('b.attendance', 'is not', null)
    .select(['b.attendance', 'b.isWalkIn as walkIn', london('b.attendanceRecordedAt').as('recordedAt')])
    .limit(limit)
    .execute();
}

export async function feedbackPage(db: Queryable, f: ReportFilters, after: SessionCursor | null, limit: number) {
  return bookingsInScope(db, f, after)
    .innerJoin('feedback as fb', 'fb.bookingId', 'b.id')
    .select([
      'b.confidenceBefore',
      'fb.confidenceAfter',
      sql<number | null>`(fb.confidence_after - b.confidence_before)::int`.as('confidenceChange'),
      'fb.rating',
      'fb.accessible',
      'fb.appropriate',
      'fb.adequate',
      'fb.affordable',
      'fb.available',
      'fb.intendsToRefer',
      'fb.referringEasier',
      'fb.comments',
      london('fb.submittedAt').as('submittedAt'),
      london('fb.updatedAt').as('updatedAt'),
    ])
    .limit(limit)
    .execute();
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
