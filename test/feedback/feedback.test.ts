import t from 'tap';
import { createBooking, createFeedback, createTaster } from '../fixtures/builders.ts';
import { HOSTILE } from '../fixtures/hostile.ts';
import { startedHoursAgo } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const DAY = 24;

/** A link worker with a booking on a session that started `hoursAgo` hours ago. */
async function attendedBooking(attendance: 'attended' | 'no_show' | null = 'attended', hoursAgo = 3) {
  const taster = await createTaster(db, { ...startedHoursAgo(hoursAgo), title: 'Object handling' });
  const person = await signedIn(app, db, 'link_worker');
  const booking = await createBooking(db, taster.sessionId, person.user.id, { attendance, confidenceBefore: 3 });
  return { ...person, taster, booking, url: `/bookings/${booking.id}/feedback` };
}

const valid = {
  confidenceAfter: '8',
  rating: '5',
  accessible: '5',
  appropriate: '4',
  adequate: '4',
  affordable: '2',
  available: 'dont_know',
  intendsToRefer: 'yes',
  referringEasier: 'A leaflet to give patients',
  comments: 'Lovely, welcoming staff',
};

const feedbackOf = (bookingId: string) => db.selectFrom('feedback').selectAll().where('bookingId', '=', bookingId).execute();

t.test('someone marked as attended gives feedback on their taster', async (t) => {
  const { visitor, url, booking, user } = await attendedBooking();
  const page = await visitor.get(url);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Feedback on Object handling');
  t.match(page.body, 'How confident do you feel today about suggesting this kind of activity to a patient?');
  t.match(page.body, 'Before the taster you said 3 out of 10');
  const sent = await visitor.post(url, valid);
  t.equal(sent.statusCode, 303);
  t.equal(sent.headers.location, `${url}?done=saved`);
  const [row, ...more] = await feedbackOf(booking.id);
  t.same(more, [], 'one row');
  t.same(
    [row!.confidenceAfter, row!.rating, row!.accessible, row!.appropriate, row!.adequate, row!.affordable, row!.available, row!.intendsToRefer],
    [8, 5, 5, 4, 4, 2, null, 'yes'],
    "stored as numbers, with don't know as nothing",
  );
  t.equal(row!.referringEasier, 'A leaflet to give patients');
  const audit = await db.selectFrom('auditEvents').select(['action', 'actorId']).where('subjectId', '=', booking.id).execute();
  t.same(audit, [{ action: 'feedback_given', actorId: user.id }]);
  const thanks = await visitor.get(sent.headers.location as string);
  t.match(thanks.body, 'Thank you. Your feedback has been saved.');
  t.match(thanks.body, /value="8" checked/, 'the answers show again to change');
});

t.test('feedback is only for people marked as attended', async (t) => {
  const unmarked = await attendedBooking(null);
  const page = await unmarked.visitor.get(unmarked.url);
  t.equal(heading(page.body), 'You cannot give feedback on this taster yet');
  t.match(page.body, 'Feedback opens once the organisation has marked you as attending');
  const refused = await unmarked.visitor.post(unmarked.url, valid);
  t.equal(refused.statusCode, 403);
  t.same(await feedbackOf(unmarked.booking.id), []);

  const missed = await attendedBooking('no_show');
  const redirect = await missed.visitor.get(missed.url);
  t.equal(redirect.statusCode, 303);
  t.equal(redirect.headers.location, `/bookings/${missed.booking.id}/missed`, 'people who did not attend are asked what got in the way');
  t.equal((await missed.visitor.post(missed.url, valid)).statusCode, 403);
  t.same(await feedbackOf(missed.booking.id), []);
});

t.test('only the person who booked can see or give the feedback', async (t) => {
  const owner = await attendedBooking();
  const other = await signedIn(app, db, 'link_worker');
  t.equal((await other.visitor.get(owner.url)).statusCode, 404);
  t.equal((await other.visitor.post(owner.url, valid)).statusCode, 404);
  t.equal((await other.visitor.post(`/bookings/${owner.booking.id}/missed`, { reason: 'work' })).statusCode, 404);
  const provider = await signedIn(app, db, 'provider', { organisationId: owner.taster.organisationId });
  t.equal((await provider.visitor.post(owner.url, valid)).statusCode, 403, 'provider staff cannot write feedback');
  t.same(await feedbackOf(owner.booking.id), []);
});

t.test('one feedback per attended booking: sending again changes it, and the database allows no second', async (t) => {
  const { visitor, url, booking } = await attendedBooking();
  await visitor.post(url, valid);
  const changed = await visitor.post(url, { ...valid, rating: '3', comments: '' });
  t.equal(changed.statusCode, 303);
  const rows = await feedbackOf(booking.id);
  t.equal(rows.length, 1);
  t.equal(rows[0]!.rating, 3);
  t.equal(rows[0]!.comments, null);
  const actions = await db.selectFrom('auditEvents').select('action').where('subjectId', '=', booking.id).orderBy('id').execute();
  t.same(
    actions.map((a) => a.action),
    ['feedback_given', 'feedback_changed'],
  );
  await t.rejects(createFeedback(db, booking.id), 'a second row is refused by the unique index');
});

t.test('feedback can be changed for 14 days after the session, then it stays as it was', async (t) => {
  const late = await attendedBooking('attended', 15 * DAY + 3);
  await createFeedback(db, late.booking.id, { rating: 4, comments: HOSTILE });
  const refused = await late.visitor.post(late.url, { ...valid, rating: '1' });
  t.equal(refused.statusCode, 403);
  t.equal(heading(refused.body), 'Your feedback can no longer be changed');
  t.equal((await feedbackOf(late.booking.id))[0]!.rating, 4, 'unchanged');
  const readOnly = await late.visitor.get(late.url);
  t.match(readOnly.body, 'It can no longer be changed');
  t.notMatch(readOnly.body, /<form action="\/bookings/, 'no form to send');
  t.notMatch(readOnly.body, '<script>alert(1)</script>', 'hostile comments are shown as text');
  t.match(readOnly.body, '&lt;script&gt;alert(1)&lt;/script&gt;');

  const recent = await attendedBooking('attended', 13 * DAY);
  await createFeedback(db, recent.booking.id, { rating: 4 });
  t.equal((await recent.visitor.post(recent.url, { ...valid, rating: '2' })).statusCode, 303, 'thirteen days after: still open');
  t.equal((await feedbackOf(recent.booking.id))[0]!.rating, 2);

  const first = await attendedBooking('attended', 30 * DAY);
  t.equal((await first.visitor.post(first.url, valid)).statusCode, 303, 'a first feedback is welcome even later');
  t.equal((await feedbackOf(first.booking.id)).length, 1);
});

t.test('the form says before anything is written how long feedback can be changed', async (t) => {
  const recent = await attendedBooking('attended', 2 * DAY);
  const open = await recent.visitor.get(recent.url);
  t.match(open.body, /You can change your feedback until [^<]+\. After that it stays as you left it\./, 'the rule, above the form');
  const rule = open.body.indexOf('You can change your feedback until');
  t.ok(rule >= 0 && rule < open.body.indexOf('<form action="/bookings'), 'said before the questions');

  // Past the 14 days a first feedback is still welcome, but the person is told first that it cannot be changed.
  const late = await attendedBooking('attended', 20 * DAY);
  const page = await late.visitor.get(late.url);
  t.match(
    page.body,
    /The time for changing feedback on this taster ended on [^<]+: once you send it, it cannot be changed\. Check your answers before you send them\./,
  );
  const warning = page.body.indexOf('The time for changing feedback');
  t.ok(warning >= 0 && warning < page.body.indexOf('<form action="/bookings'), 'said before the questions');
  t.notMatch(page.body, 'You can change your feedback until');
  t.equal((await late.visitor.post(late.url, valid)).statusCode, 303, 'accepted');
  const after = await late.visitor.get(late.url);
  t.match(after.body, 'Thank you for your feedback.', 'and then shown as sent, as it said it would be');
});

t.test('missing and impossible answers are explained beside each question, and kept', async (t) => {
  const { visitor, url, booking } = await attendedBooking();
  const empty = await visitor.post(url, { referringEasier: 'Keep this text' });
  t.equal(empty.statusCode, 400);
  t.match(empty.body, /<title>Error: /);
  t.same(errorSummary(empty.body), [
    'confidenceAfter: Select how confident you feel now, from 0 (not at all) to 10 (completely)',
    'rating: Select a rating from 1 (poor) to 5 (excellent)',
    'accessible: Select how accessible it is for your patients, or don’t know',
    'appropriate: Select how appropriate it is for your patients, or don’t know',
    'adequate: Select how adequate it is for your patients, or don’t know',
    'affordable: Select how affordable it is for your patients, or don’t know',
    'available: Select how available it is for your patients, or don’t know',
    'intendsToRefer: Select whether you now intend to refer patients to this activity',
  ]);
  t.match(empty.body, 'Keep this text', 'what was typed is kept');

  const wrong = await visitor.post(url, {
    ...valid,
    confidenceAfter: '11',
    rating: '0',
    accessible: '6',
    intendsToRefer: 'perhaps',
    comments: 'x'.repeat(2001),
  });
  t.equal(wrong.statusCode, 400);
  t.equal(fieldError(wrong.body, 'confidenceAfter'), 'Select how confident you feel now, from 0 (not at all) to 10 (completely)');
  t.equal(fieldError(wrong.body, 'rating'), 'Select a rating from 1 (poor) to 5 (excellent)');
  t.equal(fieldError(wrong.body, 'accessible'), 'Select how accessible it is for your patients, or don’t know');
  t.equal(fieldError(wrong.body, 'intendsToRefer'), 'Select whether you now intend to refer patients to this activity');
  t.equal(fieldError(wrong.body, 'comments'), 'Comments must be 2000 characters or fewer');
  t.same(await feedbackOf(booking.id), [], 'nothing stored');

  const hostile = await visitor.post(url, { ...valid, comments: 'x'.repeat(2001), referringEasier: HOSTILE });
  t.equal(hostile.statusCode, 400);
  t.notMatch(hostile.body, '<script>alert(1)</script>', 'a hostile value kept in the form is escaped');
  t.match(hostile.body, '&lt;script&gt;alert(1)&lt;/script&gt;');
});

t.test('people who did not attend are asked, optionally, what got in the way', async (t) => {
  const { visitor, booking, user } = await attendedBooking('no_show');
  const url = `/bookings/${booking.id}/missed`;
  const page = await visitor.get(url);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'What got in the way?');
  const empty = await visitor.post(url, {});
  t.equal(empty.statusCode, 400);
  t.same(errorSummary(empty.body), ['reason: Select what got in the way, or tell us in your own words']);
  const sent = await visitor.post(url, { reason: 'travel', details: HOSTILE });
  t.equal(sent.statusCode, 303);
  const row = await db.selectFrom('missedSessionReasons').selectAll().where('bookingId', '=', booking.id).executeTakeFirstOrThrow();
  t.same([row.reason, row.details], ['travel', HOSTILE]);
  const again = await visitor.get(url);
  t.notMatch(again.body, '<script>alert(1)</script>');
  t.match(again.body, /value="travel" checked/);
  const audit = await db.selectFrom('auditEvents').select(['action', 'actorId']).where('subjectId', '=', booking.id).execute();
  t.same(audit, [{ action: 'missed_reason_given', actorId: user.id }]);

  const attended = await attendedBooking('attended');
  const wrongWay = await attended.visitor.post(`/bookings/${attended.booking.id}/missed`, { reason: 'work' });
  t.equal(wrongWay.statusCode, 403, 'someone who attended is not asked why they missed it');
  t.equal((await db.selectFrom('missedSessionReasons').selectAll().where('bookingId', '=', attended.booking.id).execute()).length, 0);
});
