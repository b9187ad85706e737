import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.
//
// Kysely's CamelCasePlugin maps addressLine1 to address_line1 (no underscore before a digit), so
// the columns created as address_line_1 and address_line_2 could not be reached by their
// TypeScript names. Renaming the columns keeps the plugin's defaults for every other table.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('venues').renameColumn('address_line_1', 'address_line1').execute();
  await db.schema.alterTable('venues').renameColumn('address_line_2', 'address_line2').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('venues').renameColumn('address_line1', 'address_line_1').execute();
  await db.schema.alterTable('venues').renameColumn('address_line2', 'address_line_2').execute();
}
