import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Asking for a sign-in link is answered like a reset: one stored request whatever the address,
  // and the job does the rest. The address it came from is kept for the audit trail.
  await db.schema.alterTable('account_requests').dropConstraint('account_requests_kind_check').execute();
  await db.schema
    .alterTable('account_requests')
    .addCheckConstraint('account_requests_kind_check', sql`kind in ('registration', 'password_reset', 'sign_in_link')`)
    .execute();
  await db.schema.alterTable('account_requests').addColumn('address', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('account_requests').where('kind', '=', 'sign_in_link').execute();
  await db.schema.alterTable('account_requests').dropColumn('address').execute();
  await db.schema.alterTable('account_requests').dropConstraint('account_requests_kind_check').execute();
  await db.schema.alterTable('account_requests').addCheckConstraint('account_requests_kind_check', sql`kind in ('registration', 'password_reset')`).execute();
}
