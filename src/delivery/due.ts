import { type ExpressionBuilder, sql } from 'kysely';
import type { Queryable } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

type Preference = 'reminders' | 'feedbackRequests' | 'referralPrompts' | 'digests';
type WithUser = Database & { u: Database['users'] };

/** The person has not turned this optional message off (no preferences row means everything is on). */
function wants(preference: Preference) {
  return (eb: ExpressionBuilder<WithUser, 'u'>) =>
    eb.not(
      eb.exists(
        eb
          .selectFrom('messagePreferences as mp')
          .select(sql`1`.as('one'))
          .whereRef('mp.userId', '=', 'u.id')
          .where(`mp.${preference}`, '=', false),
      ),
    );
}

const HOUR = 3_600_000;

/** Confirmed places on published sessions starting in the next two days, whose owners want reminders. */
export async function reminderCandidates(db: Queryable, now: Date) {
  return db
    .selectFrom('bookings as b')
    .innerJoin('users as u', 'u.id', 'b.userId')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .select(['b.id as bookingId', 'b.confirmedAt', 'u.id as userId', 'u.email', 'u.name', 's.id as sessionId', 's.startsAt'])
    .where('b.status', '=', 'confirmed')
    .where('s.status', '=', 'published')
    .where('u.status', '=', 'active')
    .where('s.startsAt', '>', now)
    .where('s.startsAt', '<=', new Date(now.getTime() + 48 * HOUR))
    .where(wants('reminders'))
    .orderBy('s.startsAt')
    .orderBy('b.id')
    .execute();
}

/** People marked as attending a session that ended within `withinDays`, who have not given feedback. */
export async function feedbackCandidates(db: Queryable, now: Date, withinDays: number) {
  return db
    .selectFrom('bookings as b')
    .innerJoin('users as u', 'u.id', 'b.userId')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .select(['b.id as bookingId', 'u.id as userId', 'u.email', 'u.name', 's.id as sessionId', 's.endsAt'])
    .where('b.attendance', '=', 'attended')
    .where('u.status', '=', 'active')
    .where('s.endsAt', '<=', now)
    .where('s.endsAt', '>', new Date(now.getTime() - withinDays * 24 * HOUR))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('feedback as f').select(sql`1`.as('one')).whereRef('f.bookingId', '=', 'b.id'))))
    .where(wants('feedbackRequests'))
    .orderBy('s.endsAt')
    .orderBy('b.id')
    .execute();
}

/** Link workers who attended a taster that ended between `fromWeeks` and `toWeeks` weeks ago. */
export async function referralPromptCandidates(db: Queryable, now: Date, fromWeeks: number, toWeeks: number) {
  const weeksAgo = (weeks: number) => new Date(now.getTime() - weeks * 7 * 24 * HOUR);
  return db
    .selectFrom('users as u')
    .select(['u.id as userId', 'u.email', 'u.name'])
    .where('u.role', '=', 'link_worker')
    .where('u.status', '=', 'active')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('bookings as b')
          .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
          .select(sql`1`.as('one'))
          .whereRef('b.userId', '=', 'u.id')
          .where('b.attendance', '=', 'attended')
          .where('s.endsAt', '<=', weeksAgo(fromWeeks))
          .where('s.endsAt', '>', weeksAgo(toWeeks)),
      ),
    )
    .where(wants('referralPrompts'))
    .orderBy('u.id')
    .execute();
}

/** Coordinators and provider staff who want the weekly digest. */
export async function digestRecipients(db: Queryable) {
  return db
    .selectFrom('users as u')
    .select(['u.id as userId', 'u.email', 'u.name', 'u.role', 'u.organisationId'])
    .where('u.status', '=', 'active')
    .where((eb) => eb.or([eb('u.role', '=', 'coordinator'), eb.and([eb('u.role', '=', 'provider'), eb('u.organisationId', 'is not', null)])]))
    .where(wants('digests'))
    .orderBy('u.id')
    .execute();
}

/** Published sessions starting before `until` that can still be booked and have places left. */
export async function sessionsWithPlaces(db: Queryable, now: Date, until: Date) {
  const rows = await db
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as g', 'g.id', 'o.organisationId')
    .select((eb) => [
      's.id',
      's.startsAt',
      's.endsAt',
      's.capacity',
      'o.title',
      'o.organisationId',
      'g.name as organisationName',
      eb
        .selectFrom('bookings as c')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('c.tasterSessionId', '=', 's.id')
        .where('c.status', '=', 'confirmed')
        .as('confirmed'),
    ])
    .where('s.status', '=', 'published')
    .where('s.startsAt', '>', now)
    .where('s.startsAt', '<=', until)
    .where('s.bookingClosesAt', '>', now)
    .orderBy('s.startsAt')
    .orderBy('s.id')
    .execute();
  return rows.map((row) => ({ ...row, confirmed: row.confirmed ?? 0 })).filter((row) => row.confirmed < row.capacity);
}
