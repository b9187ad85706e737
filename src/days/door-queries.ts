import { sql } from 'kysely';
import type { Queryable, Tx } from '../db/database.ts';
import type { Attendance } from '../db/tables/bookings.ts';

/**
 * On the day (issue 15, item 6): the people with a confirmed place, for badges and the door
 * registers, and their attendance. Only confirmed places appear: a waiting registration or choice
 * had no place on the day.
 */

/** Everyone with a confirmed place on the day, by name: for badges and the day's door register. */
export async function confirmedPeople(db: Queryable, dayId: string) {
  return db
    .selectFrom('dayRegistrations as r')
    .leftJoin('users as u', 'u.id', 'r.userId')
    .leftJoin('organisations as o', 'o.id', 'u.organisationId')
    .select(['r.id', 'r.audience', 'r.attendance', 'u.name', 'u.pcn', 'u.practice', 'o.name as organisationName'])
    .where('r.tasterDayId', '=', dayId)
    .where('r.status', '=', 'confirmed')
    .orderBy('u.name')
    .orderBy('r.id')
    .execute();
}

export type DoorPerson = Awaited<ReturnType<typeof confirmedPeople>>[number];

export async function findConfirmedPerson(db: Queryable, dayId: string, registrationId: string) {
  return (await confirmedPeople(db, dayId)).find((p) => p.id === registrationId);
}

/** One taster of a day, with its slot and organisation, or undefined when it is not the day's. */
export async function findDayTaster(db: Queryable, dayId: string, tasterId: string) {
  return db
    .selectFrom('dayTasters as t')
    .innerJoin('dayProgrammeItems as i', 'i.id', 't.programmeItemId')
    .innerJoin('organisations as o', 'o.id', 't.organisationId')
    .select(['t.id', 't.title', 't.room', 't.organisationId', 'o.name as organisationName', 'i.title as slotTitle', 'i.startsAt', 'i.endsAt'])
    .where('i.tasterDayId', '=', dayId)
    .where('t.id', '=', tasterId)
    .executeTakeFirst();
}

export type DoorTaster = NonNullable<Awaited<ReturnType<typeof findDayTaster>>>;

/** The tasters of a day in programme order; with an organisation, only those it runs (its staff take their registers). */
export async function tastersForRegisters(db: Queryable, dayId: string, organisationId?: string) {
  let query = db
    .selectFrom('dayTasters as t')
    .innerJoin('dayProgrammeItems as i', 'i.id', 't.programmeItemId')
    .select(['t.id', 't.title'])
    .where('i.tasterDayId', '=', dayId);
  if (organisationId) query = query.where('t.organisationId', '=', organisationId);
  return query.orderBy('i.startsAt').orderBy('t.title').orderBy('t.id').execute();
}

/** The people with a confirmed place in a taster, on a confirmed registration for the day. */
export async function tasterPeople(db: Queryable, tasterId: string) {
  return db
    .selectFrom('dayTasterChoices as c')
    .innerJoin('dayRegistrations as r', 'r.id', 'c.registrationId')
    .leftJoin('users as u', 'u.id', 'r.userId')
    .leftJoin('organisations as o', 'o.id', 'u.organisationId')
    .select(['c.id', 'r.audience', 'c.attendance', 'u.name', 'u.pcn', 'u.practice', 'o.name as organisationName'])
    .where('c.dayTasterId', '=', tasterId)
    .where('c.status', '=', 'confirmed')
    .where('r.status', '=', 'confirmed')
    .orderBy('u.name')
    .orderBy('c.id')
    .execute();
}

export async function findTasterPerson(db: Queryable, tasterId: string, choiceId: string) {
  return (await tasterPeople(db, tasterId)).find((p) => p.id === choiceId);
}

/** Marks a confirmed registration; false when it is not a confirmed place on this day. */
export async function setDayAttendance(tx: Tx, dayId: string, registrationId: string, attendance: Attendance) {
  const result = await tx
    .updateTable('dayRegistrations')
    .set({ attendance, attendanceRecordedAt: sql<Date>`now()`, updatedAt: sql<Date>`now()` })
    .where('id', '=', registrationId)
    .where('tasterDayId', '=', dayId)
    .where('status', '=', 'confirmed')
    .returning('id')
    .executeTakeFirst();
  return Boolean(result);
}

/** Marks a confirmed choice of a taster; false when it is not a confirmed place in this taster. */
export async function setTasterAttendance(tx: Tx, tasterId: string, choiceId: string, attendance: Attendance) {
  const result = await tx
    .updateTable('dayTasterChoices')
    .set({ attendance, attendanceRecordedAt: sql<Date>`now()`, updatedAt: sql<Date>`now()` })
    .where('id', '=', choiceId)
    .where('dayTasterId', '=', tasterId)
    .where('status', '=', 'confirmed')
    .where('registrationId', 'in', (eb) => eb.selectFrom('dayRegistrations').select('id').where('status', '=', 'confirmed'))
    .returning('id')
    .executeTakeFirst();
  return Boolean(result);
}

export type DoorCounts = { attended: number; noShows: number; unmarked: number };

export function countsOf(people: Array<{ attendance: Attendance | null }>): DoorCounts {
  return {
    attended: people.filter((p) => p.attendance === 'attended').length,
    noShows: people.filter((p) => p.attendance === 'no_show').length,
    unmarked: people.filter((p) => p.attendance === null).length,
  };
}
