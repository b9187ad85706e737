import t from 'tap';
import { renderPendingMessages } from '../../src/delivery/render.ts';
import { onlyEvent } from '../bookings/calendar/parse.ts';
import { createDay, registrationBody } from '../fixtures/days.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase } from '../helper.ts';

/**
 * The emails of taster days: queued as facts under the day's lock, written by the delivery worker.
 * A registration is confirmed with the person's programme and a calendar event; a waiting one gets
 * its position; a promotion from the day's or a taster's waiting list is emailed.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const BASE_URL = 'https://tasters.test';
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
