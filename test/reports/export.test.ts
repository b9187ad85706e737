import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql } from 'kysely';
import t from 'tap';
import { csvStream, neutraliseFormula } from '../../src/reports/csv.ts';
import { exportCsv, exportRows } from '../../src/reports/export.ts';
import { reportQuery } from '../../src/reports/filters.ts';
import { createBooking, createFeedback, createOffer, createOrganisation, createReferralReport, createSession, createUser } from '../fixtures/builders.ts';
import { everyRecordEndsWithCrlf } from '../fixtures/csv.ts';
import { sessionAt } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { analyzeTestSchema, buildTestApp, createTestDatabase, testDatabaseKind } from '../helper.ts';

// A full garbage collection on demand, to measure what is held rather than what is waiting to go.
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);
const coordinator = await signedIn(app, db, 'coordinator');

/** RFC 4180 as spreadsheets read it: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const tricky = 'He said "hi", then\nleft, quickly';
const formulas = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-1+1', '@SUM(A1)', '\tindented', '\rreturn'];

const organisation = await createOrganisation(db, { name: 'Quotes, "Commas" & Co' });
const offer = await createOffer(db, organisation.id, { title: '=cmd|calc', category: 'arts_crafts' });
const session = await createSession(db, offer.id, { ...sessionAt('2028-03-31T23:30:00Z'), capacity: 10 }); // 00:30 BST, 1 April 2028
const people = await Promise.all(formulas.map((_, i) => createUser(db, 'link_worker', { name: `Person ${i}`, practice: formulas[i], pcn: 'Export PCN' })));
const bookings = [];
for (const [i, person] of people.entries()) {
  bookings.push(await createBooking(db, session.id, person.id, { attendance: i === 5 ? 'no_show' : 'attended', confidenceBefore: 9 }));
}
for (const [i, booking] of bookings.slice(0, 5).entries()) {
  await createFeedback(db, booking.id, { confidenceAfter: 7, comments: i === 0 ? tricky : formulas[i]!, referringEasier: formulas[0] });
}
await createReferralReport(db, people[0]!.id, offer.id, '2028-04', 3);
await createReferralReport(db, people[1]!.id, offer.id, '2028-06', 2); // outside the period

const period = 'from=2028-04-01&to=2028-04-30';

t.test('formula injection is neutralised in text, not in numbers', async (t) => {
  for (const value of formulas) t.equal(neutraliseFormula(value), `'${value}`, JSON.stringify(value));
  for (const value of ['plain', ' =spaced', '1+1', '']) t.equal(neutraliseFormula(value), value, JSON.stringify(value));
  let text = '';
  for await (const chunk of csvStream(
    [{ n: -2, s: '-2' }],
    [
      { key: 'n', header: 'Number' },
      { key: 's', header: 'Text' },
    ],
  ))
    text += chunk;
  t.same(parseCsv(text.replace(/^\uFEFF/, '')), [
    ['Number', 'Text'],
    ['-2', "'-2"],
  ]);
});

t.test('feedback export: headers, commas, quotes, newlines and formulas survive as text', async (t) => {
  const response = await coordinator.visitor.get(`/reports/export.csv?kind=feedback&${period}`);
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-type'], /^text\/csv; charset=utf-8/);
  t.equal(response.headers['cache-control'], 'no-store');
  t.match(response.headers['content-disposition'], /^attachment; filename="tasters-feedback-2028-04-01-to-2028-04-30-\d{8}-\d{4}\.csv"$/);
  t.ok(response.body.startsWith('\uFEFF'), 'a byte-order mark, so spreadsheets read UTF-8');
  const [header, ...rows] = parseCsv(response.body.slice(1));
  t.strictSame(header!.slice(0, 12), [
    'Booking reference',
    'Session reference',
    'Session start (London time)',
    'Session end (London time)',
    'Activity',
    'Category',
    'Organisation',
    'Kind of organisation',
    'Link worker reference',
    'Practice',
    'PCN',
    'Confidence before (0-10)',
  ]);
  t.equal(rows.length, 5, 'one row per feedback');
  const column = (name: string) => header!.indexOf(name);
  const first = rows.find((r) => r[column('Comments')] === tricky);
  t.ok(first, 'a comment with quotes, commas and a newline comes back whole');
  t.equal(first![column('Organisation')], 'Quotes, "Commas" & Co');
  t.equal(first![column('Activity')], "'=cmd|calc", 'a formula in a title is neutralised');
  t.equal(first![column('Session start (London time)')], '2028-04-01 00:30', 'London time');
  t.equal(first![column('Category')], 'Arts and crafts');
  t.equal(first![column('Confidence change')], '-2', 'a negative number stays a number');
  t.equal(first![column('What would make referring easier')], `'${formulas[0]}`);
  t.notOk(response.body.includes(people[0]!.name), 'no names');
  t.notOk(response.body.includes(people[0]!.email), 'no email addresses');
  const practices = rows.map((r) => r[column('Practice')]).sort();
  t.strictSame(
    practices,
    formulas
      .slice(0, 5)
      .map((f) => `'${f}`)
      .sort(),
    'every formula-like practice is neutralised',
  );
  for (const row of rows) {
    for (const cell of row) t.notOk(/^[=+\-@\t\r]/.test(cell) && cell !== '-2', `no cell starts a formula: ${JSON.stringify(cell)}`);
  }
});

t.test('bookings, attendance and referrals exports, with the same filters', async (t) => {
  const bookingsCsv = parseCsv((await coordinator.visitor.get(`/reports/export.csv?kind=bookings&${period}`)).body.slice(1));
  t.equal(bookingsCsv.length, 7, 'header and six bookings');
  t.ok(bookingsCsv[0]!.includes('Booking status'));
  const attendance = parseCsv((await coordinator.visitor.get(`/reports/export.csv?kind=attendance&${period}`)).body.slice(1));
  t.equal(attendance.length, 7);
  t.strictSame(
    attendance
      .slice(1)
      .map((r) => r[attendance[0]!.indexOf('Attendance')])
      .sort(),
    ['Attended', 'Attended', 'Attended', 'Attended', 'Attended', 'Did not attend'],
  );
  const referrals = parseCsv((await coordinator.visitor.get(`/reports/export.csv?kind=referrals&${period}`)).body.slice(1));
  t.strictSame(
    referrals.map((r) => [r[1], r[9]]),
    [
      ['Month', 'People referred'],
      ['2028-04', '3'],
    ],
    'only months in the period',
  );
  const otherPcn = parseCsv((await coordinator.visitor.get(`/reports/export.csv?kind=bookings&${period}&pcn=Nowhere`)).body.slice(1));
  t.equal(otherPcn.length, 1, 'a filter that matches nothing gives just the headers');
  const march = parseCsv((await coordinator.visitor.get('/reports/export.csv?kind=bookings&from=2028-03-01&to=2028-03-31')).body.slice(1));
  t.equal(march.length, 1, '23:30 UTC on 31 March is April in London');
});

t.test('every export ends each record with CRLF, as RFC 4180 and Excel expect', async (t) => {
  for (const kind of ['feedback', 'bookings', 'attendance', 'referrals']) {
    const body = (await coordinator.visitor.get(`/reports/export.csv?kind=${kind}&${period}`)).body;
    t.ok(everyRecordEndsWithCrlf(body), `${kind}: every record ends with CRLF`);
  }
  // Line breaks inside a comment are data: they stay as typed, inside their quotes.
  const feedback = (await coordinator.visitor.get(`/reports/export.csv?kind=feedback&${period}`)).body;
  t.match(feedback, '"He said ""hi"", then\nleft, quickly"');
});

t.test('a bad export request gets the report form with a message, not a file', async (t) => {
  const unknown = await coordinator.visitor.get(`/reports/export.csv?kind=passwords&${period}`);
  t.equal(unknown.statusCode, 400);
  t.match(unknown.body, 'Choose bookings, attendance, feedback or referrals to download');
  t.notMatch(String(unknown.headers['content-type']), /csv/);
  const badDate = await coordinator.visitor.get('/reports/export.csv?kind=bookings&from=yesterday');
  t.equal(badDate.statusCode, 400);
});

t.test('a large export streams a page at a time with bounded memory', async (t) => {
  // 200,000 bookings on PostgreSQL (1,000 sessions × 200 people), fewer on the embedded database.
  const [sessions, perSession] = testDatabaseKind === 'postgres' ? [1000, 200] : [50, 100];
  const total = sessions * perSession;
  const bulkOffer = await createOffer(db, organisation.id, { title: 'Bulk', category: 'other' });
  // Generating this much can take longer than the app's 15-second statement limit on a busy
  // machine; tap's own time limit still stops a run that hangs.
  await db.transaction().execute(async (tx) => {
    await sql`set local statement_timeout = 0`.execute(tx);
    await sql`
      insert into users (email, name, role, practice, pcn, status)
      select 'bulk-' || g || '@nhs.net', 'Bulk ' || g, 'link_worker', 'Bulk Surgery', 'Bulk PCN', 'active'
      from generate_series(1, ${perSession}::int) g`.execute(tx);
    await sql`
      insert into taster_sessions (offer_id, is_online, joining_instructions, starts_at, ends_at, capacity, booking_closes_at, status, published_at)
      select ${bulkOffer.id}::uuid, true, 'Online', timestamptz '2033-01-01 10:00Z' + g * interval '1 hour', timestamptz '2033-01-01 11:00Z' + g * interval '1 hour',
        1000, timestamptz '2032-12-01 10:00Z', 'published', now()
      from generate_series(1, ${sessions}::int) g`.execute(tx);
    await sql`
      insert into bookings (taster_session_id, user_id, status, confirmed_at, attendance)
      select s.id, u.id, 'confirmed', now(), 'attended'
      from taster_sessions s cross join users u
      where s.offer_id = ${bulkOffer.id}::uuid and u.email like 'bulk-%'`.execute(tx);
  });
  await analyzeTestSchema(db);

  const f = reportQuery(new Date()).parse({ from: '2033-01-01', to: '2033-12-31' });
  const pageSize = 1000;
  const pages: number[] = [];
  // What stays reachable, not what waits for collection: measured after a full collection, ten
  // times along the way. Holding the rows would grow it by hundreds of megabytes at 200,000 rows.
  const sampleEvery = Math.max(1, Math.floor(total / pageSize / 10));
  gc();
  const baseline = process.memoryUsage().heapUsed;
  const retained: number[] = [];
  const onPage = (n: number) => {
    pages.push(n);
    if (pages.length % sampleEvery === 0) {
      gc();
      retained.push(process.memoryUsage().heapUsed - baseline);
    }
  };
  let lines = 0;
  let bytes = 0;
  for await (const chunk of exportCsv(db, 'bookings', f, { pageSize, onPage }) as AsyncIterable<string | Buffer>) {
    const text = String(chunk);
    bytes += text.length;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  }
  t.equal(lines, total + 1, `${total} rows and a header`);
  t.equal(pages.length, Math.floor(total / pageSize) + 1, 'fetched a page at a time (the last one empty)');
  t.ok(
    pages.every((n) => n <= pageSize),
    'no page larger than asked for',
  );
  const growthMb = Math.max(0, ...retained) / 1024 / 1024;
  t.ok(growthMb < 32, `memory held grew at most ${growthMb.toFixed(1)} MB while ${(bytes / 1024 / 1024).toFixed(1)} MB of CSV went by`);

  // No row is repeated or lost where one page ends and the next begins.
  const seen = new Set<string>();
  let count = 0;
  for await (const row of exportRows(db, 'bookings', f, { pageSize: 997 })) {
    seen.add(String(row.bookingId));
    if (++count === 5000) break;
  }
  t.equal(seen.size, Math.min(total, 5000), 'each row once across page boundaries');

  // Over real HTTP the response is streamed (chunked), not buffered with a length.
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const cookie = Object.entries(coordinator.visitor.cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  const response = await fetch(`http://127.0.0.1:${address.port}/reports/export.csv?kind=bookings&from=2033-01-01&to=2033-12-31`, { headers: { cookie } });
  t.equal(response.status, 200);
  t.equal(response.headers.get('transfer-encoding'), 'chunked');
  t.equal(response.headers.get('content-length'), null);
  let httpLines = 0;
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) httpLines++;
  }
  t.equal(httpLines, total + 1);
});
