import t from 'tap';
import * as pq from '../../src/reports/provider-queries.ts';
import * as q from '../../src/reports/queries.ts';
import { createBooking, createFeedback, createOffer, createOrganisation, createReferralReport, createSession, createUser } from '../fixtures/builders.ts';
import { HOSTILE } from '../fixtures/hostile.ts';
import { startedHoursAgo } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, heading } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const museum = await createOrganisation(db, { name: 'Riverside Museum' });
const other = await createOrganisation(db, { name: 'Elsewhere Gallery' });
const handling = await createOffer(db, museum.id, { title: 'Object handling' });
const drawing = await createOffer(db, museum.id, { title: 'Drawing in the galleries' });
const elsewhere = await createOffer(db, other.id, { title: 'Elsewhere painting' });
const staff = await signedIn(app, db, 'provider', { organisationId: museum.id });

/** One attended booking with feedback on a session of `offerId` that happened `daysAgo` days ago. */
async function response(
  offerId: string,
  daysAgo: number,
  feedback: Parameters<typeof createFeedback>[2],
  confidenceBefore: number | null = 4,
  name = 'Anonymous Person',
) {
  const session = await createSession(db, offerId, { ...startedHoursAgo(daysAgo * 24), capacity: 6 });
  const person = await createUser(db, 'link_worker', { name });
  const booking = await createBooking(db, session.id, person.id, { attendance: 'attended', confidenceBefore });
  await createFeedback(db, booking.id, feedback);
  return { session, person };
}

t.test('a group of fewer than 3 responses shows nothing, and says why', async (t) => {
  await response(handling.id, 10, { rating: 1, comments: 'Identifiable words from Ruth', referringEasier: 'A named contact' }, 2, 'Ruth Revealed');
  await response(handling.id, 9, { rating: 5, comments: 'Second person speaking' });
  const page = await staff.visitor.get('/provider/feedback');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Attendance and feedback');
  t.match(page.body, 'a figure or comment appears only when at least 3 people have answered');
  t.match(page.body, 'Fewer than 3 people have given feedback, so nothing more is shown to keep their answers anonymous.');
  t.match(page.body, '2 people gave feedback.');
  t.notMatch(page.body, 'Identifiable words from Ruth', 'no comment');
  t.notMatch(page.body, 'A named contact');
  t.notMatch(page.body, 'Average rating', 'no rating');
  t.notMatch(page.body, 'Ruth Revealed', 'no names, ever');
  t.same(await pq.offerComments(db, museum.id), { comments: [], easier: [] }, 'the query itself withholds the words of a small group');
});

t.test('from 3 responses: ratings, five As, confidence change and comments, without names', async (t) => {
  await response(handling.id, 8, { rating: 3, confidenceAfter: 9, comments: HOSTILE, accessible: null }, 5);
  const page = await staff.visitor.get('/provider/feedback');
  t.match(page.body, /Average rating<\/dt><dd class="nhsuk-summary-list__value">3\.0 out of 5/, '(1 + 5 + 3) / 3');
  t.match(page.body, /Confidence to refer<\/dt><dd class="nhsuk-summary-list__value">\+4\.0 points/, '(+5, +3, +4) / 3');
  t.match(page.body, /Accessible for patients<\/dt><dd class="nhsuk-summary-list__value">Not shown: fewer than 3 answers/, "a don't know leaves two answers");
  t.match(page.body, /Appropriate for patients<\/dt><dd class="nhsuk-summary-list__value">4\.0 out of 5/);
  t.match(page.body, 'Identifiable words from Ruth');
  t.match(page.body, /What would make referring easier \(1\)[\s\S]*A named contact/);
  t.notMatch(page.body, 'Ruth Revealed', 'still no names');
  t.notMatch(page.body, '<script>alert(1)</script>', 'hostile comments are escaped');
  t.match(page.body, '&lt;script&gt;alert(1)&lt;/script&gt;');
});

t.test('confidence change needs 3 people who answered before and after', async (t) => {
  for (const days of [7, 6, 5]) await response(drawing.id, days, { rating: 4, comments: days === 5 ? null : 'Same words' }, days === 7 ? 3 : null);
  const rows = await q.funnelBy(
    db,
    {
      from: '2020-01-01',
      to: '2099-12-31',
      start: new Date('2020-01-01'),
      end: new Date(),
      fromMonth: '2020-01-01',
      toMonth: '2099-12-01',
      organisationId: museum.id,
      kind: null,
      category: null,
      pcn: null,
    },
    'offer',
  );
  t.same(
    rows.map((r) => [r.label, r.feedbackCount, r.confidencePairs]),
    [
      ['Drawing in the galleries', 3, 1],
      ['Object handling', 3, 3],
    ],
  );
  const page = await staff.visitor.get('/provider/feedback');
  t.match(page.body, /Confidence to refer<\/dt><dd class="nhsuk-summary-list__value">Not shown: fewer than 3 people answered before and after/);
  t.match(page.body, /Same words <span class="nhsuk-body-s">\(2 people\)<\/span>/, 'the same words once, with how many wrote them');
});

t.test("only the provider's own organisation, and referrals to its offers", async (t) => {
  await response(elsewhere.id, 3, { rating: 2, comments: 'About the other gallery' });
  await response(elsewhere.id, 3, { rating: 2, comments: 'About the other gallery' });
  await response(elsewhere.id, 3, { rating: 2, comments: 'About the other gallery' });
  const worker = await createUser(db, 'link_worker');
  await createReferralReport(db, worker.id, handling.id, '2026-01', 3);
  await createReferralReport(db, null, handling.id, '2026-02', 1);
  await createReferralReport(db, worker.id, elsewhere.id, '2026-01', 40);
  const page = await staff.visitor.get('/provider/feedback');
  t.notMatch(page.body, 'Elsewhere painting');
  t.notMatch(page.body, 'About the other gallery');
  t.match(page.body, /<strong>Object handling<\/strong>: 4 people referred, recorded by 1 link worker/);
  t.notMatch(page.body, '40 people');
  t.match(page.body, /href="\/sessions\/[0-9a-f-]+\/register">Take the register/);

  const linkWorker = await signedIn(app, db, 'link_worker');
  t.equal((await linkWorker.visitor.get('/provider/feedback')).statusCode, 403);
  const coordinator = await signedIn(app, db, 'coordinator');
  t.equal((await coordinator.visitor.get('/provider/feedback')).statusCode, 403, 'coordinators use the reports instead');
});
