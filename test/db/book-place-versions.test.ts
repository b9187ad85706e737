import { sql } from 'kysely';
import t from 'tap';
import { createTestDatabase } from '../helper.ts';

// Every booking goes through one database function, book_place (src/bookings/queries.ts). Its
// older overloads booked without the places kept for PCNs, so none may be left to call by mistake.
const database = await createTestDatabase();
t.teardown(() => database.close());

t.test('book_place has one version: the one that respects places kept for PCNs', async (t) => {
  const { rows } = await sql<{ inputs: number }>`
    select p.pronargs::int as inputs
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where p.proname = 'book_place' and n.nspname = current_schema()`.execute(database.db);
  t.same(
    rows.map((r) => r.inputs),
    [6],
    'only the version with six arguments (the last is who the emails are from)',
  );
});
