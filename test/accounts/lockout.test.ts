import t from 'tap';
import { MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS } from '../../src/accounts/throttle.ts';
import { buildApp } from '../../src/app.ts';
import { testConfig } from '../../src/config.ts';
import { linkOnPage, runAccountRequests } from '../fixtures/accounts.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { createTestDatabase, heading, Visitor, validateEveryHtmlResponse } from '../helper.ts';
import { codeFor, setUpTwoStep } from './two-step/helpers.ts';

/**
 * A stranger's guesses never lock the owner out. Guesses from one address hold only that address;
 * guesses spread over many addresses hold only the password step, and the owner gets in with an
 * emailed sign-in link (then their security code, if they have two-step sign-in).
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const lines: string[] = [];
const app = await buildApp({
  config: testConfig({ twoStepRequiredRoles: ['coordinator'], logLevel: 'info' }),
  db,
  logStream: { write: (line: string) => void lines.push(line) },
});
validateEveryHtmlResponse(t, app);
t.teardown(() => app.close());

// Far more attempts than any limit: the stranger never stops.
const STRANGER_ATTEMPTS = MAX_FAILURES_PER_ACCOUNT + 10;
// Addresses that, each to its own limit, fill the account's limit across all addresses.
const ADDRESSES_TO_FILL = Math.ceil(MAX_FAILURES_PER_ACCOUNT / MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS);

let lastOctet = 10;
function visitorAt(address = `203.0.113.${lastOctet++}`): Visitor {
  const visitor = new Visitor(app);
  visitor.remoteAddress = address;
  return visitor;
}

function wrongCode(right: string) {
  return right === '000000' ? '999999' : '000000';
}

/** A coordinator (two-step required and set up) and their authenticator's secret. */
async function coordinatorWithTwoStep() {
  const user = await createUser(db, 'coordinator');
  const visitor = visitorAt();
  await visitor.signIn(user.email, PASSWORD);
  const { secret, recoveryCodes } = await setUpTwoStep(visitor);
  await visitor.post('/sign-out', {});
  return { user, secret, recoveryCodes };
}

/** A stranger at one address tries `count` wrong passwords; returns the answers' status codes. */
async function strangerGuessesPasswords(email: string, address: string, count: number) {
  const stranger = visitorAt(address);
  await stranger.get('/sign-in');
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await stranger.post('/sign-in', { email, password: `stranger guess ${i}` })).statusCode);
  return statuses;
}

/** A stranger who knows the password tries `count` wrong codes from one address. */
async function strangerGuessesCodes(email: string, secret: string, address: string, count: number) {
  const stranger = visitorAt(address);
  await stranger.signIn(email, PASSWORD);
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await stranger.post('/sign-in/two-step', { code: wrongCode(codeFor(secret)) })).statusCode);
  return statuses;
}

/** The newest sign-in link queued for this address (until email is sent, the outbox is the mailbox). */
async function signInLinkSentTo(email: string): Promise<string> {
  await runAccountRequests(db);
  const message = await db
    .selectFrom('outboxMessages')
    .select('textBody')
    .where('recipientEmail', '=', email)
    .where('kind', '=', 'sign_in_link')
    .orderBy('createdAt', 'desc')
    .executeTakeFirstOrThrow();
  return linkOnPage(message.textBody, '/sign-in/link/');
}

async function auditActions(userId: string) {
  const rows = await db.selectFrom('auditEvents').select(['action', 'details']).where('subjectId', '=', userId).orderBy('id').execute();
  return rows;
}

t.test('wrong passwords from one address, far past every limit: the owner signs in from another with the right password', async (t) => {
  const { user, secret } = await coordinatorWithTwoStep();
  const strangerAddress = '198.51.100.66';
  const statuses = await strangerGuessesPasswords(user.email, strangerAddress, STRANGER_ATTEMPTS);
  t.equal(statuses.filter((s) => s === 400).length, MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS, 'the stranger gets a few guesses checked');
  t.equal(statuses.filter((s) => s === 429).length, STRANGER_ATTEMPTS - MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS, 'then that address is held back');
  const strangerWithPassword = visitorAt(strangerAddress);
  await strangerWithPassword.get('/sign-in');
  t.equal((await strangerWithPassword.post('/sign-in', { email: user.email, password: PASSWORD })).statusCode, 429, 'even the right password from there waits');

  const owner = visitorAt();
  const password = await owner.signIn(user.email, PASSWORD);
  t.equal(password.headers.location, '/sign-in/two-step', 'the owner, elsewhere, passes the password step');
  // The next code from the app (the current one went on setting it up).
  const done = await owner.post('/sign-in/two-step', { code: codeFor(secret, 30) });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, '/');
  t.equal((await owner.get('/people')).statusCode, 200, 'and is signed in');
});

t.test('wrong passwords spread over many addresses: the owner gets an emailed link, signs in with it, then enters their code', async (t) => {
  const { user, secret } = await coordinatorWithTwoStep();
  // The stranger goes on from one more address than it takes.
  for (let a = 0; a <= ADDRESSES_TO_FILL; a++) await strangerGuessesPasswords(user.email, `192.0.2.${a + 1}`, MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS + 2);
  const owner = visitorAt();
  await owner.get('/sign-in');
  const held = await owner.post('/sign-in', { email: user.email, password: PASSWORD });
  t.equal(held.statusCode, 429, 'the password step is held for this account, from everywhere');
  t.equal(heading(held.body), 'Too many attempts');
  t.match(held.body, /from more than one place/);
  t.match(held.body, /Sign in now with a link we email to you/, 'the page says what to do now');
  t.match(held.body, /try again in \d+ minutes?/, 'and how long waiting would take');
  t.match(held.body, /<form action="\/sign-in\/email-link" method="post"/);
  t.match(held.body, new RegExp(`name="email" type="email" value="${user.email}"`), 'with their email address filled in');
  t.match(String(held.headers['retry-after']), /^\d+$/);

  const asked = await owner.post('/sign-in/email-link', { email: user.email });
  t.equal(asked.statusCode, 200);
  t.equal(heading(asked.body), 'Check your email');
  const link = await signInLinkSentTo(user.email);

  // Opened in another browser, as from a phone's mail app: no session is needed.
  const phone = visitorAt();
  const page = await phone.get(link);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Sign in to Tasters');
  const used = await phone.post(link, {});
  t.equal(used.statusCode, 303);
  t.equal(used.headers.location, '/sign-in/two-step', 'the link stands in for the password only: the code comes next');
  t.equal((await phone.get('/people')).statusCode, 302, 'not signed in yet');
  const wrong = await phone.post('/sign-in/two-step', { code: wrongCode(codeFor(secret)) });
  t.equal(wrong.statusCode, 400, 'a wrong code is refused');
  const done = await phone.post('/sign-in/two-step', { code: codeFor(secret, 30) });
  t.equal(done.statusCode, 303, 'the stranger’s failures do not hold the code after a link');
  t.equal((await phone.get('/people')).statusCode, 200, 'signed in');

  const actions = await auditActions(user.id);
  t.ok(
    actions.some((a) => a.action === 'sign_in_link_requested'),
    'asking for the link is audited',
  );
  t.ok(
    actions.some((a) => a.action === 'sign_in_link_used'),
    'so is using it',
  );
  t.same(actions.at(-1), { action: 'signed_in', details: { secondStep: 'code', firstStep: 'sign_in_link' } });
  const throttled = await db
    .selectFrom('auditEvents')
    .select('details')
    .where('action', '=', 'sign_in_throttled')
    .where('address', '=', owner.remoteAddress)
    .execute();
  t.same(
    throttled.map((r) => r.details),
    [{ limit: 'account' }],
    'the held attempt is audited with the limit that held it',
  );

  const log = lines.join('');
  t.match(log, /"event":"sign_in_throttled","limit":"account"/, 'and logged');
  t.notOk(log.includes('stranger guess'), 'no password in the log');
});

t.test('without two-step sign-in, the emailed link signs the owner straight in', async (t) => {
  const user = await createUser(db, 'link_worker');
  for (let a = 0; a < ADDRESSES_TO_FILL; a++) await strangerGuessesPasswords(user.email, `192.0.2.${100 + a}`, MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS);
  const owner = visitorAt();
  await owner.get('/sign-in');
  t.equal((await owner.post('/sign-in', { email: user.email, password: PASSWORD })).statusCode, 429);
  await owner.post('/sign-in/email-link', { email: user.email });
  const link = await signInLinkSentTo(user.email);
  await owner.get(link);
  const used = await owner.post(link, {});
  t.equal(used.headers.location, '/');
  t.equal((await owner.get('/account')).statusCode, 200, 'signed in');
});

t.test('wrong codes from one address by a stranger who has the password: the owner signs in from another', async (t) => {
  const { user, secret } = await coordinatorWithTwoStep();
  const statuses = await strangerGuessesCodes(user.email, secret, '198.51.100.77', STRANGER_ATTEMPTS);
  t.equal(statuses.filter((s) => s === 400).length, MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS);
  t.equal(statuses.filter((s) => s === 429).length, STRANGER_ATTEMPTS - MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS, 'then that address is held back');

  const owner = visitorAt();
  await owner.signIn(user.email, PASSWORD);
  const done = await owner.post('/sign-in/two-step', { code: codeFor(secret, 30) });
  t.equal(done.statusCode, 303, 'the owner elsewhere gets in with the password and the code');
  t.equal((await owner.get('/people')).statusCode, 200);
  const held = await db.selectFrom('auditEvents').select('details').where('action', '=', 'two_step_throttled').where('subjectId', '=', user.id).execute();
  t.ok(held.length > 0 && held.every((r) => (r.details as { limit: string }).limit === 'account_at_address'), 'the held codes are audited');
});

t.test(
  'wrong codes spread over many addresses: the owner uses the emailed link, then a recovery code; signed in, they can still manage two-step sign-in',
  async (t) => {
    const { user, secret, recoveryCodes } = await coordinatorWithTwoStep();
    for (let a = 0; a < ADDRESSES_TO_FILL; a++) await strangerGuessesCodes(user.email, secret, `192.0.2.${200 + a}`, MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS);
    const owner = visitorAt();
    await owner.get('/sign-in');
    const held = await owner.post('/sign-in', { email: user.email, password: PASSWORD });
    t.equal(held.statusCode, 429, 'the password path is held for this account');
    await owner.post('/sign-in/email-link', { email: user.email });
    const link = await signInLinkSentTo(user.email);
    await owner.get(link);
    t.equal((await owner.post(link, {})).headers.location, '/sign-in/two-step');
    const done = await owner.post('/sign-in/two-step', { code: recoveryCodes[0]! });
    t.equal(done.statusCode, 303, 'a recovery code works after the link');
    t.equal((await owner.get('/people')).statusCode, 200);

    const fresh = await owner.post('/account/two-step/recovery-codes', { code: codeFor(secret, 30) });
    t.equal(fresh.statusCode, 200, 'signed in, the owner can make new recovery codes while the stranger goes on');
    t.equal(heading(fresh.body), 'Your new recovery codes');
  },
);

t.test('the second step reached by password tells the owner about the link when strangers hold the account', async (t) => {
  const { user, secret } = await coordinatorWithTwoStep();
  const owner = visitorAt();
  await owner.signIn(user.email, PASSWORD);
  // Meanwhile strangers who also have the password fill the account's limit from elsewhere.
  for (let a = 0; a < ADDRESSES_TO_FILL; a++) await strangerGuessesCodes(user.email, secret, `192.0.2.${150 + a}`, MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS);
  const held = await owner.post('/sign-in/two-step', { code: codeFor(secret) });
  t.equal(held.statusCode, 429);
  t.match(held.body, /too many wrong security codes for this account recently, from more than one place/);
  t.match(held.body, /then you enter your security code again/);
  t.match(held.body, /<form action="\/sign-in\/email-link"/);
});
