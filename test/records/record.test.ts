import t from 'tap';
import { createBooking, createOffer, createOrganisation, createSession, createUser } from '../fixtures/builders.ts';
import { everyRecordEndsWithCrlf } from '../fixtures/csv.ts';
import { HOSTILE } from '../fixtures/hostile.ts';
import { sessionAt } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, heading } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

t.test('a link worker sees and downloads the tasters they attended, with hours', async (t) => {
  const museum = await createOrganisation(db, { name: 'Riverside Museum' });
  const arts = await createOrganisation(db, { name: HOSTILE });
  const handling = await createOffer(db, museum.id, { title: 'Object handling', category: 'heritage_museums' });
  const singing = await createOffer(db, arts.id, { title: '=SUM(A1:A9)', category: 'singing_music' });
  const { visitor, user } = await signedIn(app, db, 'link_worker', { name: 'Dev Sharma' });
  const someoneElse = await createUser(db, 'link_worker');

  const s1 = await createSession(db, handling.id, { ...sessionAt('2027-03-10T14:00:00Z', 1.5), capacity: 5 });
  const s2 = await createSession(db, singing.id, { ...sessionAt('2027-03-31T23:30:00Z', 2), capacity: 5 }); // 00:30 BST, 1 April
  const s3 = await createSession(db, handling.id, { ...sessionAt('2027-05-10T14:00:00Z'), capacity: 5 });
  const attended = await createBooking(db, s1.id, user.id, { attendance: 'attended' });
  await createBooking(db, s2.id, user.id, { attendance: 'attended', isWalkIn: true });
  await createBooking(db, s3.id, user.id, { attendance: 'no_show' });
  await createBooking(db, s3.id, someoneElse.id, { attendance: 'attended' });

  const page = await visitor.get('/my-record');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'My record of tasters');
  t.match(page.body, 'You attended 2 tasters: 3.5 hours in all.');
  t.match(page.body, /Object handling[\s\S]*=SUM\(A1:A9\)/, 'oldest first');
  t.match(page.body, `href="/bookings/${attended.id}/feedback"`, 'a way to give feedback on each');
  t.notMatch(page.body, '<script>alert(1)</script>');
  t.match(page.body, '&lt;script&gt;alert(1)&lt;/script&gt;');

  const csv = await visitor.get('/my-record.csv');
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  t.equal(csv.headers['cache-control'], 'no-store');
  t.match(csv.headers['content-disposition'], /^attachment; filename="tasters-record-dev-sharma-\d{4}-\d{2}-\d{2}\.csv"$/);
  t.ok(everyRecordEndsWithCrlf(csv.body), 'every record ends with CRLF');
  const lines = csv.body
    .replace(/^\uFEFF/, '')
    .replace(/\r\n$/, '')
    .split('\r\n');
  t.strictSame(lines, [
    'Date,Start,End,Activity,Category,Organisation,Place,Hours',
    '2027-03-10,14:00,15:30,Object handling,Heritage and museums,Riverside Museum,Online,1.5',
    `2027-04-01,00:30,02:30,'=SUM(A1:A9),Singing and music,"<script>alert(1)</script>""><img src=x onerror=alert(2)><div hx-get=""/x"" hx-trigger=""load"">",Online,2`,
  ]);
});

t.test('an empty record says so, and only link workers have one', async (t) => {
  const { visitor } = await signedIn(app, db, 'link_worker');
  const page = await visitor.get('/my-record');
  t.match(page.body, 'You have not attended any tasters yet.');
  const csv = await visitor.get('/my-record.csv');
  t.strictSame(
    csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n'),
    ['Date,Start,End,Activity,Category,Organisation,Place,Hours'],
  );
  const provider = await signedIn(app, db, 'provider');
  t.equal((await provider.visitor.get('/my-record')).statusCode, 403);
  t.equal((await provider.visitor.get('/my-record.csv')).statusCode, 403);
});
