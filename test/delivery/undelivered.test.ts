import t from 'tap';
import { countGivenUp, GIVE_UP_AFTER, sendAgain } from '../../src/delivery/undelivered.ts';
import { DELIVER_QUEUE, startMessageWorker } from '../../src/delivery/worker.ts';
import { smtpMailer } from '../../src/messages/mailer.ts';
import { queueMessage } from '../../src/messages/outbox.ts';
import { uniqueEmail } from '../fixtures/accounts.ts';
import { createUser } from '../fixtures/builders.ts';
import { bossSchema, startSmtp, startTestBoss, waitFor } from '../fixtures/delivery.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
const schema = bossSchema(database);
t.teardown(async () => {
  await schema.drop();
  await database.close();
});
const app = await buildTestApp(t, database);
const coordinatorUser = await createUser(db, 'coordinator');
const { visitor: coordinator } = await signedIn(app, db, coordinatorUser);

let counter = 0;
async function failedMessage(subject: string, attempts: number, lastError = '550 5.1.1 Mailbox unavailable') {
  const dedupeKey = `undelivered-test:${counter++}`;
  await queueMessage(db, { dedupeKey, kind: 'test', to: uniqueEmail('reader'), subject, text: 'Hello.' });
  return db
    .updateTable('outboxMessages')
    .set({ attempts, lastError, dispatchedAt: new Date() })
    .where('dedupeKey', '=', dedupeKey)
    .returningAll()
    .executeTakeFirstOrThrow();
}
const row = (id: string) => db.selectFrom('outboxMessages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const auditEntries = (id: string) => db.selectFrom('auditEvents').selectAll().where('action', '=', 'message_sent_again').where('subjectId', '=', id).execute();

t.test('with nothing refused, the page says so and the home page raises nothing', async (t) => {
  const page = await coordinator.get('/messages/undelivered');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Emails not delivered');
  t.match(page.body, /Every email has been delivered\. Nothing is waiting\./);
  const home = await coordinator.get('/');
  t.notMatch(home.body, /nhsuk-warning-callout/);
  t.match(home.body, /href="\/messages\/undelivered"/, 'the page is one click from home');
});

t.test('a coordinator sees why each email failed, and sends again only those the automatic attempts gave up on', async (t) => {
  const stopped = await failedMessage('Your taster is cancelled <b>now</b>', GIVE_UP_AFTER);
  const trying = await failedMessage('Booking confirmed', 3, '451 4.3.0 Try again later');

  t.equal(await countGivenUp(db), 1);
  const home = await coordinator.get('/');
  t.match(home.body, /1 email has been refused by the mail server too many times and stopped/);

  const page = await coordinator.get('/messages/undelivered');
  t.match(page.body, /2 emails not delivered yet, newest first/);
  t.match(page.body, /Your taster is cancelled &lt;b&gt;now&lt;\/b&gt;/, 'the subject is text');
  t.match(page.body, /550 5\.1\.1 Mailbox unavailable/);
  t.match(page.body, /Stopped trying/);
  t.match(page.body, /Still trying automatically/);
  t.match(page.body, new RegExp(`action="/messages/undelivered/${stopped.id}/send-again"`));
  t.notMatch(page.body, new RegExp(`action="/messages/undelivered/${trying.id}/send-again"`), 'no button while it is still being tried');

  const refused = await coordinator.post(`/messages/undelivered/${trying.id}/send-again`, {});
  t.equal(refused.statusCode, 409);
  t.same(errorSummary(refused.body), [
    'messages: This email is still being tried automatically. It can be sent again by hand once the automatic attempts stop',
  ]);
  t.equal((await row(trying.id)).dispatchedAt?.getTime(), trying.dispatchedAt?.getTime(), 'nothing changed');

  const sent = await coordinator.post(`/messages/undelivered/${stopped.id}/send-again`, {});
  t.equal(sent.statusCode, 303);
  t.equal(sent.headers.location, '/messages/undelivered?done=sent-again');
  t.equal((await row(stopped.id)).dispatchedAt, null, 'handed back to the delivery worker');
  const after = await coordinator.get('/messages/undelivered?done=sent-again');
  t.match(after.body, /The email will be tried again within a minute/);
  t.match(after.body, /Sending again/);
  t.notMatch(after.body, new RegExp(`action="/messages/undelivered/${stopped.id}/send-again"`));
  t.equal(await countGivenUp(db), 0, 'the home page warning goes');

  // A second click (a stale page, a double submit) changes nothing more.
  t.equal((await coordinator.post(`/messages/undelivered/${stopped.id}/send-again`, {})).statusCode, 303);
  const entries = await auditEntries(stopped.id);
  t.equal(entries.length, 1, 'one audit entry');
  t.equal(entries[0]!.actorId, coordinatorUser.id);
  t.same(await auditEntries(trying.id), [], 'a refused attempt leaves none');

  await db.deleteFrom('outboxMessages').where('id', 'in', [stopped.id, trying.id]).execute();
});

t.test('an email delivered meanwhile, a made-up id and a malformed one', async (t) => {
  const delivered = await failedMessage('Delivered meanwhile', GIVE_UP_AFTER);
  await db.updateTable('outboxMessages').set({ sentAt: new Date() }).where('id', '=', delivered.id).execute();
  const late = await coordinator.post(`/messages/undelivered/${delivered.id}/send-again`, {});
  t.equal(late.statusCode, 409);
  t.same(errorSummary(late.body), ['messages: This email has been delivered since the page was shown. Nothing more needs doing']);
  t.match(late.body, /id="messages"/, 'the error links to a place on the page');
  t.equal((await coordinator.post('/messages/undelivered/00000000-0000-4000-8000-000000000000/send-again', {})).statusCode, 404);
  t.equal((await coordinator.post('/messages/undelivered/not-an-id/send-again', {})).statusCode, 404);
  t.equal((await coordinator.post(`/messages/undelivered/${'x'.repeat(5000)}/send-again`, {})).statusCode, 404);
  t.equal((await row(delivered.id)).dispatchedAt?.getTime(), delivered.dispatchedAt?.getTime());
  t.same(await auditEntries(delivered.id), []);
  await db.deleteFrom('outboxMessages').where('id', '=', delivered.id).execute();
});

t.test('other roles cannot see or send', async (t) => {
  const stopped = await failedMessage('Not for them', GIVE_UP_AFTER);
  for (const role of ['provider', 'link_worker'] as const) {
    const { visitor } = await signedIn(app, db, role);
    t.equal((await visitor.get('/messages/undelivered')).statusCode, 403, `${role}: the page`);
    t.equal((await visitor.post(`/messages/undelivered/${stopped.id}/send-again`, {})).statusCode, 403, `${role}: the button`);
    t.notMatch((await visitor.get('/')).body, /Emails not delivered/);
  }
  t.not((await row(stopped.id)).dispatchedAt, null);
  await db.deleteFrom('outboxMessages').where('id', '=', stopped.id).execute();
});

t.test('sent again, the stopped job runs once more and the email goes with its own Message-ID', async (t) => {
  const smtp = await startSmtp(t);
  const boss = await startTestBoss(t, database, schema.name);
  const mailer = smtpMailer({ url: smtp.url, from: 'Tasters <no-reply@tasters.test>', baseUrl: 'http://tasters.test' });
  // No retries: the first refusal stops the job, as 41 refusals over a day and a half would.
  const worker = await startMessageWorker({
    db,
    boss,
    mailer,
    dispatchIntervalMs: 100,
    pollingIntervalSeconds: 0.5,
    retry: { limit: 0, delaySeconds: 1, maxDelaySeconds: 1 },
  });
  t.teardown(() => worker.stop());

  smtp.refuseNext(1);
  const dedupeKey = 'undelivered-test:end-to-end';
  await queueMessage(db, { dedupeKey, kind: 'test', to: uniqueEmail('reader'), subject: 'Tried again', text: 'Hello.' });
  const { id } = await db.selectFrom('outboxMessages').select('id').where('dedupeKey', '=', dedupeKey).executeTakeFirstOrThrow();
  await waitFor(async () => (await boss.findJobs(DELIVER_QUEUE, { id }))[0]?.state === 'failed', 'the job to stop');
  t.equal(smtp.refused.length, 1);
  t.equal((await row(id)).sentAt, null);

  await db.updateTable('outboxMessages').set({ attempts: GIVE_UP_AFTER }).where('id', '=', id).execute();
  await db.transaction().execute((tx) => sendAgain(tx, { id: coordinatorUser.id }, id));
  const sent = await waitFor(async () => (await row(id)).sentAt && row(id), 'the email to go');
  t.equal(sent.attempts, GIVE_UP_AFTER + 1);
  t.equal(sent.lastError, null);
  t.ok(sent.dispatchedAt, 'dispatched again');
  t.same(
    smtp.accepted.map((m) => m.messageId),
    [`<${id}@tasters.test>`],
    'accepted once, with the same Message-ID',
  );
  t.equal((await boss.findJobs(DELIVER_QUEUE, { id }))[0]?.state, 'completed');
});
