import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // An account's identity at an OpenID Connect provider (NHSmail, CIS2): the provider's short name
  // from the settings and its subject (`sub`), which never changes, unlike the email address.
  // One identity belongs to one account; deleting (or erasing) the account deletes its identities.
  await db.schema
    .createTable('sign_in_identities')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addUniqueConstraint('sign_in_identities_provider_subject_key', ['provider', 'subject'])
    .execute();
  await db.schema.createIndex('sign_in_identities_user_id_idx').on('sign_in_identities').column('user_id').execute();

  // A second-step code after signing in with a provider is counted on a path of its own: only
  // someone holding the provider account can fail there (see accounts/throttle.ts).
  await sql`alter table sign_in_attempts drop constraint sign_in_attempts_kind_check`.execute(db);
  await sql`alter table sign_in_attempts add constraint sign_in_attempts_kind_check
    check (kind in ('password','two_step','link_two_step','signed_in_two_step','provider_two_step'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('sign_in_attempts').where('kind', '=', 'provider_two_step').execute();
  await sql`alter table sign_in_attempts drop constraint sign_in_attempts_kind_check`.execute(db);
  await sql`alter table sign_in_attempts add constraint sign_in_attempts_kind_check
    check (kind in ('password','two_step','link_two_step','signed_in_two_step'))`.execute(db);
  await db.schema.dropTable('sign_in_identities').execute();
}
