import t from 'tap';
import { queueDayFeedbackRequests } from '../../src/days/feedback-requests.ts';
import { savePreferences } from '../../src/preferences/service.ts';
import { createUser } from '../fixtures/builders.ts';
import { createDay } from '../fixtures/days.ts';
import { createDayFeedback, createDayRegistration } from '../fixtures/days-after.ts';
import { HOSTILE, HOSTILE_MARKUP } from '../fixtures/hostile.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading } from '../helper.ts';

/**
 * Feedback after a taster day: on the day and on each taster tried, by the sessions' rules (link
 * workers marked as attending; one each; changeable for 14 days), and the email asking for it.
 * Attendance is set directly, as the door registers would.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const dayAnswers = { confidenceBefore: '3', confidenceAfter: '8', rating: '5', referringEasier: '', comments: 'A good mix of people' };
const tasterAnswers = {
  confidenceBefore: '2',
  confidenceAfter: '7',
  rating: '4',
  accessible: '5',
  appropriate: '4',
  adequate: 'dont_know',
  affordable: '3',
  available: '4',
  intendsToRefer: 'yes',
  referringEasier: 'A leaflet',
  comments: '',
};

async function feedbackRows(registrationId: string) {
  return db.selectFrom('dayFeedback').selectAll().where('registrationId', '=', registrationId).orderBy('submittedAt').execute();
}

/** A day that ended yesterday, and a link worker who attended it and tried its first taster. */
async function attendedDay(options: { endedDaysAgo?: number } = {}) {
  const day = await createDay(db, { inDays: -(options.endedDaysAgo ?? 1), bookingClosesAt: new Date(Date.now() - 40 * 86_400_000) });
  const { user, visitor } = await signedIn(app, db, 'link_worker');
  const registration = await createDayRegistration(db, day.id, user.id, {
    attendance: 'attended',
    choices: [{ tasterId: day.tasters[0]!.id, slotId: day.slotId, attendance: 'attended' }],
  });
  return { day, user, visitor, registration, choiceId: registration.choiceIds[0]! };
}

t.test('a link worker who attended gives feedback on the day and on the taster they tried', async (t) => {
  const { day, visitor, registration, choiceId } = await attendedDay();
  const page = await visitor.get(`/days/${day.id}/feedback`);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Feedback on the day');
  t.match(page.body, new RegExp(`href="/days/${day.id}/feedback/tasters/${choiceId}">Give feedback on Singing taster`));

  const saved = await visitor.post(`/days/${day.id}/feedback`, dayAnswers);
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, `/days/${day.id}/feedback?done=saved`);
  const taster = await visitor.post(`/days/${day.id}/feedback/tasters/${choiceId}`, tasterAnswers);
  t.equal(taster.statusCode, 303);
  t.match(await feedbackRows(registration.id), [
    { dayTasterChoiceId: null, confidenceBefore: 3, confidenceAfter: 8, rating: 5, accessible: null, intendsToRefer: null, comments: 'A good mix of people' },
    {
      dayTasterChoiceId: choiceId,
      confidenceBefore: 2,
      confidenceAfter: 7,
      rating: 4,
      accessible: 5,
      adequate: null,
      intendsToRefer: 'yes',
      referringEasier: 'A leaflet',
    },
  ]);
  // Sending again changes the answers: still one feedback on the day.
  await visitor.post(`/days/${day.id}/feedback`, { ...dayAnswers, rating: '3' });
  const rows = await feedbackRows(registration.id);
  t.equal(rows.length, 2);
  t.equal(rows.find((r) => r.dayTasterChoiceId === null)?.rating, 3);
  const again = await visitor.get(`/days/${day.id}/feedback/tasters/${choiceId}?done=saved`);
  t.match(again.body, /Your feedback has been saved/);
  t.match(again.body, /value="2" checked/);
  t.notMatch(again.body, /Record referrals you have made to/, 'no offer behind the fixture’s taster: no link');
});

t.test('missing, too long, malformed and hostile answers: clear messages, nothing stored', async (t) => {
  const { day, visitor, registration, choiceId } = await attendedDay();
  const missing = await visitor.post(`/days/${day.id}/feedback/tasters/${choiceId}`, {});
  t.equal(missing.statusCode, 400);
  t.same(errorSummary(missing.body).slice(0, 3), [
    'confidenceAfter: Select how confident you feel now, from 0 (not at all) to 10 (completely)',
    'rating: Select a rating from 1 (poor) to 5 (excellent)',
    'accessible: Select how accessible it is for your patients, or don’t know',
  ]);
  t.ok(errorSummary(missing.body).includes('confidenceBefore: Select how confident you felt before, from 0 (not at all) to 10 (completely)'));
  const tooLong = await visitor.post(`/days/${day.id}/feedback`, { ...dayAnswers, comments: 'x'.repeat(2001) });
  t.equal(tooLong.statusCode, 400);
  t.same(errorSummary(tooLong.body), ['comments: Comments must be 2000 characters or fewer']);
  t.match(tooLong.body, /value="3" checked/, 'what they chose is kept');
  const malformed = await visitor.post(`/days/${day.id}/feedback`, { ...dayAnswers, rating: '9', confidenceBefore: 'lots' });
  t.equal(malformed.statusCode, 400);
  t.same(errorSummary(malformed.body), [
    'confidenceBefore: Select how confident you felt before, from 0 (not at all) to 10 (completely)',
    'rating: Select a rating for the day from 1 (poor) to 5 (excellent)',
  ]);
  const nul = await visitor.post(`/days/${day.id}/feedback`, { ...dayAnswers, comments: 'a\u0000b' });
  t.equal(nul.statusCode, 400);
  t.same(await feedbackRows(registration.id), []);
  // Markup is kept as text and shown as text.
  const hostile = await visitor.post(`/days/${day.id}/feedback`, { ...dayAnswers, comments: HOSTILE });
  t.equal(hostile.statusCode, 303);
  const shown = await visitor.get(`/days/${day.id}/feedback`);
  for (const markup of HOSTILE_MARKUP) t.notOk(shown.body.includes(markup));
});

t.test('only what the person attended and tried, and only their own', async (t) => {
  const day = await createDay(db, { inDays: -1, bookingClosesAt: new Date(Date.now() - 40 * 86_400_000) });
  const { user, visitor } = await signedIn(app, db, 'link_worker');
  const registration = await createDayRegistration(db, day.id, user.id, {
    attendance: null,
    choices: [{ tasterId: day.tasters[0]!.id, slotId: day.slotId, attendance: 'no_show' }],
  });
  const notYet = await visitor.post(`/days/${day.id}/feedback`, dayAnswers);
  t.equal(notYet.statusCode, 403);
  t.match(notYet.body, /only on a day you were marked as attending/);
  const notTried = await visitor.post(`/days/${day.id}/feedback/tasters/${registration.choiceIds[0]}`, tasterAnswers);
  t.equal(notTried.statusCode, 403);
  t.same(await feedbackRows(registration.id), []);

  const other = await attendedDay();
  const theirs = await visitor.post(`/days/${other.day.id}/feedback/tasters/${other.choiceId}`, tasterAnswers);
  t.equal(theirs.statusCode, 404, 'someone else’s day and taster do not exist for this person');
  const crossed = await other.visitor.post(`/days/${other.day.id}/feedback/tasters/${registration.choiceIds[0]}`, tasterAnswers);
  t.equal(crossed.statusCode, 404, 'a choice of another registration does not exist here');
  t.same(await feedbackRows(other.registration.id), []);

  const provider = await signedIn(app, db, 'provider');
  t.equal((await provider.visitor.get(`/days/${other.day.id}/feedback`)).statusCode, 403);
});

t.test('feedback can be changed for 14 days after the day, then stays as it was', async (t) => {
  const { day, visitor, registration } = await attendedDay({ endedDaysAgo: 16 });
  await createDayFeedback(db, registration.id, null, { rating: 2 });
  const late = await visitor.post(`/days/${day.id}/feedback`, dayAnswers);
  t.equal(late.statusCode, 403);
  t.match(late.body, /can only be changed for 14 days after the day/);
  t.match(await feedbackRows(registration.id), [{ rating: 2 }]);
});

t.test('link workers who attended are asked once by email; nobody else', async (t) => {
  const now = new Date();
  const { day, user, registration } = await attendedDay();
  const noShow = await createUser(db, 'link_worker');
  await createDayRegistration(db, day.id, noShow.id, { attendance: 'no_show' });
  const curator = await createUser(db, 'provider');
  await createDayRegistration(db, day.id, curator.id, { audience: 'cultural', attendance: 'attended' });
  const answered = await createUser(db, 'link_worker');
  const answeredRegistration = await createDayRegistration(db, day.id, answered.id, { attendance: 'attended' });
  await createDayFeedback(db, answeredRegistration.id, null);
  const optedOut = await createUser(db, 'link_worker');
  await createDayRegistration(db, day.id, optedOut.id, { attendance: 'attended' });
  await db
    .transaction()
    .execute((tx) =>
      savePreferences(tx, { id: optedOut.id, role: 'link_worker' }, { reminders: true, feedbackRequests: false, referralPrompts: true, digests: true }),
    );
  // A day still to come asks nobody.
  const future = await createDay(db);
  await createDayRegistration(db, future.id, answered.id, { attendance: 'attended' });

  const context = { db, baseUrl: 'https://tasters.test', secret: 'a-secret-for-these-tests-only', now };
  const queued = await queueDayFeedbackRequests(context);
  const messages = await db
    .selectFrom('outboxMessages')
    .selectAll()
    .where('kind', '=', 'day_feedback_request')
    .where('recipientId', 'in', [user.id, noShow.id, curator.id, answered.id, optedOut.id])
    .execute();
  t.same(
    messages.map((m) => m.recipientId),
    [user.id],
  );
  t.ok(queued >= 1);
  const message = messages[0]!;
  t.equal(message.dedupeKey, `day_feedback_request:${registration.id}`);
  t.match(message.textBody, /Singing taster/);
  t.match(message.textBody, new RegExp(`https://tasters.test/days/${day.id}/feedback`));
  t.ok(message.unsubscribeUrl);
  t.equal(await queueDayFeedbackRequests({ ...context, now: new Date(now.getTime() + 3_600_000) }), 0, 'running again queues nothing new');
});
