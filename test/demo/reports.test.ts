import t from 'tap';
import { DEMO_PASSWORD, seedDemoData } from '../../src/demo/seed.ts';
import { reportQuery } from '../../src/reports/filters.ts';
import * as q from '../../src/reports/queries.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
t.equal(await seedDemoData(db), true);

t.test('on first start the default report tells a story', async (t) => {
  const f = reportQuery(new Date()).parse({});
  const [total] = await q.funnelBy(db, f, 'total');
  t.ok(total, 'figures for the last full quarter');
  t.ok(total!.placesOffered! > 100, `${total!.placesOffered} places offered`);
  t.ok(total!.booked > 0 && total!.booked < total!.placesOffered!, 'some places booked, not all');
  t.ok(total!.attended > 0 && total!.noShows > 0, 'people came, and some did not');
  t.ok(total!.feedbackCount > 0 && total!.avgRating !== null, 'feedback given');
  t.ok(total!.avgConfidenceChange !== null && total!.avgConfidenceChange > 0, 'confidence went up');
  t.ok(total!.referrers > 0 && total!.referrals > 0, 'link workers went on to refer');
  t.ok(total!.waitingDemand > 0, 'some waited and never got a place');
  t.same(
    (await q.pcnsWithoutAttendance(db, f)).map((p) => p.pcn),
    ['Banbury PCN'],
    'one PCN to follow up',
  );
  t.notOk((await q.categoriesWithSessions(db, f)).includes('gardening_nature'), 'and no gardening tasters last quarter');
});

t.test('the demo people see their side of it', async (t) => {
  const app = await buildTestApp(t, database);
  const dev = new Visitor(app);
  await dev.signIn('dev.linkworker@nhs.net', DEMO_PASSWORD);
  const record = await dev.get('/my-record');
  t.equal(heading(record.body), 'My record of tasters');
  t.match(record.body, /You attended \d+ tasters?/);
  const amira = new Visitor(app);
  await amira.signIn('amira@riverside-museum.example.org', DEMO_PASSWORD);
  const feedback = await amira.get('/provider/feedback');
  t.match(feedback.body, /Average rating<\/dt>/, 'enough feedback to show figures');
  const helen = new Visitor(app);
  await helen.signIn('helen.coordinator@nhs.net', DEMO_PASSWORD);
  const report = await helen.get('/reports');
  t.equal(report.statusCode, 200);
  t.match(report.body, 'Banbury PCN');
});
