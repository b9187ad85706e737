import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // The second step of sign-in: a time-based one-time code. The secret is encrypted by the app
  // (AES-256-GCM, key derived from SESSION_SECRET) so a copy of the database cannot make codes.
  // last_used_step is the last 30-second time step accepted: a code can never be used twice.
  await db.schema
    .createTable('two_step_credentials')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('secret_encrypted', 'text', (c) => c.notNull())
    .addColumn('last_used_step', 'bigint')
    .addColumn('enabled_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Single-use recovery codes, kept only as keyed hashes.
  await db.schema
    .createTable('two_step_recovery_codes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('two_step_recovery_codes_user').on('two_step_recovery_codes').columns(['user_id', 'code_hash']).execute();

  // Wrong second-step codes count against the same limits as wrong passwords; the kind says which.
  await db.schema
    .alterTable('sign_in_attempts')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('password').check(sql`kind in ('password','two_step')`))
    .execute();
  await db.schema.createIndex('sign_in_attempts_attempted').on('sign_in_attempts').column('attempted_at').execute();

  // An erased person keeps an anonymous row, so their bookings still count in every report.
  await db.schema.alterTable('users').addColumn('erased_at', 'timestamptz').execute();
  // The retention job looks for accounts unused for a long time.
  await db.schema.createIndex('users_last_signed_in').on('users').columns(['last_signed_in_at', 'created_at']).execute();
  await db.schema.createIndex('feedback_submitted').on('feedback').column('submitted_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('feedback_submitted').execute();
  await db.schema.dropIndex('users_last_signed_in').execute();
  await db.schema.alterTable('users').dropColumn('erased_at').execute();
  await db.schema.dropIndex('sign_in_attempts_attempted').execute();
  await db.schema.alterTable('sign_in_attempts').dropColumn('kind').execute();
  await db.schema.dropTable('two_step_recovery_codes').execute();
  await db.schema.dropTable('two_step_credentials').execute();
}
