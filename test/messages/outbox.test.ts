import t from 'tap';
import { deliverMessage, startMessageWorker } from '../../src/delivery/worker.ts';
import { mailboxMailer, messageIdFor, smtpMailer } from '../../src/messages/mailer.ts';
import { queueMessage } from '../../src/messages/outbox.ts';
import { uniqueEmail } from '../fixtures/accounts.ts';
import { bossSchema, startSmtp, startTestBoss, waitFor } from '../fixtures/delivery.ts';
import { createTestDatabase } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
const schema = bossSchema(database);
t.teardown(async () => {
  await schema.drop();
  await database.close();
});

const BASE_URL = 'http://tasters.test';
let counter = 0;
const message = (overrides: Partial<Parameters<typeof queueMessage>[1]> = {}) => ({
  dedupeKey: `test:${Date.now()}:${counter++}`,
  kind: 'test',
  to: uniqueEmail('reader'),
  subject: 'A test message',
  text: 'Hello.\n\nSee https://tasters.test/find for more.\n',
  ...overrides,
});

async function queued(dedupeKey: string) {
  return db.selectFrom('outboxMessages').selectAll().where('dedupeKey', '=', dedupeKey).execute();
}

t.test('a message exists only if the transaction that wrote it commits', async (t) => {
  const kept = message();
  await db.transaction().execute((tx) => queueMessage(tx, kept));
  t.equal((await queued(kept.dedupeKey)).length, 1, 'committed: the message is in the outbox');

  const lost = message();
  await t.rejects(
    db.transaction().execute(async (tx) => {
      await queueMessage(tx, lost);
      throw new Error('the change failed after queueing its message');
    }),
  );
  t.equal((await queued(lost.dedupeKey)).length, 0, 'rolled back: no message');
});

t.test('the same event queues its message once, and every message gets an HTML version with working links', async (t) => {
  const first = message();
  t.equal(await queueMessage(db, first), true);
  t.equal(await queueMessage(db, { ...first, subject: 'Queued again' }), false, 'the second is ignored');
  const rows = await queued(first.dedupeKey);
  t.equal(rows.length, 1);
  t.equal(rows[0]!.subject, 'A test message');
  t.match(rows[0]!.htmlBody!, /<a href="https:\/\/tasters\.test\/find"[^>]*>https:\/\/tasters\.test\/find<\/a>/, 'the address is a link');
  t.match(rows[0]!.htmlBody!, /<html lang="en-GB">/);

  const hostile = message({ subject: '<script>alert(1)</script>', text: '<img src=x onerror=alert(2)> https://tasters.test/"><b>' });
  await queueMessage(db, hostile);
  const [row] = await queued(hostile.dedupeKey);
  t.notMatch(row!.htmlBody!, /<script>|<img|<b>/, 'text never becomes markup');
  t.match(row!.htmlBody!, /&lt;img src=x onerror=alert\(2\)&gt;/);
});

t.test('delivery over SMTP: the Message-ID is the outbox id, and sent_at is written only after the server accepts', async (t) => {
  const smtp = await startSmtp(t);
  const mailer = smtpMailer({ url: smtp.url, from: 'Tasters <no-reply@tasters.test>', baseUrl: BASE_URL });
  t.teardown(() => mailer.close());
  const input = message();
  await queueMessage(db, {
    ...input,
    attachments: [{ filename: 'taster.ics', contentType: 'text/calendar; charset=utf-8', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' }],
  });
  const [row] = await queued(input.dedupeKey);

  smtp.refuseNext(1);
  await t.rejects(deliverMessage(db, mailer, row!.id), /451/, 'a refusal is reported, so the job is retried');
  const refused = (await queued(input.dedupeKey))[0]!;
  t.equal(refused.sentAt, null, 'not marked sent');
  t.equal(refused.attempts, 1);
  t.match(refused.lastError, /451/);

  t.equal(await deliverMessage(db, mailer, row!.id), 'sent');
  const sent = (await queued(input.dedupeKey))[0]!;
  t.ok(sent.sentAt, 'marked sent');
  t.equal(sent.deliveredVia, 'smtp');
  t.equal(sent.attempts, 2);
  t.equal(sent.lastError, null);
  t.equal(smtp.accepted.length, 1);
  const mail = smtp.accepted[0]!;
  t.equal(mail.messageId, messageIdFor(row!.id, BASE_URL));
  t.equal(mail.messageId, `<${row!.id}@tasters.test>`);
  t.same(mail.to, [input.to]);
  t.match(mail.raw, /^Subject: A test message/m);
  t.match(mail.raw, /multipart\/alternative/, 'plain text and HTML');
  t.match(mail.raw, /filename=taster\.ics/, 'with the attachment');
  t.match(mail.raw, /^From: Tasters <no-reply@tasters\.test>/m);

  t.equal(await deliverMessage(db, mailer, row!.id), 'already_sent', 'a delivered message is not sent again');
  t.equal(smtp.accepted.length, 1);
});

t.test('a crash between sending and recording sends the message again with the same Message-ID, never loses it', async (t) => {
  const smtp = await startSmtp(t);
  const mailer = smtpMailer({ url: smtp.url, from: 'Tasters <no-reply@tasters.test>', baseUrl: BASE_URL });
  t.teardown(() => mailer.close());
  const input = message();
  await queueMessage(db, input);
  const [row] = await queued(input.dedupeKey);
  await deliverMessage(db, mailer, row!.id);
  // What a crash right after the server accepted, before sent_at was written, leaves behind.
  await db.updateTable('outboxMessages').set({ sentAt: null, deliveredVia: null }).where('id', '=', row!.id).execute();
  t.equal(await deliverMessage(db, mailer, row!.id), 'sent', 'the retried job sends it again');
  t.equal(smtp.accepted.length, 2, 'the server received it twice');
  t.equal(smtp.accepted[0]!.messageId, smtp.accepted[1]!.messageId, 'with the same Message-ID both times');
  t.equal(smtp.accepted[0]!.messageId, `<${row!.id}@tasters.test>`);
});

t.test('two workers deliver each message exactly once', async (t) => {
  const smtp = await startSmtp(t);
  const workers = [];
  for (let i = 0; i < 2; i++) {
    const boss = await startTestBoss(t, database, schema.name);
    const mailer = smtpMailer({ url: smtp.url, from: 'Tasters <no-reply@tasters.test>', baseUrl: BASE_URL });
    const worker = await startMessageWorker({ db, boss, mailer, dispatchIntervalMs: 100, pollingIntervalSeconds: 0.5, batchSize: 5 });
    t.teardown(() => worker.stop());
    workers.push(worker);
  }
  const inputs = Array.from({ length: 24 }, () => message({ kind: 'two_workers' }));
  for (const input of inputs) await queueMessage(db, input);
  // Both dispatch the same new rows at the same moment: still one job per message.
  await Promise.all(workers.map((worker) => worker.dispatchNow()));
  const ids = new Set((await db.selectFrom('outboxMessages').select('id').where('kind', '=', 'two_workers').execute()).map((r) => r.id));
  await waitFor(
    async () => (await db.selectFrom('outboxMessages').select('id').where('kind', '=', 'two_workers').where('sentAt', 'is', null).execute()).length === 0,
    'every message to be sent',
  );
  // Earlier tests left a few messages unsent; the workers deliver those too. None may come twice.
  const all = smtp.accepted.map((m) => m.messageId);
  t.equal(new Set(all).size, all.length, 'no Message-ID reached the server twice');
  const expected = [...ids].map((id) => `<${id}@tasters.test>`);
  const received = all.filter((id) => expected.includes(id));
  t.equal(received.length, 24, 'the server received each of the 24 messages');
  t.same(new Set(received), new Set(expected), 'one for each outbox message');
  const rows = await db.selectFrom('outboxMessages').select(['attempts']).where('kind', '=', 'two_workers').execute();
  t.ok(
    rows.every((r) => r.attempts === 1),
    'each delivered in one attempt',
  );
});

t.test('a mail server that refuses for a while is retried with backoff until it accepts', async (t) => {
  const smtp = await startSmtp(t);
  const boss = await startTestBoss(t, database, schema.name);
  const mailer = smtpMailer({ url: smtp.url, from: 'Tasters <no-reply@tasters.test>', baseUrl: BASE_URL });
  const worker = await startMessageWorker({
    db,
    boss,
    mailer,
    dispatchIntervalMs: 100,
    pollingIntervalSeconds: 0.5,
    retry: { limit: 5, delaySeconds: 1, maxDelaySeconds: 2 },
  });
  t.teardown(() => worker.stop());
  smtp.refuseNext(2);
  const input = message({ kind: 'outage' });
  await queueMessage(db, input);
  const row = await waitFor(async () => (await queued(input.dedupeKey)).find((r) => r.sentAt), 'the message to get through');
  t.equal(smtp.refused.length, 2, 'refused twice with 451');
  t.equal(smtp.accepted.length, 1, 'then accepted once');
  t.same(smtp.refused, [`<${row.id}@tasters.test>`, `<${row.id}@tasters.test>`], 'the same message each time');
  t.equal(smtp.accepted[0]!.messageId, `<${row.id}@tasters.test>`);
  t.equal(row.attempts, 3);
  t.equal(row.lastError, null);
  const job = (await boss.findJobs('messages-deliver', { id: row.id }))[0]!;
  t.equal(job.state, 'completed');
  t.equal(job.retryCount, 2, 'pg-boss retried the job twice');
});

t.test('with no SMTP server, the worker delivers to the development mailbox', async (t) => {
  const boss = await startTestBoss(t, database, schema.name);
  const worker = await startMessageWorker({ db, boss, mailer: mailboxMailer(), dispatchIntervalMs: 100, pollingIntervalSeconds: 0.5 });
  t.teardown(() => worker.stop());
  const input = message({ kind: 'mailbox' });
  await queueMessage(db, input);
  const row = await waitFor(async () => (await queued(input.dedupeKey)).find((r) => r.sentAt), 'the message to reach the mailbox');
  t.equal(row.deliveredVia, 'mailbox');
  t.equal(row.attempts, 1);
});
