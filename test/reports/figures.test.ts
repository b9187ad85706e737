import t from 'tap';
import { lastFullQuarter, type ReportFilters, reportQuery } from '../../src/reports/filters.ts';
import * as q from '../../src/reports/queries.ts';
import { createBooking, createFeedback, createOffer, createOrganisation, createReferralReport, createSession, createUser } from '../fixtures/builders.ts';
import { HOSTILE } from '../fixtures/hostile.ts';
import { sessionAt } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading } from '../helper.ts';

/**
 * A small area built by hand, with every report figure worked out on paper first. The period is
 * March and April 2027; the clocks go forward on 28 March 2027, so a session at 00:30 on 1 April
 * (London) is 23:30 UTC on 31 March and must count in April.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const museum = await createOrganisation(db, { name: 'Riverside Museum', kind: 'museum' });
const arts = await createOrganisation(db, { name: 'Open Door Arts', kind: 'arts' });
const garden = await createOrganisation(db, { name: 'Botanic Garden', kind: 'garden' });
const handling = await createOffer(db, museum.id, { title: 'Object handling', category: 'heritage_museums' });
const singing = await createOffer(db, arts.id, { title: 'Singing for wellbeing', category: 'singing_music' });
const gardening = await createOffer(db, garden.id, { title: 'Gardening', category: 'gardening_nature' });

const lw = (name: string, pcn: string) => createUser(db, 'link_worker', { name, pcn, practice: `${name} Surgery` });
const dev = await lw('Dev', 'Central PCN');
const sam = await lw('Sam', 'East PCN');
const ana = await lw('Ana', 'Central PCN');
const walt = await lw('Walt', 'East PCN');
const nia = await lw('Nia', 'North PCN');
const zed = await lw('Zed', 'Central PCN');

// In the period.
const s1 = await createSession(db, handling.id, { ...sessionAt('2027-03-10T14:00:00Z'), capacity: 4 });
const s2 = await createSession(db, singing.id, { ...sessionAt('2027-03-31T23:30:00Z'), capacity: 2 }); // 00:30 BST, 1 April
await createSession(db, singing.id, { ...sessionAt('2027-04-30T22:30:00Z', 0.5), capacity: 3 }); // 23:30 BST, 30 April
// Not in the period.
const s3 = await createSession(db, handling.id, { ...sessionAt('2027-04-20T10:00:00Z'), capacity: 5, status: 'cancelled' });
const s4 = await createSession(db, gardening.id, { ...sessionAt('2027-02-28T23:30:00Z'), capacity: 10 }); // 23:30 GMT, 28 February
const s6 = await createSession(db, handling.id, { ...sessionAt('2027-04-30T23:30:00Z'), capacity: 7 }); // 00:30 BST, 1 May
await createSession(db, handling.id, { ...sessionAt('2027-04-05T10:00:00Z'), capacity: 9, status: 'draft' });

const b = (session: { id: string }, who: { id: string }, options: Parameters<typeof createBooking>[3] = {}) => createBooking(db, session.id, who.id, options);
const devS1 = await b(s1, dev, { attendance: 'attended', confidenceBefore: 3 });
const samS1 = await b(s1, sam, { attendance: 'attended', confidenceBefore: 5 });
await b(s1, ana, { attendance: 'no_show', confidenceBefore: 4 });
await b(s1, zed, { status: 'waitlisted' });
await b(s1, walt, { attendance: 'attended', isWalkIn: true });
await b(s1, nia, { status: 'cancelled' });
const anaS2 = await b(s2, ana, { attendance: 'attended' });
await b(s2, dev);
await b(s2, sam, { status: 'cancelled', waited: true }); // left the waiting list without a place
await b(s3, dev, { attendance: 'attended' });
await b(s4, nia, { attendance: 'attended' });
await b(s6, sam, { attendance: 'attended' });

await createFeedback(db, devS1.id, {
  confidenceAfter: 8,
  rating: 5,
  accessible: 5,
  appropriate: 4,
  adequate: 4,
  affordable: 2,
  available: null,
  intendsToRefer: 'yes',
});
await createFeedback(db, samS1.id, {
  confidenceAfter: 6,
  rating: 4,
  accessible: 4,
  appropriate: 4,
  adequate: 4,
  affordable: null,
  available: 4,
  intendsToRefer: 'maybe',
});
await createFeedback(db, anaS2.id, {
  confidenceAfter: 7,
  rating: 3,
  accessible: 3,
  appropriate: 3,
  adequate: 3,
  affordable: 3,
  available: 3,
  intendsToRefer: 'no',
});

await createReferralReport(db, dev.id, handling.id, '2027-03', 2);
await createReferralReport(db, dev.id, handling.id, '2027-05', 1); // after the period, still after the taster
await createReferralReport(db, dev.id, handling.id, '2027-02', 4); // before the taster: not one it led to
await createReferralReport(db, sam.id, singing.id, '2027-04', 5); // never tried singing
await createReferralReport(db, ana.id, singing.id, '2027-04', 1);
await createReferralReport(db, walt.id, handling.id, '2027-03', 2); // a walk-in who went on to refer

const now = new Date('2027-06-15T12:00:00Z');
const filters = (query: Record<string, string> = {}): ReportFilters => reportQuery(now).parse({ from: '2027-03-01', to: '2027-04-30', ...query });

const picked = (row: q.FunnelRow | undefined, keys: Array<keyof q.FunnelRow>) => Object.fromEntries(keys.map((k) => [k, row?.[k]]));
const funnelKeys: Array<keyof q.FunnelRow> = [
  'sessions',
  'placesOffered',
  'booked',
  'attended',
  'walkIns',
  'noShows',
  'attendanceRecorded',
  'waitingDemand',
  'attendees',
  'feedbackCount',
  'avgConfidenceChange',
  'confidencePairs',
  'referrers',
  'referrals',
  'fillRate',
  'noShowRate',
];

t.test('the period is whole London days, and the default is the last full quarter', async (t) => {
  const f = filters();
  t.equal(f.start.toISOString(), '2027-03-01T00:00:00.000Z', 'midnight GMT');
  t.equal(f.end.toISOString(), '2027-04-30T23:00:00.000Z', 'midnight BST after 30 April');
  t.strictSame(lastFullQuarter(now), { from: '2027-01-01', to: '2027-03-31' });
  t.strictSame(lastFullQuarter(new Date('2027-01-01T00:30:00Z')), { from: '2026-10-01', to: '2026-12-31' });
  const parsed = reportQuery(now).parse({});
  t.strictSame([parsed.from, parsed.to], ['2027-01-01', '2027-03-31']);
});

t.test('the funnel for the whole period', async (t) => {
  const [total, ...none] = await q.funnelBy(db, filters(), 'total');
  t.strictSame(none, []);
  t.strictSame(picked(total, funnelKeys), {
    sessions: 3,
    placesOffered: 9,
    booked: 5,
    attended: 4,
    walkIns: 1,
    noShows: 1,
    attendanceRecorded: 4,
    waitingDemand: 2,
    attendees: 4,
    feedbackCount: 3,
    avgConfidenceChange: 3,
    confidencePairs: 2,
    referrers: 3,
    referrals: 6,
    fillRate: 5 / 9,
    noShowRate: 0.25,
  });
  t.strictSame(
    picked(total, [
      'avgRating',
      'avgAccessible',
      'avgAppropriate',
      'avgAdequate',
      'avgAffordable',
      'avgAvailable',
      'answersAffordable',
      'answersAvailable',
      'avgConfidenceBefore',
      'avgConfidenceAfter',
      'intendYes',
      'intendMaybe',
      'intendNo',
    ]),
    {
      avgRating: 4,
      avgAccessible: 4,
      avgAppropriate: 11 / 3,
      avgAdequate: 11 / 3,
      avgAffordable: 2.5,
      avgAvailable: 3.5,
      answersAffordable: 2,
      answersAvailable: 2,
      avgConfidenceBefore: 4,
      avgConfidenceAfter: 7,
      intendYes: 1,
      intendMaybe: 1,
      intendNo: 1,
    },
  );
  // Dev's May referral is after the period and after his taster: in the funnel, so in the whole too.
  t.strictSame(await q.referralsRecordedSincePeriodStart(db, filters()), { referrals: 11, linkWorkers: 4 });
});

t.test('by month: London months, across the clock change', async (t) => {
  const rows = await q.funnelBy(db, filters(), 'month');
  t.strictSame(
    rows.map((r) => r.key),
    ['2027-03', '2027-04'],
  );
  t.strictSame(picked(rows[0], funnelKeys), {
    sessions: 1,
    placesOffered: 4,
    booked: 3,
    attended: 3,
    walkIns: 1,
    noShows: 1,
    attendanceRecorded: 3,
    waitingDemand: 1,
    attendees: 3,
    feedbackCount: 2,
    avgConfidenceChange: 3,
    confidencePairs: 2,
    referrers: 2,
    referrals: 5,
    fillRate: 0.75,
    noShowRate: 1 / 3,
  });
  t.strictSame(picked(rows[1], funnelKeys), {
    sessions: 2,
    placesOffered: 5,
    booked: 2,
    attended: 1,
    walkIns: 0,
    noShows: 0,
    attendanceRecorded: 1,
    waitingDemand: 1,
    attendees: 1,
    feedbackCount: 1,
    avgConfidenceChange: null,
    confidencePairs: 0,
    referrers: 1,
    referrals: 1,
    fillRate: 0.4,
    noShowRate: 0,
  });
});

t.test('by organisation, category and PCN', async (t) => {
  const organisations = await q.funnelBy(db, filters(), 'organisation');
  t.strictSame(
    organisations.map((r) => [r.label, r.placesOffered, r.booked, r.attended, r.feedbackCount, r.avgRating, r.referrers, r.referrals]),
    [
      ['Open Door Arts', 5, 2, 1, 1, 3, 1, 1],
      ['Riverside Museum', 4, 3, 3, 2, 4.5, 2, 5],
    ],
  );
  const categories = await q.funnelBy(db, filters(), 'category');
  t.strictSame(
    categories.map((r) => [r.key, r.placesOffered, r.booked, r.attended]),
    [
      ['heritage_museums', 4, 3, 3],
      ['singing_music', 5, 2, 1],
    ],
  );
  const pcns = await q.funnelBy(db, filters(), 'pcn');
  t.strictSame(
    pcns.map((r) => r.label),
    ['Central PCN', 'East PCN', 'North PCN'],
  );
  t.strictSame(picked(pcns[0], funnelKeys), {
    sessions: null,
    placesOffered: null,
    booked: 4,
    attended: 2,
    walkIns: 0,
    noShows: 1,
    attendanceRecorded: 3,
    waitingDemand: 1,
    attendees: 2,
    feedbackCount: 2,
    avgConfidenceChange: 5,
    confidencePairs: 1,
    referrers: 2,
    referrals: 4,
    fillRate: null,
    noShowRate: 1 / 3,
  });
  t.strictSame(picked(pcns[1], funnelKeys), {
    sessions: null,
    placesOffered: null,
    booked: 1,
    attended: 2,
    walkIns: 1,
    noShows: 0,
    attendanceRecorded: 1,
    waitingDemand: 1,
    attendees: 2,
    feedbackCount: 1,
    avgConfidenceChange: 1,
    confidencePairs: 1,
    referrers: 1,
    referrals: 2,
    fillRate: null,
    noShowRate: 0,
  });
  t.strictSame(
    picked(pcns[2], ['booked', 'attended', 'waitingDemand', 'referrals']),
    { booked: 0, attended: 0, waitingDemand: 0, referrals: 0 },
    'a cancelled booking only',
  );
});

t.test('filters narrow every figure', async (t) => {
  const byOrganisation = (await q.funnelBy(db, filters({ organisation: arts.id }), 'total'))[0];
  t.strictSame(picked(byOrganisation, ['sessions', 'placesOffered', 'booked', 'attended', 'referrers', 'referrals']), {
    sessions: 2,
    placesOffered: 5,
    booked: 2,
    attended: 1,
    referrers: 1,
    referrals: 1,
  });
  t.strictSame(await q.referralsRecordedSincePeriodStart(db, filters({ organisation: arts.id })), { referrals: 6, linkWorkers: 2 });
  const byKind = (await q.funnelBy(db, filters({ organisationKind: 'museum' }), 'total'))[0];
  t.strictSame(picked(byKind, ['placesOffered', 'booked', 'attended', 'referrals']), { placesOffered: 4, booked: 3, attended: 3, referrals: 5 });
  const byCategory = (await q.funnelBy(db, filters({ category: 'singing_music' }), 'total'))[0];
  t.strictSame(picked(byCategory, ['placesOffered', 'booked', 'attended']), { placesOffered: 5, booked: 2, attended: 1 });
  const byPcn = (await q.funnelBy(db, filters({ pcn: 'East PCN' }), 'total'))[0];
  t.strictSame(
    picked(byPcn, ['placesOffered', 'booked', 'attended', 'walkIns', 'feedbackCount', 'referrers', 'referrals', 'fillRate']),
    {
      placesOffered: 9,
      booked: 1,
      attended: 2,
      walkIns: 1,
      feedbackCount: 1,
      referrers: 1,
      referrals: 2,
      fillRate: 1 / 9,
    },
    'places stay; people narrow',
  );
  t.strictSame(await q.pcnsWithoutAttendance(db, filters({ pcn: 'East PCN' })), []);
  t.strictSame(await q.categoriesWithSessions(db, filters({ organisationKind: 'garden' })), []);
});

t.test('coverage: PCNs that attended nothing, categories with no session', async (t) => {
  t.strictSame(await q.pcnsWithoutAttendance(db, filters()), [{ pcn: 'North PCN', linkWorkers: 1 }], 'North attended only in February');
  t.strictSame((await q.categoriesWithSessions(db, filters())).sort(), ['heritage_museums', 'singing_music']);
});

t.test('an empty period: zeros, and no rate or average rather than a division by zero', async (t) => {
  const empty = filters({ from: '2031-01-01', to: '2031-03-31' });
  t.strictSame(await q.funnelBy(db, empty, 'total'), []);
  t.strictSame(await q.funnelBy(db, empty, 'month'), []);
  t.strictSame(await q.funnelBy(db, empty, 'pcn'), []);
  t.strictSame(await q.referralsRecordedSincePeriodStart(db, empty), { referrals: 0, linkWorkers: 0 });
  t.strictSame(
    (await q.pcnsWithoutAttendance(db, empty)).map((p) => p.pcn),
    ['Central PCN', 'East PCN', 'North PCN'],
  );
  t.strictSame(await q.categoriesWithSessions(db, empty), []);
  const zero = q.emptyFunnelRow('all', 'All');
  t.strictSame([zero.fillRate, zero.noShowRate, zero.avgRating, zero.placesOffered], [null, null, null, 0]);
});

t.test('the report page shows the figures as charts with tables, for coordinators only', async (t) => {
  const app = await buildTestApp(t, database);
  const coordinator = await signedIn(app, db, 'coordinator');
  const page = await coordinator.visitor.get('/reports?from=2027-03-01&to=2027-04-30');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Reports');
  t.match(page.body, 'Taster sessions starting from 1 March 2027 to 30 April 2027');
  t.match(page.body, /Fill rate<\/dt><dd class="nhsuk-summary-list__value">56%/);
  t.match(page.body, /No-show rate<\/dt><dd class="nhsuk-summary-list__value">25%/);
  t.match(page.body, /Average confidence change<\/dt><dd class="nhsuk-summary-list__value">\+3\.0/);
  t.match(page.body, /<svg[^>]*role="img"[^>]*aria-labelledby="chart-funnel-title chart-funnel-desc"/);
  t.match(page.body, /<desc id="chart-funnel-desc">Places offered: people or places 9; Booked: people or places 5; Attended: people or places 4;/);
  t.match(page.body, /<th scope="row" class="nhsuk-table__header">Referrals reported<\/th><td class="nhsuk-table__cell nhsuk-table__cell--numeric">6<\/td>/);
  t.match(page.body, /March 2027[\s\S]*April 2027/, 'months in order');
  t.match(page.body, /North PCN \(1 link worker\)/);
  t.match(page.body, 'Gardening and nature', 'a category with no session');
  t.match(page.body, /href="\/reports\/export.csv\?kind=feedback&amp;from=2027-03-01&amp;to=2027-04-30"/);

  const empty = await coordinator.visitor.get('/reports?from=2031-01-01&to=2031-03-31');
  t.equal(empty.statusCode, 200);
  t.match(empty.body, /Fill rate<\/dt><dd class="nhsuk-summary-list__value">Not applicable/);
  t.match(empty.body, /January 2031[\s\S]*February 2031[\s\S]*March 2031/, 'every month has a row');

  const wrong = await coordinator.visitor.get('/reports?from=2027-04-31&to=2027-03-01&category=knitting');
  t.equal(wrong.statusCode, 400);
  t.strictSame(errorSummary(wrong.body), ['from: Enter the start date as a real date, like 1 January 2027', 'category: Select a category from the list']);
  const backwards = await coordinator.visitor.get('/reports?from=2027-04-30&to=2027-03-01');
  t.strictSame(errorSummary(backwards.body), ['to: The end date must be the same as or after the start date']);

  const provider = await signedIn(app, db, 'provider', { organisationId: museum.id });
  t.equal((await provider.visitor.get('/reports')).statusCode, 403);
  t.equal((await provider.visitor.get('/reports/export.csv?kind=bookings')).statusCode, 403);
});

t.test('hostile names of organisations, offers and PCNs show as text on the report', async (t) => {
  const app = await buildTestApp(t, database);
  const coordinator = await signedIn(app, db, 'coordinator');
  const organisation = await createOrganisation(db, { name: HOSTILE });
  const offer = await createOffer(db, organisation.id, { title: HOSTILE, category: 'other' });
  const session = await createSession(db, offer.id, { ...sessionAt('2029-05-05T10:00:00Z'), capacity: 3 });
  const person = await lw(HOSTILE, HOSTILE);
  await b(session, person, { attendance: 'attended' });
  const page = await coordinator.visitor.get('/reports?from=2029-05-01&to=2029-05-31');
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, '<script>alert(1)</script>');
  t.notMatch(page.body, '<img src=x');
  t.notMatch(page.body, '<div hx-get="/x"');
  t.match(page.body, '&lt;script&gt;alert(1)&lt;/script&gt;');
  const pcnFiltered = await coordinator.visitor.get(`/reports?from=2029-05-01&to=2029-05-31&pcn=${encodeURIComponent(HOSTILE)}`);
  t.equal(pcnFiltered.statusCode, 200);
  t.notMatch(pcnFiltered.body, '<script>alert(1)</script>');
  t.match(pcnFiltered.body, /<option value="&lt;script&gt;[^"]*" selected>/, 'the chosen PCN stays chosen, escaped');
});

t.test("the funnel's referrals are part of all referrals recorded: the whole counts the same months", async (t) => {
  // A taster in November 2029 whose referrals were recorded for November and, later, January.
  // Counting only November for "all referrals" gave 3 against the funnel's 5: a part bigger than its whole.
  const offer = await createOffer(db, museum.id, { title: 'Printmaking', category: 'arts_crafts' });
  const session = await createSession(db, offer.id, { ...sessionAt('2029-11-20T14:00:00Z'), capacity: 4 });
  const kit = await lw('Kit', 'Central PCN');
  const lou = await lw('Lou', 'East PCN');
  await b(session, kit, { attendance: 'attended' });
  await createReferralReport(db, kit.id, offer.id, '2029-11', 1);
  await createReferralReport(db, kit.id, offer.id, '2030-01', 4); // after the period, still after the taster
  await createReferralReport(db, lou.id, offer.id, '2029-11', 2); // never tried it
  await createReferralReport(db, lou.id, offer.id, '2029-10', 8); // before the period: in neither figure
  const november = filters({ from: '2029-11-01', to: '2029-11-30' });
  const [total] = await q.funnelBy(db, november, 'total');
  t.strictSame(picked(total, ['referrers', 'referrals']), { referrers: 1, referrals: 5 });
  const all = await q.referralsRecordedSincePeriodStart(db, november);
  t.strictSame(all, { referrals: 7, linkWorkers: 2 });
  t.ok(all.referrals >= total!.referrals, 'the whole is at least its part');

  const app = await buildTestApp(t, database);
  const coordinator = await signedIn(app, db, 'coordinator');
  const page = await coordinator.visitor.get('/reports?from=2029-11-01&to=2029-11-30');
  t.match(page.body, /<th scope="row" class="nhsuk-table__header">Referrals reported<\/th><td class="nhsuk-table__cell nhsuk-table__cell--numeric">5<\/td>/);
  t.match(page.body, /All referrals recorded from November 2029 on<\/dt><dd class="nhsuk-summary-list__value">7 /);
});
