import type { Queryable, Tx } from '../../db/database.ts';
import type { VenueInput } from './schemas.ts';

export async function listVenues(db: Queryable, organisationId: string, options: { includeArchived?: boolean } = {}) {
  let query = db.selectFrom('venues').selectAll().where('organisationId', '=', organisationId);
  if (!options.includeArchived) query = query.where('archivedAt', 'is', null);
  return query
    .orderBy('archivedAt', (o) => o.nullsFirst())
    .orderBy('name')
    .execute();
}

export async function findVenue(db: Queryable, id: string) {
  return db.selectFrom('venues').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Locks the venue's row for the rest of the transaction. */
export async function lockVenue(tx: Tx, id: string) {
  return tx.selectFrom('venues').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** A venue of this organisation still in use (not archived): the only kind offers and sessions may newly choose. */
export async function findUsableVenue(db: Queryable, organisationId: string, venueId: string) {
  return db
    .selectFrom('venues')
    .select('id')
    .where('id', '=', venueId)
    .where('organisationId', '=', organisationId)
    .where('archivedAt', 'is', null)
    .executeTakeFirst();
}

export async function insertVenue(db: Queryable, organisationId: string, input: VenueInput) {
  return db
    .insertInto('venues')
    .values({ ...input, organisationId })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function updateVenue(db: Queryable, id: string, input: VenueInput) {
  await db
    .updateTable('venues')
    .set({ ...input, updatedAt: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function setVenueArchived(db: Queryable, id: string, archived: boolean) {
  await db
    .updateTable('venues')
    .set({ archivedAt: archived ? new Date() : null, updatedAt: new Date() })
    .where('id', '=', id)
    .execute();
}
