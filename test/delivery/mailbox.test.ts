import t from 'tap';
import { queueMessage } from '../../src/messages/outbox.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, heading } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());
const app = await buildTestApp(t, database);
const { visitor: coordinator } = await signedIn(app, db, 'coordinator');

await queueMessage(db, {
  dedupeKey: 'mailbox-test:1',
  kind: 'test',
  to: 'ann@nhs.net',
  subject: 'For Ann <b>bold</b>',
  text: 'Open https://tasters.test/bookings/1 to see it.\n<script>alert(1)</script>',
  attachments: [{ filename: 'taster-booking.ics', contentType: 'text/calendar; charset=utf-8', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' }],
});
await queueMessage(db, { dedupeKey: 'mailbox-test:2', kind: 'test', to: 'bill@nhs.net', subject: 'For Bill', text: 'Hello Bill.' });
const ann = await db.selectFrom('outboxMessages').selectAll().where('dedupeKey', '=', 'mailbox-test:1').executeTakeFirstOrThrow();

t.test('coordinators read every message, with working links, and can narrow it to one person', async (t) => {
  const page = await coordinator.get('/dev/mailbox');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Development mailbox');
  t.match(page.body, /Email delivery is not set up on this copy of Tasters, so the messages it writes are delivered here instead/);
  t.match(page.body, /For Ann &lt;b&gt;bold&lt;\/b&gt;/);
  t.match(page.body, /<a href="https:\/\/tasters\.test\/bookings\/1">https:\/\/tasters\.test\/bookings\/1<\/a>/, 'links in the text can be followed');
  t.notMatch(page.body, /<script>alert/, 'the text is text');
  t.match(page.body, /Waiting to be delivered/);
  t.match(page.body, new RegExp(`href="/dev/mailbox/${ann.id}/html"`));
  t.match(page.body, new RegExp(`href="/dev/mailbox/${ann.id}/attachments/0"[^>]*>taster-booking\\.ics`));

  const onlyBill = await coordinator.get('/dev/mailbox?to=BILL%40nhs.net');
  t.match(onlyBill.body, /For Bill/);
  t.notMatch(onlyBill.body, /For Ann/);
  t.match(onlyBill.body, /value="bill@nhs.net"/);

  await db.updateTable('outboxMessages').set({ sentAt: new Date(), deliveredVia: 'mailbox', attempts: 1 }).where('id', '=', ann.id).execute();
  t.match((await coordinator.get('/dev/mailbox?to=ann%40nhs.net')).body, /Delivered to this mailbox/);
});

t.test('the HTML version is shown as its own sandboxed document, and attachments download', async (t) => {
  const html = await coordinator.get(`/dev/mailbox/${ann.id}/html`);
  t.equal(html.statusCode, 200);
  t.match(html.headers['content-type'], /^text\/html/);
  t.match(html.headers['content-security-policy'], /default-src 'none'/);
  t.match(html.headers['content-security-policy'], /sandbox/);
  t.match(html.body, /<a href="https:\/\/tasters\.test\/bookings\/1"/);
  t.notMatch(html.body, /<script>alert/);
  const file = await coordinator.get(`/dev/mailbox/${ann.id}/attachments/0`);
  t.equal(file.statusCode, 200);
  t.match(file.headers['content-type'], /^text\/calendar/);
  t.match(file.headers['content-disposition'], /attachment; filename="taster-booking\.ics"/);
  t.equal((await coordinator.get(`/dev/mailbox/${ann.id}/attachments/3`)).statusCode, 404);
  t.equal((await coordinator.get('/dev/mailbox/not-an-id/html')).statusCode, 404);
});

t.test('other roles may not read it, and production has no mailbox at all', async (t) => {
  const { visitor: linkWorker } = await signedIn(app, db, 'link_worker');
  t.equal((await linkWorker.get('/dev/mailbox')).statusCode, 403);
  const production = await buildTestApp(t, database, { env: 'production', smtpUrl: 'smtp://mail.tasters.test' });
  await production.ready();
  const routes = production.printRoutes({ commonPrefix: false });
  t.notMatch(routes, /mailbox/, 'the route does not exist');
  t.match(routes, /release-place/, 'the release link does');
});
