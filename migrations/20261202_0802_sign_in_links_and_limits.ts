import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // A one-time sign-in link by email: what the owner of an account uses in place of the password
  // while strangers' guesses hold the password step shut.
  await sql`alter table account_links drop constraint account_links_purpose_check`.execute(db);
  await sql`alter table account_links add constraint account_links_purpose_check
    check (purpose in ('invitation','email_confirmation','password_reset','sign_in'))`.execute(db);

  // A wrong second-step code is counted apart by how the person got to it: after the password,
  // after an emailed sign-in link, or while signed in. A stranger's failures on the password path
  // then never count against the other two, which only the owner of the mailbox or of a session
  // can reach.
  await sql`alter table sign_in_attempts drop constraint sign_in_attempts_kind_check`.execute(db);
  await sql`alter table sign_in_attempts add constraint sign_in_attempts_kind_check
    check (kind in ('password','two_step','link_two_step','signed_in_two_step'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('sign_in_attempts').where('kind', 'in', ['link_two_step', 'signed_in_two_step']).execute();
  await sql`alter table sign_in_attempts drop constraint sign_in_attempts_kind_check`.execute(db);
  await sql`alter table sign_in_attempts add constraint sign_in_attempts_kind_check check (kind in ('password','two_step'))`.execute(db);
  await db.deleteFrom('account_links').where('purpose', '=', 'sign_in').execute();
  await sql`alter table account_links drop constraint account_links_purpose_check`.execute(db);
  await sql`alter table account_links add constraint account_links_purpose_check
    check (purpose in ('invitation','email_confirmation','password_reset'))`.execute(db);
}
