import type { Queryable, Tx } from '../../db/database.ts';
import type { OfferInput } from './schemas.ts';

export async function listOffers(db: Queryable, organisationId: string) {
  return db
    .selectFrom('offers')
    .select([
      'id',
      'title',
      'category',
      'status',
      'scheduleFrequency',
      'scheduleDays',
      'scheduleWeekOfMonth',
      'scheduleStartTime',
      'scheduleEndTime',
      'scheduleNote',
    ])
    .where('organisationId', '=', organisationId)
    .orderBy('status')
    .orderBy('title')
    .execute();
}

export async function findOffer(db: Queryable, id: string) {
  return db
    .selectFrom('offers')
    .innerJoin('organisations', 'organisations.id', 'offers.organisationId')
    .leftJoin('venues', 'venues.id', 'offers.usualVenueId')
    .selectAll('offers')
    .select(['organisations.name as organisationName', 'venues.name as usualVenueName'])
    .where('offers.id', '=', id)
    .executeTakeFirst();
}

/** Locks the offer's row for the rest of the transaction. */
export async function lockOffer(tx: Tx, id: string) {
  return tx.selectFrom('offers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function insertOffer(db: Queryable, organisationId: string, input: OfferInput) {
  return db
    .insertInto('offers')
    .values({ ...input, organisationId })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function updateOffer(db: Queryable, id: string, input: OfferInput) {
  await db
    .updateTable('offers')
    .set({ ...input, updatedAt: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function setOfferStatus(db: Queryable, id: string, status: 'active' | 'archived') {
  await db.updateTable('offers').set({ status, updatedAt: new Date() }).where('id', '=', id).execute();
}
