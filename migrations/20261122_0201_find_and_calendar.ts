import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Full-text search over an offer's title and description and its organisation's name.
  // The words live in two tables, so an expression index on either alone cannot answer
  // "singing museum" (one word from each). A search document per offer, kept up to date by
  // triggers in the same transaction as the change, can: one GIN index, exact AND semantics.
  await db.schema
    .createTable('offer_search_documents')
    .addColumn('offer_id', 'uuid', (c) => c.primaryKey().references('offers.id').onDelete('cascade'))
    .addColumn('document', sql`tsvector`, (c) => c.notNull())
    .execute();
  await sql`create index offer_search_documents_document on offer_search_documents using gin (document)`.execute(db);

  await sql`
    create function offer_search_document(offer uuid) returns tsvector language sql stable as $$
      select setweight(to_tsvector('english', o.title), 'A')
          || setweight(to_tsvector('english', g.name), 'B')
          || setweight(to_tsvector('english', o.description), 'C')
      from offers o join organisations g on g.id = o.organisation_id
      where o.id = offer
    $$`.execute(db);
  await sql`
    create function offer_search_refresh() returns trigger language plpgsql as $$
    begin
      insert into offer_search_documents (offer_id, document)
      values (new.id, offer_search_document(new.id))
      on conflict (offer_id) do update set document = excluded.document;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger offers_search_refresh after insert or update of title, description, organisation_id on offers
    for each row execute function offer_search_refresh()`.execute(db);
  await sql`
    create function organisation_search_refresh() returns trigger language plpgsql as $$
    begin
      update offer_search_documents d set document = offer_search_document(d.offer_id)
      from offers o where o.id = d.offer_id and o.organisation_id = new.id;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger organisations_search_refresh after update of name on organisations
    for each row when (old.name is distinct from new.name) execute function organisation_search_refresh()`.execute(db);
  await sql`insert into offer_search_documents (offer_id, document) select id, offer_search_document(id) from offers`.execute(db);

  // Town and postcode-district filters on the find page.
  await sql`create index venues_town on venues (lower(town))`.execute(db);
  await sql`create index venues_postcode_district on venues ((left(upper(replace(postcode, ' ', '')), -3)))`.execute(db);

  // A private calendar feed per person. Only the token's hash is kept: a copy of the database
  // cannot be used to read anyone's calendar, and a new token replaces the old one at once.
  await db.schema
    .createTable('calendar_feeds')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_fetched_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('calendar_feeds').execute();
  await sql`drop index venues_postcode_district`.execute(db);
  await sql`drop index venues_town`.execute(db);
  await sql`drop trigger organisations_search_refresh on organisations`.execute(db);
  await sql`drop trigger offers_search_refresh on offers`.execute(db);
  await sql`drop function organisation_search_refresh()`.execute(db);
  await sql`drop function offer_search_refresh()`.execute(db);
  await db.schema.dropTable('offer_search_documents').execute();
  await sql`drop function offer_search_document(uuid)`.execute(db);
}
