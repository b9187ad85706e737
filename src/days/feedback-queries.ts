import type { Queryable, Tx } from '../db/database.ts';
import type { DayFeedbackRow } from '../db/tables/days-after.ts';
import type { DayFeedbackValues, TasterFeedbackValues } from './feedback-schemas.ts';

/** A person's live registration for a day, with what the feedback pages need of the day. */
export async function findOwnRegistration(db: Queryable, dayId: string, userId: string) {
  return db
    .selectFrom('dayRegistrations as r')
    .innerJoin('tasterDays as d', 'd.id', 'r.tasterDayId')
    .select(['r.id', 'r.userId', 'r.audience', 'r.status', 'r.attendance', 'd.id as dayId', 'd.title as dayTitle', 'd.startsAt', 'd.endsAt'])
    .where('r.tasterDayId', '=', dayId)
    .where('r.userId', '=', userId)
    .where('r.status', '<>', 'cancelled')
    .executeTakeFirst();
}

export type OwnRegistration = NonNullable<Awaited<ReturnType<typeof findOwnRegistration>>>;

/** The tasters a registration chose, with whether each was tried and whether feedback was given. */
export async function choicesForFeedback(db: Queryable, registrationId: string) {
  return db
    .selectFrom('dayTasterChoices as c')
    .innerJoin('dayTasters as t', 't.id', 'c.dayTasterId')
    .innerJoin('organisations as org', 'org.id', 't.organisationId')
    .innerJoin('dayProgrammeItems as i', 'i.id', 'c.programmeItemId')
    .leftJoin('offers as o', 'o.id', 't.offerId')
    .leftJoin('dayFeedback as f', 'f.dayTasterChoiceId', 'c.id')
    .select([
      'c.id',
      'c.status',
      'c.attendance',
      't.title as tasterTitle',
      't.offerId',
      'o.title as offerTitle',
      'org.name as organisationName',
      'i.startsAt',
      'f.id as feedbackId',
    ])
    .where('c.registrationId', '=', registrationId)
    .where('c.status', '<>', 'cancelled')
    .orderBy('i.startsAt')
    .execute();
}

export type ChoiceForFeedback = Awaited<ReturnType<typeof choicesForFeedback>>[number];

/** The registration's row, locked: a double click's two posts take turns, the second finds the first. */
export async function lockRegistration(tx: Tx, registrationId: string) {
  return tx
    .selectFrom('dayRegistrations')
    .select(['id', 'userId', 'status', 'attendance', 'tasterDayId'])
    .where('id', '=', registrationId)
    .forUpdate()
    .executeTakeFirst();
}

export async function findChoice(db: Queryable, choiceId: string) {
  return db.selectFrom('dayTasterChoices').select(['id', 'registrationId', 'status', 'attendance']).where('id', '=', choiceId).executeTakeFirst();
}

export async function findDayFeedback(db: Queryable, registrationId: string, choiceId: string | null): Promise<DayFeedbackRow | undefined> {
  return db
    .selectFrom('dayFeedback')
    .selectAll()
    .where('registrationId', '=', registrationId)
    .$call((qb) => (choiceId === null ? qb.where('dayTasterChoiceId', 'is', null) : qb.where('dayTasterChoiceId', '=', choiceId)))
    .executeTakeFirst();
}

type Answers = DayFeedbackValues | TasterFeedbackValues;

export async function insertDayFeedback(db: Queryable, registrationId: string, choiceId: string | null, values: Answers, now: Date) {
  await db
    .insertInto('dayFeedback')
    .values({ ...values, registrationId, dayTasterChoiceId: choiceId, submittedAt: now, updatedAt: now })
    .execute();
}

export async function updateDayFeedback(db: Queryable, id: string, values: Answers, now: Date) {
  await db
    .updateTable('dayFeedback')
    .set({ ...values, updatedAt: now })
    .where('id', '=', id)
    .execute();
}

/** When the day ends: feedback can be changed for a while after it. */
export async function dayEnd(db: Queryable, dayId: string) {
  return (await db.selectFrom('tasterDays').select('endsAt').where('id', '=', dayId).executeTakeFirstOrThrow()).endsAt;
}
