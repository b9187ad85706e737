import { type ExpressionBuilder, sql } from 'kysely';
import type { Queryable } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { SessionStatus } from '../../db/tables/publishing.ts';

type WithSessions = Database & { s: Database['tasterSessions'] };

/** Places are counted from the bookings themselves, never from a stored counter. */
function bookingCount(eb: ExpressionBuilder<WithSessions, 's'>, status: 'confirmed' | 'waitlisted') {
  return (
    eb
      .selectFrom('bookings')
      .select(sql<number>`count(*)::int`.as('n'))
      .whereRef('bookings.tasterSessionId', '=', 's.id')
      .where('bookings.status', '=', status)
      // Walk-ins are recorded at the door after booking has closed: they never took a booked place.
      .where('bookings.isWalkIn', '=', false)
      .as(status)
  );
}

export async function findSessionDetail(db: Queryable, id: string) {
  return db
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .leftJoin('venues as v', 'v.id', 's.venueId')
    .selectAll('s')
    .select((eb) => [
      'o.organisationId',
      'o.title as offerTitle',
      'o.category',
      'o.description as offerDescription',
      'o.suits',
      'o.scheduleFrequency',
      'o.scheduleDays',
      'o.scheduleWeekOfMonth',
      'o.scheduleStartTime',
      'o.scheduleEndTime',
      'o.scheduleNote',
      'o.isFree',
      'o.costAmount',
      'o.costNote',
      'o.howToRefer',
      'o.referralEmail',
      'o.referralPhone',
      'o.minAge',
      'o.maxAge',
      'o.volunteeringRequirements',
      'o.status as offerStatus',
      'org.name as organisationName',
      'org.website as organisationWebsite',
      'v.name as venueName',
      'v.addressLine1',
      'v.addressLine2',
      'v.town',
      'v.postcode',
      'v.stepFree',
      'v.accessibleToilet',
      'v.hearingLoop',
      'v.seating',
      'v.parking',
      'v.quietSpace',
      'v.travelNotes',
      'v.accessNotes as venueAccessNotes',
      bookingCount(eb, 'confirmed'),
      bookingCount(eb, 'waitlisted'),
    ])
    .where('s.id', '=', id)
    .executeTakeFirst();
}

export type SessionDetail = NonNullable<Awaited<ReturnType<typeof findSessionDetail>>>;

/** The organisation a session belongs to (through its offer), for the access check before anything else. */
export async function sessionOwner(db: Queryable, id: string) {
  return db
    .selectFrom('tasterSessions')
    .innerJoin('offers', 'offers.id', 'tasterSessions.offerId')
    .select(['tasterSessions.id', 'tasterSessions.offerId', 'offers.organisationId'])
    .where('tasterSessions.id', '=', id)
    .executeTakeFirst();
}

/** The offer a new or published session belongs to: whose it is and whether it still runs. */
export async function findOfferOfSessions(db: Queryable, offerId: string) {
  return db.selectFrom('offers').select(['id', 'organisationId', 'status']).where('id', '=', offerId).executeTakeFirst();
}

export async function findSession(db: Queryable, id: string) {
  return db.selectFrom('tasterSessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Sessions for the dashboard, with places booked and the waiting list counted from bookings. */
export async function listSessionSummaries(
  db: Queryable,
  filter: { organisationId?: string; offerId?: string; sessionId?: string; when?: 'upcoming' | 'past'; now?: Date; limit?: number },
) {
  const now = filter.now ?? new Date();
  let query = db
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .leftJoin('venues as v', 'v.id', 's.venueId')
    .select((eb) => [
      's.id',
      's.offerId',
      's.startsAt',
      's.endsAt',
      's.capacity',
      's.status',
      's.isOnline',
      's.seriesId',
      's.bookingClosesAt',
      'o.title as offerTitle',
      'o.organisationId',
      'v.name as venueName',
      bookingCount(eb, 'confirmed'),
      bookingCount(eb, 'waitlisted'),
    ]);
  if (filter.organisationId) query = query.where('o.organisationId', '=', filter.organisationId);
  if (filter.offerId) query = query.where('s.offerId', '=', filter.offerId);
  if (filter.sessionId) query = query.where('s.id', '=', filter.sessionId);
  if (filter.when === 'upcoming') query = query.where('s.endsAt', '>', now).orderBy('s.startsAt', 'asc');
  else if (filter.when === 'past') query = query.where('s.endsAt', '<=', now).orderBy('s.startsAt', 'desc');
  else query = query.orderBy('s.startsAt', 'asc');
  if (filter.limit) query = query.limit(filter.limit);
  const rows = await query.execute();
  return rows.map((row) => ({ ...row, confirmed: row.confirmed ?? 0, waitlisted: row.waitlisted ?? 0 }));
}

export async function hasConfirmedBooking(db: Queryable, sessionId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('bookings')
    .select('id')
    .where('tasterSessionId', '=', sessionId)
    .where('userId', '=', userId)
    .where('status', '=', 'confirmed')
    .executeTakeFirst();
  return row !== undefined;
}

export async function draftsInSeries(db: Queryable, seriesId: string) {
  return db
    .selectFrom('tasterSessions')
    .select(['id', 'startsAt'])
    .where('seriesId', '=', seriesId)
    .where('status', '=', 'draft')
    .orderBy('startsAt')
    .execute();
}

export type NewSession = {
  offerId: string;
  venueId: string | null;
  isOnline: boolean;
  joiningInstructions: string | null;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  bookingClosesAt: Date;
  whatToBring: string;
  accessNotes: string;
  facilitatorNote: string;
  seriesId: string | null;
  createdBy: string;
};

export async function insertSessions(db: Queryable, sessions: NewSession[]) {
  return db.insertInto('tasterSessions').values(sessions).returning(['id', 'startsAt']).execute();
}

export type SessionChanges = Omit<NewSession, 'offerId' | 'seriesId' | 'createdBy'>;

export async function updateSession(db: Queryable, id: string, changes: SessionChanges) {
  await db
    .updateTable('tasterSessions')
    .set({ ...changes, updatedAt: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function setSessionStatus(db: Queryable, id: string, status: SessionStatus, extra: { cancellationReason?: string } = {}) {
  const now = new Date();
  await db
    .updateTable('tasterSessions')
    .set({
      status,
      updatedAt: now,
      ...(status === 'published' ? { publishedAt: now } : {}),
      ...(status === 'cancelled' ? { cancelledAt: now, cancellationReason: extra.cancellationReason ?? null } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function deleteSession(db: Queryable, id: string) {
  await db.deleteFrom('tasterSessions').where('id', '=', id).where('status', '=', 'draft').execute();
}
