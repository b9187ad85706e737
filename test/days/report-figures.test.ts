import t from 'tap';
import { exportDefinitions, exportRows } from '../../src/reports/export.ts';
import { type ReportFilters, reportQuery } from '../../src/reports/filters.ts';
import * as q from '../../src/reports/queries.ts';
import { createBooking, createFeedback, createOffer, createOrganisation, createReferralReport, createSession, createUser } from '../fixtures/builders.ts';
import { createDay } from '../fixtures/days.ts';
import { createDayFeedback, createDayRegistration } from '../fixtures/days-after.ts';
import { sessionAt } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase } from '../helper.ts';

/**
 * A day's tasters count in every report, beside sessions. A small area built by hand for May 2027,
 * every figure worked out on paper first: one session, and a day whose afternoon slot has three
 * tasters (two behind offers, one not linked to an offer). Cultural-sector staff who try a taster
 * are counted on the day's own report, not here: these reports are about link workers.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

const arts = await createOrganisation(db, { name: 'Open Door Arts', kind: 'arts' });
const museum = await createOrganisation(db, { name: 'Riverside Museum', kind: 'museum' });
const paper = await createOrganisation(db, { name: 'Paper Folk', kind: 'community' });
const singing = await createOffer(db, arts.id, { title: 'Singing for wellbeing', category: 'singing_music' });
const handling = await createOffer(db, museum.id, { title: 'Object handling', category: 'heritage_museums' });

const lw = (name: string, pcn: string) => createUser(db, 'link_worker', { name, pcn });
const dev = await lw('Dev', 'Central PCN');
const sam = await lw('Sam', 'East PCN');
const ana = await lw('Ana', 'Central PCN');
const nia = await lw('Nia', 'North PCN');
const zed = await lw('Zed', 'East PCN');
const walt = await lw('Walt', 'North PCN');
const curator = await createUser(db, 'provider', { organisationId: museum.id });

// The session: 4 places, Dev attended, Sam did not come.
const session = await createSession(db, singing.id, { ...sessionAt('2027-05-05T13:00:00Z'), capacity: 4 });
const devSession = await createBooking(db, session.id, dev.id, { attendance: 'attended', confidenceBefore: 3 });
await createBooking(db, session.id, sam.id, { attendance: 'no_show', confidenceBefore: 6 });
await createFeedback(db, devSession.id, { confidenceAfter: 7, rating: 4, accessible: 4, appropriate: null, intendsToRefer: 'yes' });

// The day, 20 May 2027 from 9:30 BST; its slot starts at 13:30 BST. Tasters of 10, 5 and 6 places.
const day = await createDay(db, { startsAt: new Date('2027-05-20T08:30:00Z'), tasterPlaces: [10, 5, 6] });
const [singingTaster, handlingTaster, origamiTaster] = day.tasters as [(typeof day.tasters)[0], (typeof day.tasters)[0], (typeof day.tasters)[0]];
await db.updateTable('dayTasters').set({ organisationId: arts.id, offerId: singing.id, title: 'Singing taster' }).where('id', '=', singingTaster.id).execute();
await db
  .updateTable('dayTasters')
  .set({ organisationId: museum.id, offerId: handling.id, title: 'Handling taster' })
  .where('id', '=', handlingTaster.id)
  .execute();
await db.updateTable('dayTasters').set({ organisationId: paper.id, offerId: null, title: 'Origami taster' }).where('id', '=', origamiTaster.id).execute();

const slot = day.slotId;
const anaDay = await createDayRegistration(db, day.id, ana.id, {
  attendance: 'attended',
  choices: [{ tasterId: singingTaster.id, slotId: slot, attendance: 'attended' }],
});
await createDayRegistration(db, day.id, nia.id, { attendance: 'no_show', choices: [{ tasterId: singingTaster.id, slotId: slot, attendance: 'no_show' }] });
const zedDay = await createDayRegistration(db, day.id, zed.id, {
  attendance: 'attended',
  choices: [{ tasterId: handlingTaster.id, slotId: slot, attendance: 'attended' }],
});
await createDayRegistration(db, day.id, walt.id, { attendance: 'attended', choices: [{ tasterId: origamiTaster.id, slotId: slot, attendance: 'attended' }] });
// Dev waited for the handling taster and never got a place.
await createDayRegistration(db, day.id, dev.id, { attendance: 'attended', choices: [{ tasterId: handlingTaster.id, slotId: slot, status: 'waitlisted' }] });
// A museum curator tried the singing taster: counted on the day's report, not in these.
await createDayRegistration(db, day.id, curator.id, {
  audience: 'cultural',
  attendance: 'attended',
  choices: [{ tasterId: singingTaster.id, slotId: slot, attendance: 'attended' }],
});

await createDayFeedback(db, anaDay.id, anaDay.choiceIds[0]!, {
  confidenceBefore: 2,
  confidenceAfter: 8,
  rating: 5,
  accessible: 5,
  appropriate: 4,
  intendsToRefer: 'yes',
});
await createDayFeedback(db, zedDay.id, zedDay.choiceIds[0]!, { confidenceBefore: 4, confidenceAfter: 5, rating: 3, accessible: null, intendsToRefer: 'maybe' });
// Feedback on the day as a whole is not a taster's: the day's report shows it.
await createDayFeedback(db, anaDay.id, null, { confidenceBefore: 1, confidenceAfter: 9, rating: 2 });

// Referrals: Dev and Ana to singing after trying it; Zed to handling only before the day.
await createReferralReport(db, dev.id, singing.id, '2027-05', 1);
await createReferralReport(db, ana.id, singing.id, '2027-06', 3);
await createReferralReport(db, zed.id, handling.id, '2027-04', 2);

function filters(extra: Record<string, string> = {}): ReportFilters {
  const parsed = reportQuery(new Date('2027-07-01T12:00:00Z')).safeParse({ from: '2027-05-01', to: '2027-05-31', ...extra });
  if (!parsed.success) throw new Error('bad filters');
  return parsed.data;
}

t.test('the funnel for the period counts the day’s tasters beside the session', async (t) => {
  const [total] = await q.funnelBy(db, filters(), 'total');
  t.match(total, {
    sessions: 4,
    placesOffered: 25,
    booked: 6,
    attended: 4,
    noShows: 2,
    attendanceRecorded: 6,
    waitingDemand: 1,
    attendees: 4,
    feedbackCount: 3,
    avgRating: 4,
    avgAccessible: 4.5,
    answersAccessible: 2,
    avgAppropriate: 4,
    answersAppropriate: 1,
    avgConfidenceBefore: 3,
    confidencePairs: 3,
    intendYes: 2,
    intendMaybe: 1,
    intendNo: 0,
    referrers: 2,
    referrals: 4,
  });
  t.equal(total!.avgConfidenceChange, 11 / 3);
  t.equal(total!.avgConfidenceAfter, 20 / 3);
  t.equal(total!.fillRate, 6 / 25);
  t.equal(total!.noShowRate, 2 / 6);
});

t.test('by organisation, category, offer and PCN', async (t) => {
  const pick = (rows: q.FunnelRow[]) =>
    rows.map((r) => ({
      label: r.label,
      sessions: r.sessions,
      placesOffered: r.placesOffered,
      booked: r.booked,
      attended: r.attended,
      feedbackCount: r.feedbackCount,
      referrals: r.referrals,
    }));
  t.same(pick(await q.funnelBy(db, filters(), 'organisation')), [
    { label: 'Open Door Arts', sessions: 2, placesOffered: 14, booked: 4, attended: 2, feedbackCount: 2, referrals: 4 },
    { label: 'Paper Folk', sessions: 1, placesOffered: 6, booked: 1, attended: 1, feedbackCount: 0, referrals: 0 },
    { label: 'Riverside Museum', sessions: 1, placesOffered: 5, booked: 1, attended: 1, feedbackCount: 1, referrals: 0 },
  ]);
  const categories = await q.funnelBy(db, filters(), 'category');
  t.same(categories.map((r) => [r.key, r.sessions, r.booked, r.attended]).sort(), [
    ['heritage_museums', 1, 1, 1],
    ['no_offer', 1, 1, 1],
    ['singing_music', 2, 4, 2],
  ]);
  const offers = await q.funnelBy(db, filters(), 'offer');
  t.same(
    offers.map((r) => [r.label, r.sessions, r.booked, r.referrers]),
    [
      ['Object handling', 1, 1, 0],
      ['Origami taster', 1, 1, 0],
      ['Singing for wellbeing', 2, 4, 2],
    ],
  );
  t.same(
    (await q.funnelBy(db, filters(), 'pcn')).map((r) => [r.label, r.booked, r.attended, r.noShows]),
    [
      ['Central PCN', 2, 2, 0],
      ['East PCN', 2, 1, 1],
      ['North PCN', 2, 1, 1],
    ],
  );
  const [may] = await q.funnelBy(db, filters(), 'month');
  t.match(may, { key: '2027-05', sessions: 4, booked: 6 });
});

t.test('filters narrow the day’s tasters too', async (t) => {
  const [museumOnly] = await q.funnelBy(db, filters({ organisation: museum.id }), 'total');
  t.match(museumOnly, { sessions: 1, placesOffered: 5, booked: 1, attended: 1, waitingDemand: 1, feedbackCount: 1, referrals: 0 });
  const [singingOnly] = await q.funnelBy(db, filters({ category: 'singing_music' }), 'total');
  t.match(singingOnly, { sessions: 2, placesOffered: 14, booked: 4, attended: 2, referrers: 2 });
  const [community] = await q.funnelBy(db, filters({ organisationKind: 'community' }), 'total');
  t.match(community, { sessions: 1, booked: 1, attended: 1 });
  const [north] = await q.funnelBy(db, filters({ pcn: 'North PCN' }), 'total');
  t.match(north, { booked: 2, attended: 1, noShows: 1 });
  // A draft day counts nowhere.
  await db.updateTable('tasterDays').set({ status: 'draft' }).where('id', '=', day.id).execute();
  const [withoutDay] = await q.funnelBy(db, filters(), 'total');
  await db.updateTable('tasterDays').set({ status: 'published' }).where('id', '=', day.id).execute();
  t.match(withoutDay, { sessions: 1, placesOffered: 4, booked: 2 });
});

t.test('coverage counts a day’s tasters: categories tried and PCNs that attended', async (t) => {
  t.same((await q.categoriesWithSessions(db, filters())).sort(), ['heritage_museums', 'singing_music']);
  t.same(await q.pcnsWithoutAttendance(db, filters()), []);
});

t.test('the report page shows the day’s tasters in its figures', async (t) => {
  const app = await buildTestApp(t, database);
  const { visitor } = await signedIn(app, db, 'coordinator');
  const page = await visitor.get('/reports?from=2027-05-01&to=2027-05-31');
  t.equal(page.statusCode, 200);
  // The category table: "Not linked to an offer" is the origami taster, beside the categories.
  t.match(page.body, /Not linked to an offer<\/(th|td)>\s*<td[^>]*>1<\/td>/);
  t.match(page.body, /Paper Folk/);
});

t.test('the CSV exports hold the same tasters as the figures, a page at a time', async (t) => {
  const rowsOf = async (kind: 'bookings' | 'attendance' | 'feedback', extra: Record<string, string> = {}, pageSize?: number) => {
    const rows: Array<Record<string, unknown>> = [];
    for await (const row of exportRows(db, kind, filters(extra), pageSize ? { pageSize } : {})) rows.push(row);
    return rows;
  };
  const booked = (rows: Array<Record<string, unknown>>) => rows.filter((r) => r.status === 'confirmed' && !r.walkIn).length;
  const [total] = await q.funnelBy(db, filters(), 'total');

  const bookings = await rowsOf('bookings');
  t.equal(bookings.length, 7, "the session's two bookings and the five link workers' choices of a taster");
  t.equal(booked(bookings), total!.booked, 'booked, as the figures count it');
  t.equal(bookings.filter((r) => r.waitlistedAt && !r.confirmedAt).length, total!.waitingDemand, 'waiting-list demand');
  t.notOk(
    bookings.some((r) => r.linkWorkerRef === curator.id),
    'cultural-sector staff are on the day’s own report only',
  );
  t.match(
    bookings.find((r) => r.linkWorkerRef === ana.id),
    {
      sessionId: singingTaster.id,
      activity: 'Singing for wellbeing',
      category: 'Singing and music',
      organisation: 'Open Door Arts',
      pcn: 'Central PCN',
      tasterDay: /^Knowledge-exchange day/,
      sessionStart: '2027-05-20 13:30',
      sessionEnd: '2027-05-20 15:00',
    },
  );
  t.match(
    bookings.find((r) => r.linkWorkerRef === walt.id),
    { activity: 'Origami taster', category: 'Not linked to an offer', organisation: 'Paper Folk' },
  );
  t.equal(bookings.find((r) => r.linkWorkerRef === dev.id && r.sessionId === session.id)?.tasterDay, null, 'a session has no taster day');

  // The same grouping as the screen: by organisation and by offer ("activity").
  for (const [dimension, column] of [
    ['organisation', 'organisation'],
    ['offer', 'activity'],
  ] as const) {
    const screen = (await q.funnelBy(db, filters(), dimension)).map((r) => [r.label, r.booked]);
    const labels = [...new Set(bookings.map((r) => r[column] as string))].sort();
    t.same(
      labels.map((label) => [label, booked(bookings.filter((r) => r[column] === label))]),
      screen,
      `booked by ${dimension}`,
    );
  }

  const attendance = await rowsOf('attendance');
  t.equal(attendance.filter((r) => r.attendance === 'Attended').length, total!.attended);
  t.equal(attendance.filter((r) => r.attendance === 'Did not attend').length, total!.noShows);

  const feedback = await rowsOf('feedback');
  t.equal(feedback.length, total!.feedbackCount, 'the feedback on the session and on the tasters, not on the day as a whole');
  t.equal(feedback.reduce((sum, r) => sum + Number(r.rating), 0) / feedback.length, total!.avgRating);
  t.match(
    feedback.find((r) => r.linkWorkerRef === ana.id),
    { confidenceBefore: 2, confidenceAfter: 8, confidenceChange: 6, rating: 5, intendsToRefer: 'yes' },
  );

  // Filters narrow the tasters too, and pages of one row give the same rows.
  const [museumOnly] = await q.funnelBy(db, filters({ organisation: museum.id }), 'total');
  t.equal(booked(await rowsOf('bookings', { organisation: museum.id })), museumOnly!.booked);
  t.same((await rowsOf('bookings', { pcn: 'North PCN' })).map((r) => r.linkWorkerRef).sort(), [nia.id, walt.id].sort());
  t.same(await rowsOf('bookings', {}, 1), bookings, 'one row a page');
  t.same(await rowsOf('feedback', {}, 2), feedback, 'two rows a page');
  for (const kind of ['bookings', 'attendance', 'feedback'] as const)
    t.equal(exportDefinitions[kind].columns.at(-1)?.header, 'Taster day', `${kind}: the day's column, last`);
});
