import { sql } from 'kysely';
import type { Queryable, Tx } from '../db/database.ts';

/** A person a link worker might book for: whether they are a link worker, active, and in which PCN. */
export async function findPerson(db: Queryable, userId: string) {
  return db.selectFrom('users').select(['id', 'name', 'email', 'role', 'status', 'pcn', 'erasedAt']).where('id', '=', userId).executeTakeFirst();
}

/** The active link workers in a PCN, but the booker: the colleagues they may book for. */
export async function listColleagues(db: Queryable, bookerId: string, pcn: string) {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'practice'])
    .where('role', '=', 'link_worker')
    .where('status', '=', 'active')
    .where('erasedAt', 'is', null)
    .where('pcn', '=', pcn)
    .where('id', '<>', bookerId)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/**
 * Records who made a booking, and puts their name in the facts of the email the booking queued
 * (book_place wrote it in the same transaction, and nothing has delivered it yet), so the
 * colleague's confirmation says who booked it.
 */
export async function recordBookedBy(tx: Tx, bookingId: string, booker: { id: string; name: string }) {
  await tx.updateTable('bookings').set({ bookedBy: booker.id }).where('id', '=', bookingId).execute();
  await sql`update outbox_messages set facts = facts || jsonb_build_object('bookedBy', ${booker.name}::text)
    where dedupe_key in (${`booking_confirmed:${bookingId}`}, ${`booking_waitlisted:${bookingId}`})`.execute(tx);
}

/** A booking this person made for someone else, as the booker's confirmation shows it. */
export async function findBookingMadeBy(db: Queryable, bookingId: string, bookerId: string, sessionId: string) {
  return db
    .selectFrom('bookings as b')
    .innerJoin('users as u', 'u.id', 'b.userId')
    .select(['b.id', 'b.status', 'u.name'])
    .where('b.id', '=', bookingId)
    .where('b.bookedBy', '=', bookerId)
    .where('b.tasterSessionId', '=', sessionId)
    .executeTakeFirst();
}
