import { readFile } from 'node:fs/promises';
import t from 'tap';
import { createBooking, createTaster, createUser } from '../fixtures/builders.ts';
import { everyRecordEndsWithCrlf } from '../fixtures/csv.ts';
import { at } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, decodeHtml, heading } from '../helper.ts';

/** The attendee list to print and the bookings as CSV, for the session's own provider staff and coordinators. */
const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());
const app = await buildTestApp(t, database);

const taster = await createTaster(db, { title: 'Clay and conversation', capacity: 2, startsAt: at(6, 14) });
const ada = await createUser(db, 'link_worker', { name: 'Ada Zephyr', practice: 'Banbury Cross Surgery', pcn: 'Banbury PCN' });
const ben = await createUser(db, 'link_worker', { name: '=HYPERLINK("http://evil.example")', practice: 'Hill View', pcn: 'North PCN' });
const cleo = await createUser(db, 'link_worker', { name: 'Cleo Waiting', practice: 'Far Surgery', pcn: 'South PCN' });
const dan = await createUser(db, 'link_worker', { name: 'Dan Cancelled' });
await createBooking(db, taster.sessionId, ada.id, { at: at(-2, 10) });
await createBooking(db, taster.sessionId, ben.id, { at: at(-1, 10) });
await createBooking(db, taster.sessionId, cleo.id, { status: 'waitlisted' });
await createBooking(db, taster.sessionId, dan.id, { status: 'cancelled' });

const { visitor: staff } = await signedIn(app, db, 'provider', { organisationId: taster.organisationId });

t.test('the attendee list shows the names and practices of the people with a place, and nothing else', async (t) => {
  const page = await staff.get(`/sessions/${taster.sessionId}/attendees`);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Attendee list: Clay and conversation');
  const rows = [
    ...page.body.matchAll(/<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">([^<]*)<\/td><td class="nhsuk-table__cell">([^<]*)<\/td><\/tr>/g),
  ].map((m) => [decodeHtml(m[1]!), decodeHtml(m[2]!)]);
  t.same(rows, [
    ['=HYPERLINK("http://evil.example")', 'Hill View, North PCN'],
    ['Ada Zephyr', 'Banbury Cross Surgery, Banbury PCN'],
  ]);
  t.notMatch(page.body, /Cleo Waiting/, 'nobody on the waiting list');
  t.notMatch(page.body, /Dan Cancelled/, 'nobody who cancelled');
  t.notMatch(page.body, /@nhs\.net/, 'no email addresses');
  t.match(page.body, /class="tasters-print-sheet"/);
  const css = await readFile(new URL('../../static/app.css', import.meta.url), 'utf8');
  t.match(css, /@media print \{[^}]*\.nhsuk-header, \.nhsuk-footer/, 'printing leaves out the header and footer');

  const bookings = await staff.get(`/sessions/${taster.sessionId}/bookings`);
  t.match(bookings.body, new RegExp(`href="/sessions/${taster.sessionId}/attendees"`), 'linked from who has booked');
  t.match(bookings.body, new RegExp(`href="/sessions/${taster.sessionId}/bookings.csv" download`));
});

t.test('the bookings as CSV: a byte-order mark, CRLF, every live booking, formulas neutralised', async (t) => {
  const response = await staff.get(`/sessions/${taster.sessionId}/bookings.csv`);
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-type'], /^text\/csv; charset=utf-8/);
  t.match(response.headers['content-disposition'], /^attachment; filename="bookings-clay-and-conversation-\d{4}-\d{2}-\d{2}\.csv"$/);
  t.equal(response.headers['cache-control'], 'no-store');
  t.ok(response.body.startsWith('\uFEFF'), 'byte-order mark');
  t.ok(everyRecordEndsWithCrlf(response.body), 'every record ends with CRLF');
  const lines = response.body
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n');
  t.equal(lines[0], 'Status,Waiting list position,Name,Email,Practice,PCN,Booked or joined the waiting list,From the waiting list,Walk-in,Attendance');
  t.equal(lines.length, 4, 'header, two places and one waiting; the cancelled booking is left out');
  t.match(lines[1], new RegExp(`^Has a place,,Ada Zephyr,${ada.email},Banbury Cross Surgery,Banbury PCN,\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2},no,no,$`));
  t.match(lines[2], /^Has a place,,"'=HYPERLINK\(""http:\/\/evil\.example""\)",/, 'a formula is written as text');
  t.match(lines[3], new RegExp(`^Waiting,1,Cleo Waiting,${cleo.email},Far Surgery,South PCN,`));
});

t.test('only the organisation’s own staff and coordinators get them', async (t) => {
  const { visitor: coordinator } = await signedIn(app, db, 'coordinator');
  const { visitor: otherStaff } = await signedIn(app, db, 'provider');
  const { visitor: linkWorker } = await signedIn(app, db, ada);
  for (const path of ['attendees', 'bookings.csv']) {
    t.equal((await coordinator.get(`/sessions/${taster.sessionId}/${path}`)).statusCode, 200, `coordinator: ${path}`);
    t.equal((await otherStaff.get(`/sessions/${taster.sessionId}/${path}`)).statusCode, 404, `another organisation: ${path}`);
    t.equal((await linkWorker.get(`/sessions/${taster.sessionId}/${path}`)).statusCode, 403, `link worker: ${path}`);
  }
});
