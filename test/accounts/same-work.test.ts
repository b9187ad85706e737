import t from 'tap';
import { runAccountRequests, uniqueEmail } from '../fixtures/accounts.ts';
import { createUser } from '../fixtures/builders.ts';
import { databaseDigest, rowCountChanges, tableRowCounts } from '../fixtures/database.ts';
import { buildTestApp, createTestDatabase, Visitor } from '../helper.ts';

/*
 * Whether an address has an account must not show in what a request does: the answer, and the
 * work behind it. Timing is what it would show in, but timing tests are flaky; what the request
 * writes is what decides its time, so these compare that, table by table, for addresses with an
 * account (active, disabled, left unconfirmed) and without. What differs happens later, on the
 * job queue.
 */

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const PASSWORD = 'marmalade kettle harbour';

/** What one form post wrote: the tables whose row counts changed, by how much, and the tables whose contents changed. */
async function writesOf(url: string, form: Record<string, string>) {
  const visitor = new Visitor(app);
  await visitor.get(url);
  const [countsBefore, digestBefore] = [await tableRowCounts(db), await databaseDigest(db)];
  const response = await visitor.post(url, form);
  const [countsAfter, digestAfter] = [await tableRowCounts(db), await databaseDigest(db)];
  const changed = Object.keys(digestAfter).filter((table) => digestAfter[table] !== digestBefore[table]);
  return { status: response.statusCode, rows: rowCountChanges(countsBefore, countsAfter), changed };
}

async function addresses() {
  return {
    unknown: uniqueEmail('nobody'),
    active: (await createUser(db, 'link_worker')).email,
    disabled: (await createUser(db, 'link_worker', { status: 'disabled' })).email,
    unconfirmed: (await createUser(db, 'link_worker', { status: 'unconfirmed' })).email,
  };
}

t.test('asking for a password reset writes the same for every address: one request for the job', async (t) => {
  const emails = await addresses();
  for (const [kind, email] of Object.entries(emails)) {
    const writes = await writesOf('/reset-password', { email });
    t.same(writes, { status: 200, rows: { account_requests: 1 }, changed: ['account_requests'] }, kind);
  }
  await runAccountRequests(db);
  const sent = await db.selectFrom('outboxMessages').select('recipientEmail').where('kind', '=', 'password_reset').execute();
  t.same(
    sent.map((m) => m.recipientEmail).filter((e) => Object.values(emails).includes(e)),
    [emails.active],
    'then the job writes to the active account only',
  );
});

t.test('registering writes the same for every address: one request for the job', async (t) => {
  const emails = await addresses();
  for (const [kind, email] of Object.entries(emails)) {
    const writes = await writesOf('/register', {
      name: 'Rosa Link',
      email,
      practice: 'Hill Surgery',
      pcn: 'North PCN',
      password: PASSWORD,
      confirmPassword: PASSWORD,
    });
    t.same(writes, { status: 200, rows: { account_requests: 1 }, changed: ['account_requests'] }, kind);
  }
  await runAccountRequests(db);
  const kinds = async (email: string) =>
    (await db.selectFrom('outboxMessages').select('kind').where('recipientEmail', '=', email).execute()).map((m) => m.kind);
  t.same(await kinds(emails.unknown), ['email_confirmation'], 'then the job sends a new address its link');
  t.same(await kinds(emails.active), ['already_registered'], 'and an account holder the reminder');
});

t.test('asking for a sign-in link writes the same for every address: one request for the job', async (t) => {
  const emails = await addresses();
  for (const [kind, email] of Object.entries(emails)) {
    const writes = await writesOf('/sign-in/email-link', { email });
    t.same(writes, { status: 200, rows: { account_requests: 1 }, changed: ['account_requests'] }, kind);
  }
  await runAccountRequests(db);
  const sent = await db.selectFrom('outboxMessages').select('recipientEmail').where('kind', '=', 'sign_in_link').execute();
  t.same(
    sent.map((m) => m.recipientEmail).filter((e) => Object.values(emails).includes(e)),
    [emails.active],
    'then the job writes to the active account only',
  );
});

t.test('a refused sign-in writes the same whether or not the address has an account', async (t) => {
  const emails = await addresses();
  const expected = { status: 400, rows: { audit_events: 1, sign_in_attempts: 1 }, changed: ['audit_events'] };
  for (const [kind, email] of Object.entries(emails)) {
    const writes = await writesOf('/sign-in', { email, password: 'a guess at the password' });
    // The login session is written for every request alike (the CSRF token); it is left out.
    delete writes.rows.login_sessions;
    t.same(writes, expected, kind);
  }
});
