import { DateTime } from 'luxon';
import t from 'tap';
import { bookingIdFromToken } from '../../src/bookings/release.ts';
import {
  isoWeek,
  queueDigests,
  queueFeedbackRequests,
  queueReferralPrompts,
  queueReminders,
  reminderTime,
  type ScheduleContext,
} from '../../src/delivery/scheduled.ts';
import { savePreferences } from '../../src/preferences/service.ts';
import { createBooking, createFeedback, createReferralReport, createSession, createTaster, createUser } from '../fixtures/builders.ts';
import { createTestDatabase } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());

const SECRET = 'a-secret-for-release-links-in-these-tests';
const BASE_URL = 'https://tasters.test';
const context = (now: Date | string): ScheduleContext => ({ db, baseUrl: BASE_URL, secret: SECRET, now: new Date(now) });
const london = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/London' }).toJSDate();
const HOUR = 3_600_000;

async function messagesOf(kind: string) {
  return db.selectFrom('outboxMessages').selectAll().where('kind', '=', kind).orderBy('recipientEmail').execute();
}

async function turnOff(
  userId: string,
  role: 'link_worker' | 'provider' | 'coordinator',
  choice: 'reminders' | 'feedbackRequests' | 'referralPrompts' | 'digests',
) {
  await db
    .transaction()
    .execute((tx) =>
      savePreferences(tx, { id: userId, role }, { reminders: true, feedbackRequests: true, referralPrompts: true, digests: true, [choice]: false }),
    );
}

t.test('reminders go from 9am London time the day before, to people with a place who want them, once', async (t) => {
  // Sunday 28 March 2027 is the day the clocks go forward: 10am is BST, the reminder at 9am Saturday is GMT.
  const startsAt = london('2027-03-28T10:00');
  t.equal(reminderTime(startsAt).toISOString(), '2027-03-27T09:00:00.000Z');
  const taster = await createTaster(db, {
    title: 'Life drawing',
    startsAt,
    endsAt: new Date(startsAt.getTime() + 2 * HOUR),
    bookingClosesAt: new Date(startsAt.getTime() - 2 * HOUR),
  });
  const [ana, ben, cat, dev, eve, fay] = await Promise.all(
    ['ana', 'ben', 'cat', 'dev', 'eve', 'fay'].map((n) => createUser(db, 'link_worker', { email: `${n}-reminder@nhs.net`, name: n.toUpperCase() })),
  );
  const anaBooking = await createBooking(db, taster.sessionId, ana!.id);
  const benBooking = await createBooking(db, taster.sessionId, ben!.id);
  await createBooking(db, taster.sessionId, cat!.id, { status: 'waitlisted' });
  await createBooking(db, taster.sessionId, dev!.id, { status: 'cancelled' });
  await createBooking(db, taster.sessionId, eve!.id);
  await turnOff(eve!.id, 'link_worker', 'reminders');
  // Fay booked at 10am on the Saturday, after the reminder time: her confirmation was enough.
  const late = await createBooking(db, taster.sessionId, fay!.id);
  await db
    .updateTable('bookings')
    .set({ confirmedAt: london('2027-03-27T10:00') })
    .where('id', '=', late.id)
    .execute();
  await db
    .updateTable('bookings')
    .set({ confirmedAt: london('2027-03-20T10:00') })
    .where('id', '<>', late.id)
    .execute();

  t.equal(await queueReminders(context(london('2027-03-27T08:59'))), 0, 'not before 9am the day before');
  t.equal(await queueReminders(context(london('2027-03-27T09:05'))), 2, 'at 9:05 the two who want one');
  t.equal(await queueReminders(context(london('2027-03-27T10:05'))), 0, 'the next hourly run queues nothing new');
  const reminders = await messagesOf('reminder');
  t.same(
    reminders.map((m) => m.recipientEmail),
    ['ana-reminder@nhs.net', 'ben-reminder@nhs.net'],
  );
  const [toAna] = reminders;
  t.equal(toAna!.subject, 'Reminder: Life drawing tomorrow');
  t.match(toAna!.textBody, /Dear ANA,/);
  t.match(toAna!.textBody, /Sunday 28 March 2027, 10am to 12pm/, 'London wall-clock time on the clock-change day');
  t.match(toAna!.textBody, new RegExp(`${BASE_URL}/bookings/${anaBooking.id}`));
  const release = new RegExp(`${BASE_URL.replace(/\./g, '\\.')}/release-place/([^\\s"<]+)`).exec(toAna!.textBody!);
  t.ok(release, 'a release link');
  t.equal(bookingIdFromToken(SECRET, release![1]!), anaBooking.id, 'for Ana’s own booking');
  t.not(bookingIdFromToken(SECRET, release![1]!), benBooking.id);
  t.match(toAna!.htmlBody!, /I can’t come – release my place/);
  t.match(toAna!.textBody, /\/account\/preferences/, 'says where to turn reminders off');

  // Moved to the next week: a reminder for the new date is news.
  await db
    .updateTable('tasterSessions')
    .set({ startsAt: london('2027-04-04T10:00'), endsAt: london('2027-04-04T12:00') })
    .where('id', '=', taster.sessionId)
    .execute();
  t.equal(await queueReminders(context(london('2027-04-03T09:30'))), 3, 'the new date gets its own reminders: Fay too, who booked well before it');
});

t.test('feedback requests go to people marked as attending, within 14 days, who have not given feedback', async (t) => {
  const now = london('2027-06-10T15:00');
  const recent = await createTaster(db, {
    title: 'Singing together',
    startsAt: new Date(now.getTime() - 4 * HOUR),
    endsAt: new Date(now.getTime() - 2 * HOUR),
    bookingClosesAt: new Date(now.getTime() - 30 * HOUR),
  });
  const old = await createSession(db, recent.offerId, {
    startsAt: new Date(now.getTime() - 20 * 24 * HOUR),
    endsAt: new Date(now.getTime() - 20 * 24 * HOUR + 2 * HOUR),
    bookingClosesAt: new Date(now.getTime() - 21 * 24 * HOUR),
  });
  const later = await createSession(db, recent.offerId, { startsAt: new Date(now.getTime() + HOUR) });
  const people = await Promise.all(
    ['gil', 'hal', 'ivy', 'jo', 'kit', 'lee'].map((n) => createUser(db, 'link_worker', { email: `${n}-feedback@nhs.net`, name: n })),
  );
  const [gil, hal, ivy, jo, kit, lee] = people;
  const wanted = await createBooking(db, recent.sessionId, gil!.id, { attendance: 'attended' });
  const answered = await createBooking(db, recent.sessionId, hal!.id, { attendance: 'attended' });
  await createFeedback(db, answered.id);
  await createBooking(db, recent.sessionId, ivy!.id, { attendance: 'no_show' });
  await createBooking(db, old.id, jo!.id, { attendance: 'attended' });
  await createBooking(db, recent.sessionId, kit!.id, { attendance: 'attended' });
  await turnOff(kit!.id, 'link_worker', 'feedbackRequests');
  await createBooking(db, later.id, lee!.id);

  t.equal(await queueFeedbackRequests(context(now)), 1);
  t.equal(await queueFeedbackRequests(context(new Date(now.getTime() + HOUR))), 0, 'running again queues nothing new');
  const [request] = await messagesOf('feedback_request');
  t.equal(request!.recipientEmail, 'gil-feedback@nhs.net');
  t.equal(request!.subject, 'How was Singing together?');
  t.match(request!.textBody, new RegExp(`${BASE_URL}/bookings/${wanted.id}/feedback`));
  t.match(request!.htmlBody!, new RegExp(`href="${BASE_URL}/bookings/${wanted.id}/feedback"`));
});

t.test('referral questions go 4 and 12 weeks after an attended taster, once each, unless answered or turned off', async (t) => {
  const now = london('2029-09-01T10:00');
  const days = (n: number) => n * 24 * HOUR;
  const fourWeeks = await createTaster(db, {
    title: 'Garden volunteering',
    startsAt: new Date(now.getTime() - days(29) - 2 * HOUR),
    endsAt: new Date(now.getTime() - days(29)),
    bookingClosesAt: new Date(now.getTime() - days(31)),
  });
  const twelveWeeks = await createTaster(db, {
    title: 'Museum handling',
    startsAt: new Date(now.getTime() - days(86) - 2 * HOUR),
    endsAt: new Date(now.getTime() - days(86)),
    bookingClosesAt: new Date(now.getTime() - days(88)),
  });
  const [mo, ned, ola, pip] = await Promise.all(
    ['mo', 'ned', 'ola', 'pip'].map((n) => createUser(db, 'link_worker', { email: `${n}-prompt@nhs.net`, name: n })),
  );
  await createBooking(db, fourWeeks.sessionId, mo!.id, { attendance: 'attended' });
  await createBooking(db, twelveWeeks.sessionId, mo!.id, { attendance: 'attended' });
  await createBooking(db, fourWeeks.sessionId, ned!.id, { attendance: 'attended' });
  await createReferralReport(db, ned!.id, fourWeeks.offerId, '2029-08', 2, new Date(now.getTime() - days(5)));
  await createBooking(db, fourWeeks.sessionId, ola!.id, { attendance: 'attended' });
  await turnOff(ola!.id, 'link_worker', 'referralPrompts');
  await createBooking(db, fourWeeks.sessionId, pip!.id, { attendance: 'no_show' });

  t.equal(await queueReferralPrompts(context(now)), 2, 'Mo is asked about both activities');
  t.equal(await queueReferralPrompts(context(new Date(now.getTime() + days(1)))), 0, 'the next day: nothing new');
  const prompts = await messagesOf('referral_prompt');
  t.same(
    prompts.map((m) => m.recipientEmail),
    ['mo-prompt@nhs.net', 'mo-prompt@nhs.net'],
  );
  const bySubject = Object.fromEntries(prompts.map((m) => [m.subject, m]));
  const garden = bySubject['Have you referred anyone to Garden volunteering?']!;
  t.match(garden.textBody, /It is 4 weeks since you tried Garden volunteering/);
  t.match(garden.textBody, new RegExp(`${BASE_URL}/referrals/new\\?offer=${fourWeeks.offerId}`));
  const museum = bySubject['Have you referred anyone to Museum handling?']!;
  t.match(museum.textBody, /It is 12 weeks since/);
});

t.test('the weekly digest lists sessions in the next fortnight with places left: every one for coordinators, their own for providers', async (t) => {
  const now = london('2027-11-01T08:00');
  const days = (n: number) => new Date(now.getTime() + n * 24 * HOUR);
  const open = await createTaster(db, { title: 'Printmaking', startsAt: days(3), capacity: 4 });
  const full = await createTaster(db, { title: 'Full pottery', startsAt: days(4), capacity: 1 });
  const far = await createTaster(db, { title: 'Far away', startsAt: days(20) });
  await createTaster(db, { title: 'Closed booking', startsAt: days(5), bookingClosesAt: new Date(now.getTime() - HOUR) });
  await createTaster(db, { title: 'Draft only', startsAt: days(6), status: 'draft' });
  const someone = await createUser(db, 'link_worker');
  await createBooking(db, open.sessionId, someone.id);
  await createBooking(db, full.sessionId, someone.id);
  const coordinator = await createUser(db, 'coordinator', { email: 'quinn-digest@nhs.net', name: 'Quinn' });
  const quiet = await createUser(db, 'coordinator', { email: 'ruth-digest@nhs.net' });
  await turnOff(quiet.id, 'coordinator', 'digests');
  const printmaker = await createUser(db, 'provider', { organisationId: open.organisationId, email: 'sol-digest@print.example' });
  await createUser(db, 'provider', { organisationId: full.organisationId, email: 'tia-digest@pottery.example' });
  await createUser(db, 'provider', { organisationId: far.organisationId, email: 'uma-digest@far.example' });

  const sent = await queueDigests(context(now));
  const digests = await messagesOf('digest');
  t.same(
    digests.map((m) => m.recipientEmail),
    ['quinn-digest@nhs.net', 'sol-digest@print.example'],
    'Quinn and the printmaker; not the full, far or quiet ones',
  );
  t.equal(sent, digests.length);
  const toQuinn = digests.find((m) => m.recipientEmail === coordinator.email)!;
  t.match(toQuinn.textBody, /Printmaking/);
  t.match(toQuinn.textBody, /Places left: 3 of 4/);
  t.notMatch(toQuinn.textBody, /Full pottery|Far away|Closed booking|Draft only/);
  t.match(toQuinn.textBody, new RegExp(`${BASE_URL}/sessions/${open.sessionId}`));
  const toPrintmaker = digests.find((m) => m.recipientEmail === printmaker.email)!;
  t.match(toPrintmaker.textBody, /of your organisation/);
  t.equal(toPrintmaker.dedupeKey, `digest:${printmaker.id}:${isoWeek(now)}`);
  t.equal(isoWeek(now), '2027-W44');

  t.equal(await queueDigests(context(new Date(now.getTime() + 2 * HOUR))), 0, 'a second run in the same week queues nothing');
  t.ok((await queueDigests(context(days(7)))) >= 1, 'next week brings a new digest');
});
