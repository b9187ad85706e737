import type { Db, Queryable, Tx } from '../db/database.ts';

/**
 * A person's data from taster days, provider messages and bookings made for colleagues, read for
 * a download (each as a section of its own, in the person's words rather than raw rows), and the
 * statements erasure adds for them.
 */

/** Their places on taster days: the day, audience, status, needs while kept, list and email choices, attendance. */
export async function dayRegistrationsOf(db: Queryable, userId: string) {
  return db
    .selectFrom('dayRegistrations as r')
    .innerJoin('tasterDays as d', 'd.id', 'r.tasterDayId')
    .select([
      'r.id',
      'd.title as day',
      'd.startsAt as dayStartsAt',
      'r.audience',
      'r.status',
      'r.waitlistedAt',
      'r.confirmedAt',
      'r.promotedAt',
      'r.cancelledAt',
      'r.accessNeeds',
      'r.dietaryNeeds',
      'r.needsRemovedAt',
      'r.onParticipantList',
      'r.shareEmail',
      'r.attendance',
      'r.attendanceRecordedAt',
      'r.createdAt',
      'r.updatedAt',
    ])
    .where('r.userId', '=', userId)
    .orderBy('d.startsAt')
    .orderBy('r.createdAt')
    .execute();
}

/** The tasters they chose on those days, each with its slot and how their place and attendance stand. */
export async function dayTasterChoicesOf(db: Queryable, userId: string) {
  return db
    .selectFrom('dayTasterChoices as c')
    .innerJoin('dayRegistrations as r', 'r.id', 'c.registrationId')
    .innerJoin('dayTasters as dt', 'dt.id', 'c.dayTasterId')
    .innerJoin('dayProgrammeItems as s', 's.id', 'c.programmeItemId')
    .innerJoin('organisations as g', 'g.id', 'dt.organisationId')
    .select([
      'c.id',
      'c.registrationId',
      'dt.title as taster',
      'g.name as organisation',
      's.title as slot',
      's.startsAt as slotStartsAt',
      'c.status',
      'c.waitlistedAt',
      'c.confirmedAt',
      'c.promotedAt',
      'c.cancelledAt',
      'c.attendance',
      'c.attendanceRecordedAt',
      'c.updatedAt',
    ])
    .where('r.userId', '=', userId)
    .orderBy('s.startsAt')
    .orderBy('c.id')
    .execute();
}

/** Their feedback on days as a whole (no taster) and on the tasters they tried. */
export async function dayFeedbackOf(db: Queryable, userId: string) {
  return db
    .selectFrom('dayFeedback as f')
    .innerJoin('dayRegistrations as r', 'r.id', 'f.registrationId')
    .innerJoin('tasterDays as d', 'd.id', 'r.tasterDayId')
    .leftJoin('dayTasterChoices as c', 'c.id', 'f.dayTasterChoiceId')
    .leftJoin('dayTasters as dt', 'dt.id', 'c.dayTasterId')
    .select([
      'f.id',
      'f.registrationId',
      'd.title as day',
      'dt.title as taster',
      'f.confidenceBefore',
      'f.confidenceAfter',
      'f.rating',
      'f.accessible',
      'f.appropriate',
      'f.adequate',
      'f.affordable',
      'f.available',
      'f.intendsToRefer',
      'f.referringEasier',
      'f.comments',
      'f.submittedAt',
      'f.updatedAt',
    ])
    .where('r.userId', '=', userId)
    .orderBy('f.submittedAt')
    .orderBy('f.id')
    .execute();
}

/** Notes they added to a day's discussion. */
export async function dayDiscussionNotesOf(db: Queryable, userId: string) {
  return db
    .selectFrom('dayDiscussionNotes as n')
    .innerJoin('tasterDays as d', 'd.id', 'n.tasterDayId')
    .select(['n.id', 'd.title as day', 'n.groupName as group', 'n.kind', 'n.text', 'n.authorRole', 'n.createdAt'])
    .where('n.authorId', '=', userId)
    .orderBy('n.createdAt')
    .orderBy('n.id')
    .execute();
}

/** Days they created or proposed, with the proposal's progress and the reason it was last returned. */
export async function daysCreatedBy(db: Queryable, userId: string) {
  return db
    .selectFrom('tasterDays as d')
    .leftJoin('organisations as g', 'g.id', 'd.organisationId')
    .leftJoin('dayProposals as p', 'p.tasterDayId', 'd.id')
    .select([
      'd.id',
      'd.title',
      'g.name as organisation',
      'd.startsAt',
      'd.status',
      'd.createdAt',
      'p.submittedAt',
      'p.returnedAt',
      'p.returnReason',
      'd.approvedAt',
      'd.publishedAt',
      'd.cancelledAt',
    ])
    .where('d.createdBy', '=', userId)
    .orderBy('d.createdAt')
    .orderBy('d.id')
    .execute();
}

/** Messages they sent to the people of a session, as written. */
export async function sessionMessagesSentBy(db: Queryable, userId: string) {
  return db
    .selectFrom('sessionBroadcasts as m')
    .innerJoin('tasterSessions as s', 's.id', 'm.tasterSessionId')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .select(['m.id', 'o.title as activity', 's.startsAt as sessionStartsAt', 'm.audience', 'm.body', 'm.recipients', 'm.sentAt'])
    .where('m.sentBy', '=', userId)
    .orderBy('m.sentAt')
    .orderBy('m.id')
    .execute();
}

/**
 * Places they booked for colleagues: what they saw when booking (the colleague's name, the
 * session) and no more. The place is the colleague's, so its later status, attendance and
 * feedback are in the colleague's download, not here.
 */
export async function bookingsMadeForOthersBy(db: Queryable, userId: string) {
  return db
    .selectFrom('bookings as b')
    .innerJoin('users as u', 'u.id', 'b.userId')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as g', 'g.id', 'o.organisationId')
    .select(['b.id', 'u.name as colleague', 'o.title as activity', 'g.name as organisation', 's.startsAt as sessionStartsAt', 'b.requestedAt as bookedAt'])
    .where('b.bookedBy', '=', userId)
    .where('b.userId', '<>', userId)
    .orderBy('b.requestedAt')
    .orderBy('b.id')
    .execute();
}

/**
 * Erasure's part here: their words in day feedback go (as for session feedback), and the links
 * that only say who did something for others go (who booked a colleague's place, who sent a
 * session's message): the place and the message stay.
 */
export async function unlinkDaysAndColleaguesOf(tx: Tx, personId: string) {
  const theirRegistrations = tx.selectFrom('dayRegistrations').select('id').where('userId', '=', personId);
  await tx.updateTable('dayFeedback').set({ comments: null, referringEasier: null }).where('registrationId', 'in', theirRegistrations).execute();
  await tx.updateTable('bookings').set({ bookedBy: null }).where('bookedBy', '=', personId).execute();
  await tx.updateTable('sessionBroadcasts').set({ sentBy: null }).where('sentBy', '=', personId).execute();
}

/** Retention: the words of day feedback given before the cutoff, as for a session's feedback; the scores stay. */
export async function clearDayFeedbackTextBefore(db: Db, cutoff: Date): Promise<number> {
  const result = await db
    .updateTable('dayFeedback')
    .set({ comments: null, referringEasier: null })
    .where('submittedAt', '<', cutoff)
    .where((eb) => eb.or([eb('comments', 'is not', null), eb('referringEasier', 'is not', null)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
