import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.
//
// An organisation's own websites (https origins, such as https://www.museum.org.uk), which may show
// its public page of activities in a frame: the embed address lists them in its Content Security
// Policy's frame-ancestors. Empty means no site may frame it. The check keeps a bad value from
// ever reaching a response header, whatever writes the column.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table organisations add column embed_websites text[] not null default '{}'`.execute(db);
  await sql`alter table organisations add constraint organisations_embed_websites_https
    check (cardinality(embed_websites) <= 10
      and (cardinality(embed_websites) = 0 or array_to_string(embed_websites, ' ') ~ '^https://[a-z0-9.:-]+( https://[a-z0-9.:-]+)*$'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table organisations drop column embed_websites`.execute(db);
}
