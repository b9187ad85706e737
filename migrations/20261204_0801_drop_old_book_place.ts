import { type Kysely, sql } from 'kysely';
import { up as createFiveArgumentBookPlace } from './20261202_0806_book_place_function.ts';

// Frozen in time: never import application code here.
//
// Migration 0901 added book_place's sixth argument (the sender of the emails) as a new overload,
// and 20261204_0501 replaced that one to respect places kept for PCNs. The first version, with
// five arguments, was left behind: nothing calls it, and it books without the PCN holds, so a
// stray call could give away a held place. It goes.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop function book_place(uuid, uuid, smallint, text, text)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await createFiveArgumentBookPlace(db);
}
