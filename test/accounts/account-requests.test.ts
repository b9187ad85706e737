import t from 'tap';
import { ACCOUNT_REQUESTS_QUEUE, dispatchAccountRequests, startAccountRequestWorker } from '../../src/accounts/request-worker.ts';
import { linkOnPage, uniqueEmail } from '../fixtures/accounts.ts';
import { createUser } from '../fixtures/builders.ts';
import { bossSchema, startTestBoss, waitFor } from '../fixtures/delivery.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
const schema = bossSchema(database);
t.teardown(async () => {
  await schema.drop();
  await database.close();
});

const BASE_URL = 'https://tasters.test';
const PASSWORD = 'marmalade kettle harbour';

const messagesTo = (email: string) =>
  db.selectFrom('outboxMessages').select(['kind', 'subject', 'textBody', 'recipientId']).where('recipientEmail', '=', email).execute();

t.test('registration and reset requests are handled by a job on the queue, which writes the email', async (t) => {
  const boss = await startTestBoss(t, database, schema.name);
  const worker = await startAccountRequestWorker({ db, boss, baseUrl: BASE_URL, dispatchIntervalMs: 100, pollingIntervalSeconds: 0.5 });
  t.teardown(() => worker.stop());
  const app = await buildTestApp(t, database, { baseUrl: BASE_URL, smtpUrl: 'smtp://mail.tasters.test:587' });

  // A new address registers: the job sends its confirmation link.
  const email = uniqueEmail('queued');
  const visitor = new Visitor(app);
  await visitor.get('/register');
  const page = await visitor.post('/register', {
    name: 'Quinn Queue',
    email,
    practice: 'Hill Surgery',
    pcn: 'North PCN',
    password: PASSWORD,
    confirmPassword: PASSWORD,
  });
  t.equal(heading(page.body), 'Confirm your email address');
  const [confirmation] = await waitFor(async () => {
    const found = await messagesTo(email);
    return found.length ? found : null;
  }, 'the confirmation email');
  t.equal(confirmation!.kind, 'email_confirmation');
  t.match(confirmation!.textBody, `${BASE_URL}/register/confirm/`, 'a link at the configured address');
  const link = linkOnPage(confirmation!.textBody, '/register/confirm/');
  t.equal(heading((await new Visitor(app).post(link, { password: PASSWORD })).body), 'Your email address is confirmed');

  // Someone with an account asks for a reset, and so does an address without one.
  const member = await createUser(db, 'provider');
  const unknown = uniqueEmail('nobody');
  for (const address of [member.email, unknown]) {
    const asker = new Visitor(app);
    await asker.get('/reset-password');
    await asker.post('/reset-password', { email: address });
  }
  const [reset] = await waitFor(async () => {
    const found = await messagesTo(member.email);
    return found.length ? found : null;
  }, 'the reset email');
  t.equal(reset!.kind, 'password_reset');
  t.equal(reset!.recipientId, member.id);
  t.match(reset!.textBody, `${BASE_URL}/reset-password/`);
  await waitFor(async () => (await db.selectFrom('accountRequests').select('id').execute()).length === 0, 'every request to be handled');
  t.same(await messagesTo(unknown), [], 'nothing to an address without an account');

  const jobs = await boss.findJobs<{ requestId: string }>(ACCOUNT_REQUESTS_QUEUE);
  t.same(
    jobs.map((job) => [job.state, (job.output as { outcome?: string } | null)?.outcome]).sort(),
    [
      ['completed', 'confirmation_sent'],
      ['completed', 'no_reset'],
      ['completed', 'reset_sent'],
    ],
    'one job per request, each finished',
  );
});

t.test('a request dispatched twice, or by two instances at once, is one job and one email', async (t) => {
  const boss = await startTestBoss(t, database, schema.name);
  const app = await buildTestApp(t, database, { baseUrl: BASE_URL, smtpUrl: 'smtp://mail.tasters.test:587' });
  const member = await createUser(db, 'link_worker');
  const asker = new Visitor(app);
  await asker.get('/reset-password');
  await asker.post('/reset-password', { email: member.email });
  const [request] = await db.selectFrom('accountRequests').select('id').execute();
  await Promise.all([dispatchAccountRequests(db, boss), dispatchAccountRequests(db, boss)]);
  // Handed out again, as after a crash between making the job and marking the row.
  await db.updateTable('accountRequests').set({ dispatchedAt: null }).execute();
  await dispatchAccountRequests(db, boss);
  const jobs = await boss.findJobs(ACCOUNT_REQUESTS_QUEUE, { id: request!.id });
  t.equal(jobs.length, 1, 'one job');

  const worker = await startAccountRequestWorker({ db, boss, baseUrl: BASE_URL, dispatchIntervalMs: 100, pollingIntervalSeconds: 0.5 });
  t.teardown(() => worker.stop());
  await waitFor(async () => (await db.selectFrom('accountRequests').select('id').execute()).length === 0, 'the request to be handled');
  t.equal((await messagesTo(member.email)).length, 1, 'one email');
});
