import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Registrations and password-reset requests as they arrive: the request stores one row, the
  // same for an address with an account or without, and a job on the queue does the rest.
  // A registration carries the details the person typed (the password already hashed).
  await db.schema
    .createTable('account_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('registration','password_reset')`))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('practice', 'text')
    .addColumn('pcn', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // A job exists for this request (src/accounts/request-worker.ts); the job deletes the row.
    .addColumn('dispatched_at', 'timestamptz')
    .addCheckConstraint(
      'account_requests_registration_details',
      sql`kind <> 'registration' or (name is not null and practice is not null and pcn is not null and password_hash is not null)`,
    )
    .execute();
  await db.schema.createIndex('account_requests_waiting').on('account_requests').column('created_at').where(sql.ref('dispatched_at'), 'is', null).execute();
  await db.schema.createIndex('account_requests_email').on('account_requests').column('email').execute();

  // An email confirmation link carries the registration it confirms: no account exists until
  // someone with the mailbox and the password confirms it. A newer link of the same purpose for
  // the same address replaces the older ones.
  await db.schema
    .alterTable('account_links')
    .addColumn('name', 'text')
    .addColumn('practice', 'text')
    .addColumn('pcn', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('replaced_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('account_links')
    .dropColumn('name')
    .dropColumn('practice')
    .dropColumn('pcn')
    .dropColumn('password_hash')
    .dropColumn('replaced_at')
    .execute();
  await db.schema.dropTable('account_requests').execute();
}
