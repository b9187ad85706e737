import { sql } from 'kysely';
import type { Queryable, Tx } from '../db/database.ts';
import type { DayInput, ItemInput, TasterInput } from './schemas.ts';

/** The statements of changing a published day, its programme and its tasters (under the day's lock). */

export async function dayForEdit(db: Queryable, dayId: string) {
  return db
    .selectFrom('tasterDays')
    .select(['id', 'status', 'title', 'startsAt', 'endsAt', 'venueId', 'bookingClosesAt', 'linkWorkerPlaces', 'culturalPlaces'])
    .where('id', '=', dayId)
    .executeTakeFirst();
}

export async function updateDayRow(tx: Tx, dayId: string, input: DayInput): Promise<void> {
  await tx
    .updateTable('tasterDays')
    .set({ ...input, updatedAt: sql<Date>`now()` })
    .where('id', '=', dayId)
    .execute();
}

/** Moves every item of the programme by the same interval, when the day moves. */
export async function shiftProgramme(tx: Tx, dayId: string, milliseconds: number): Promise<void> {
  if (milliseconds === 0) return;
  await sql`update day_programme_items set starts_at = starts_at + ${milliseconds} * interval '1 millisecond',
    ends_at = ends_at + ${milliseconds} * interval '1 millisecond' where taster_day_id = ${dayId}::uuid`.execute(tx);
}

/** The programme items outside the day's hours. */
export async function itemsOutside(db: Queryable, dayId: string, startsAt: Date, endsAt: Date) {
  return db
    .selectFrom('dayProgrammeItems')
    .select(['id', 'title'])
    .where('tasterDayId', '=', dayId)
    .where((eb) => eb.or([eb('startsAt', '<', startsAt), eb('endsAt', '>', endsAt)]))
    .execute();
}

export async function updateItemRow(tx: Tx, itemId: string, input: Omit<ItemInput, 'kind'>): Promise<void> {
  await tx
    .updateTable('dayProgrammeItems')
    .set({ title: input.title, description: input.description, startsAt: input.startsAt, endsAt: input.endsAt })
    .where('id', '=', itemId)
    .execute();
}

export async function findTaster(db: Queryable, tasterId: string) {
  return db
    .selectFrom('dayTasters as t')
    .innerJoin('dayProgrammeItems as i', 'i.id', 't.programmeItemId')
    .select([
      't.id',
      't.programmeItemId',
      'i.tasterDayId',
      'i.title as itemTitle',
      'i.startsAt',
      'i.endsAt',
      't.organisationId',
      't.title',
      't.description',
      't.capacity',
      't.room',
      't.whatToBring',
    ])
    .where('t.id', '=', tasterId)
    .executeTakeFirst();
}

export type TasterToEdit = NonNullable<Awaited<ReturnType<typeof findTaster>>>;

export async function tastersOfItem(db: Queryable, itemId: string) {
  return db.selectFrom('dayTasters').select(['id', 'title', 'room']).where('programmeItemId', '=', itemId).orderBy('title').execute();
}

export async function updateTasterRow(tx: Tx, tasterId: string, input: TasterInput): Promise<void> {
  await tx.updateTable('dayTasters').set(input).where('id', '=', tasterId).execute();
}

/**
 * Takes away a taster's choices, cancelled ones included: a removed taster has no history worth
 * keeping (it never ran), and the choices' key to it must go before it can.
 */
/** Cancels the live choices of a taster being removed; returns them, for the emails. */
export async function cancelChoicesOfTaster(tx: Tx, tasterId: string): Promise<string[]> {
  const rows = await tx
    .updateTable('dayTasterChoices')
    .set({ status: 'cancelled', cancelledAt: sql<Date>`clock_timestamp()`, updatedAt: sql<Date>`clock_timestamp()` })
    .where('dayTasterId', '=', tasterId)
    .where('status', '<>', 'cancelled')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function deleteChoicesOfTaster(tx: Tx, tasterId: string): Promise<void> {
  await tx.deleteFrom('dayTasterChoices').where('dayTasterId', '=', tasterId).execute();
}

export async function deleteTaster(tx: Tx, tasterId: string): Promise<void> {
  await tx.deleteFrom('dayTasters').where('id', '=', tasterId).execute();
}

export async function deleteItem(tx: Tx, itemId: string): Promise<void> {
  await tx.deleteFrom('dayTasterChoices').where('programmeItemId', '=', itemId).execute();
  await tx.deleteFrom('dayProgrammeItems').where('id', '=', itemId).execute();
}

export async function countItems(db: Queryable, dayId: string): Promise<number> {
  const row = await db.selectFrom('dayProgrammeItems').select(sql<number>`count(*)::int`.as('n')).where('tasterDayId', '=', dayId).executeTakeFirstOrThrow();
  return row.n;
}

export async function cancelDayRow(tx: Tx, dayId: string, reason: string | null): Promise<void> {
  await tx
    .updateTable('tasterDays')
    .set({ status: 'cancelled', cancellationReason: reason, cancelledAt: sql<Date>`now()`, updatedAt: sql<Date>`now()` })
    .where('id', '=', dayId)
    .where('status', '<>', 'cancelled')
    .execute();
}
