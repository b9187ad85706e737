import t from 'tap';
import { redactUrl } from '../../src/app.ts';
import { testConfig } from '../../src/config.ts';
import { queueDayReminders } from '../../src/days/reminders.ts';
import { renderPendingMessages } from '../../src/delivery/render.ts';
import { reminderTime } from '../../src/delivery/scheduled.ts';
import { onlyEvent } from '../bookings/calendar/parse.ts';
import { createDay, registrationBody } from '../fixtures/days.ts';
import { at } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';

/**
 * The emails of taster days: queued as facts under the day's lock, written by the delivery worker.
 * A registration is confirmed with the person's programme and a calendar event; a waiting one gets
 * its position; a promotion from the day's or a taster's waiting list is emailed.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const BASE_URL = 'https://tasters.test';
const SECRET = testConfig().sessionSecret;
const app = await buildTestApp(t, database, { baseUrl: BASE_URL });

async function messagesTo(userId: string) {
  await renderPendingMessages(db, { recipientId: userId });
  return db.selectFrom('outboxMessages').selectAll().where('recipientId', '=', userId).orderBy('createdAt').orderBy('id').execute();
}

t.test('a confirmed registration is emailed with the programme, the chosen taster’s room and what to bring, and the day’s calendar event', async (t) => {
  const day = await createDay(db);
  await db.updateTable('dayTasters').set({ whatToBring: 'Comfortable shoes' }).where('id', '=', day.tasters[2]!.id).execute();
  const { user, visitor } = await signedIn(app, db, 'link_worker', { name: 'Ada Lovelace' });
  await visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[2]!.id }));
  const [message, ...more] = await messagesTo(user.id);
  t.equal(more.length, 0, 'one message');
  t.equal(message!.kind, 'day_registered');
  t.match(message!.subject, /^Registered: Knowledge-exchange day/);
  t.match(message!.textBody, /Dear Ada Lovelace,/);
  t.match(message!.textBody, /You have a place on this taster day, as link worker/);
  t.match(message!.textBody, /Welcome and research findings/);
  t.match(message!.textBody, /Cartoon drawing taster, run by Cartoon drawing/);
  t.match(message!.textBody, /Room: Room 3/);
  t.match(message!.textBody, /What to bring: Comfortable shoes/);
  t.match(message!.textBody, new RegExp(`${BASE_URL}/days/${day.id}`));
  t.equal(message!.attachments.length, 1);
  const event = onlyEvent(message!.attachments[0]!.content);
  t.equal(event.method, 'PUBLISH');
  const stored = await db.selectFrom('tasterDays').select(['startsAt', 'endsAt']).where('id', '=', day.id).executeTakeFirstOrThrow();
  t.equal(event.startUtc, new Date(stored.startsAt).toISOString());
  t.equal(event.endUtc, new Date(stored.endsAt).toISOString());
  t.match(event.summary, /^Taster day: Knowledge-exchange day/);
  t.match(event.description, /Cartoon drawing taster \(Room 3\)/);
});

t.test('a registration on the waiting list is told its position, with no calendar event', async (t) => {
  const day = await createDay(db, { linkWorkerPlaces: 1 });
  const first = await signedIn(app, db, 'link_worker');
  const second = await signedIn(app, db, 'link_worker');
  await first.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  await second.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  const [message] = await messagesTo(second.user.id);
  t.match(message!.subject, /^Waiting list: /);
  t.match(message!.textBody, /You are number 1 on the waiting list/);
  t.match(message!.textBody, /Singing taster, run by Singing .*\(waiting for a place on the day first\)/);
  t.same(message!.attachments, []);
});

t.test('a person promoted from the day’s waiting list is emailed, once, with the calendar event', async (t) => {
  const day = await createDay(db, { linkWorkerPlaces: 1 });
  const first = await signedIn(app, db, 'link_worker');
  const second = await signedIn(app, db, 'link_worker', { name: 'Bo Diddley' });
  await first.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  await second.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[1]!.id }));
  t.equal((await first.visitor.post(`/days/${day.id}/cancel`, {})).statusCode, 303);
  const messages = await messagesTo(second.user.id);
  t.same(
    messages.map((m) => m.kind),
    ['day_registered', 'day_promoted'],
  );
  const promoted = messages[1]!;
  t.match(promoted.subject, /^You have a place: /);
  t.match(promoted.textBody, /A place for link worker has become free/);
  t.match(promoted.textBody, /Origami taster, run by Origami [^\n(]*\n/, 'their taster came with the place');
  const event = onlyEvent(promoted.attachments[0]!.content);
  t.equal(event.sequence, 1, 'a promoted registration’s event is one version on');
});

t.test('a person promoted from a taster’s waiting list is emailed', async (t) => {
  const day = await createDay(db, { tasterPlaces: [1, 5] });
  const first = await signedIn(app, db, 'link_worker');
  const second = await signedIn(app, db, 'link_worker');
  await first.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  await second.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  t.equal((await first.visitor.post(`/days/${day.id}/choices`, { [`slot-${day.slotId}`]: day.tasters[1]!.id })).statusCode, 303);
  const messages = await messagesTo(second.user.id);
  t.same(
    messages.map((m) => m.kind),
    ['day_registered', 'day_taster_promoted'],
  );
  t.match(messages[1]!.subject, /^You have a place on Singing taster: /);
  t.match(messages[1]!.textBody, /Singing taster, run by Singing [^\n(]*\n/);
  t.same(
    (await messagesTo(first.user.id)).map((m) => m.kind),
    ['day_registered'],
    'moving to a taster with room is no news to email',
  );
});

t.test('the day before: a reminder with the programme and a one-click release; only link workers’ carries List-Unsubscribe', async (t) => {
  const startsAt = at(2, 10);
  const day = await createDay(db, { startsAt, bookingClosesAt: new Date(Date.now() + 3_600_000), linkWorkerPlaces: 1 });
  const linkWorker = await signedIn(app, db, 'link_worker');
  const waiting = await signedIn(app, db, 'link_worker');
  const staff = await signedIn(app, db, 'provider');
  await linkWorker.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  await waiting.visitor.post(`/days/${day.id}/register`, registrationBody({ [day.slotId]: day.tasters[0]!.id }));
  await staff.visitor.post(`/days/${day.id}/register`, {});
  await db
    .updateTable('dayRegistrations')
    .set({ confirmedAt: new Date(Date.now() - 3 * 86_400_000) })
    .where('tasterDayId', '=', day.id)
    .execute();
  const context = { db, baseUrl: BASE_URL, secret: SECRET };

  t.equal(await queueDayReminders({ ...context, now: new Date(reminderTime(startsAt).getTime() - 60_000) }), 0, 'not before 9am the day before');
  const now = new Date(reminderTime(startsAt).getTime() + 60_000);
  t.equal(await queueDayReminders({ ...context, now }), 2, 'one for each person with a place');
  t.equal(await queueDayReminders({ ...context, now }), 0, 'running the job again queues nothing');

  const reminder = (await messagesTo(linkWorker.user.id)).find((m) => m.kind === 'day_reminder')!;
  t.match(reminder.subject, /^Reminder: Knowledge-exchange day .* tomorrow$/);
  t.match(reminder.textBody, /Singing taster, run by Singing/);
  t.match(reminder.textBody, /Room: Room 1/);
  t.match(String(reminder.unsubscribeUrl), new RegExp(`^${BASE_URL}/unsubscribe/${linkWorker.user.id}\\.reminders\\.`));
  t.match(reminder.textBody, /Stop getting reminders:/);
  const release = /I can’t come – release my place:\n(\S+)/.exec(reminder.textBody ?? '')?.[1];
  t.match(String(release), new RegExp(`^${BASE_URL}/release-day-place/`));
  const staffReminder = (await messagesTo(staff.user.id)).find((m) => m.kind === 'day_reminder')!;
  t.equal(staffReminder.unsubscribeUrl, null, 'cultural-sector staff have no reminder choice to switch off');
  t.same(
    (await messagesTo(waiting.user.id)).map((m) => m.kind),
    ['day_registered'],
    'nobody waiting is reminded',
  );

  // The link releases the place without signing in, once; the next person gets it and is emailed.
  const visitor = new Visitor(app);
  const path = release!.slice(BASE_URL.length);
  const page = await visitor.get(path);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Release your place');
  t.match(page.body, /<button[^>]*>Release my place<\/button>/);
  t.equal((await visitor.post(path, {}, { csrf: false })).statusCode, 403, 'the form needs its CSRF token');
  const done = await visitor.post(path, {});
  t.equal(done.statusCode, 200);
  t.equal(heading(done.body), 'Your place has been released');
  const statuses = await db.selectFrom('dayRegistrations').select(['userId', 'status']).where('tasterDayId', '=', day.id).execute();
  t.equal(statuses.find((r) => r.userId === linkWorker.user.id)!.status, 'cancelled');
  t.equal(statuses.find((r) => r.userId === waiting.user.id)!.status, 'confirmed');
  t.same(
    (await messagesTo(waiting.user.id)).map((m) => m.kind),
    ['day_registered', 'day_promoted'],
  );
  const again = await visitor.post(path, {});
  t.equal(again.statusCode, 410);
  t.equal(heading(again.body), 'This place has already been released');

  // An altered link opens nothing.
  const altered = `${path.slice(0, -1)}${path.endsWith('A') ? 'B' : 'A'}`;
  t.equal((await visitor.get(altered)).statusCode, 404);
  t.equal((await visitor.get(`/release-day-place/${'x'.repeat(300)}`)).statusCode, 404);
  t.equal(redactUrl(path), '/release-day-place/[redacted]', 'the link never reaches the log');
});
