import t from 'tap';
import {
  MAX_ACCOUNTS_FAILED_PER_ADDRESS,
  MAX_FAILURES_PER_ACCOUNT,
  MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS,
  THROTTLE_WINDOW_MINUTES,
} from '../../src/accounts/throttle.ts';
import { runAccountRequests, uniqueEmail } from '../fixtures/accounts.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

// Each test signs in from its own address, so the per-address count of one does not reach another.
let lastOctet = 10;
function visitorFromNewAddress(): Visitor {
  const visitor = new Visitor(app);
  visitor.remoteAddress = `198.51.100.${lastOctet++}`;
  return visitor;
}

async function signInAttempt(visitor: Visitor, email: string, password: string) {
  await visitor.get('/sign-in');
  return visitor.post('/sign-in', { email, password });
}

/** Pretends the attempts so far happened long enough ago to be outside the window. */
async function moveAttemptsBack(where: { email?: string; address?: string }, minutes: number) {
  let query = db.updateTable('signInAttempts').set({ attemptedAt: new Date(Date.now() - minutes * 60_000) } as never);
  if (where.email) query = query.where('email', '=', where.email);
  if (where.address) query = query.where('address', '=', where.address);
  await query.execute();
}

t.test(
  `after ${MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS} wrong passwords from one address, that address waits for that account, even with the right password`,
  async (t) => {
    const user = await createUser(db, 'link_worker');
    const visitor = visitorFromNewAddress();
    for (let i = 1; i <= MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS; i++) {
      const response = await signInAttempt(visitor, user.email, `wrong password number ${i}`);
      t.equal(response.statusCode, 400, `attempt ${i} is an ordinary refusal`);
    }
    const throttled = await signInAttempt(visitor, user.email, PASSWORD);
    t.equal(throttled.statusCode, 429, 'the next attempt from there is throttled although the password is right');
    t.equal(heading(throttled.body), 'Too many attempts');
    t.match(throttled.body, /too many attempts to sign in for this account from here/);
    t.match(throttled.body, /try again in (\d+) minutes/);
    const minutes = Number(/try again in (\d+) minutes/.exec(throttled.body)?.[1]);
    t.ok(minutes >= 1 && minutes <= THROTTLE_WINDOW_MINUTES, `says when (${minutes} minutes)`);
    t.equal(throttled.headers['retry-after'], String(minutes * 60), 'Retry-After header in seconds');
    t.match(throttled.body, /Sign in now with a link we email to you/, 'and offers the emailed link instead of waiting');
    t.notOk(visitor.cookies['tasters-session'], 'not signed in');

    // Someone else at that address is not affected by it...
    const other = await createUser(db, 'link_worker');
    const neighbour = new Visitor(app);
    neighbour.remoteAddress = visitor.remoteAddress;
    t.equal((await signInAttempt(neighbour, other.email, PASSWORD)).statusCode, 303, 'another account from the same address signs in');
    // ...nor is the owner anywhere else: a stranger's guesses cannot lock them out.
    t.equal((await signInAttempt(visitorFromNewAddress(), user.email, PASSWORD)).statusCode, 303, 'the owner signs in from another address');

    // When the window has passed, the right password works from there again.
    await moveAttemptsBack({ email: user.email }, THROTTLE_WINDOW_MINUTES + 1);
    const later = new Visitor(app);
    later.remoteAddress = visitor.remoteAddress;
    t.equal((await signInAttempt(later, user.email, PASSWORD)).statusCode, 303, 'signs in once the window has passed');
  },
);

t.test(`after ${MAX_FAILURES_PER_ACCOUNT} wrong passwords from several addresses, the password step waits everywhere and offers an emailed link`, async (t) => {
  const user = await createUser(db, 'provider');
  for (let done = 0; done < MAX_FAILURES_PER_ACCOUNT; ) {
    const stranger = visitorFromNewAddress();
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS && done < MAX_FAILURES_PER_ACCOUNT; i++, done++) {
      const response = await signInAttempt(stranger, user.email, `distributed guess ${done}`);
      if (response.statusCode !== 400) {
        t.fail(`guess ${done + 1} answered ${response.statusCode}`);
        return;
      }
    }
  }
  const owner = visitorFromNewAddress();
  const held = await signInAttempt(owner, user.email, PASSWORD);
  t.equal(held.statusCode, 429, 'the right password from a new address waits too');
  t.match(held.body, /for this account recently, from more than one place/);
  t.match(held.body, /Sign in now with a link we email to you/);
  t.match(held.body, /<button class="nhsuk-button" type="submit">Email me a sign-in link<\/button>/);
  const other = await createUser(db, 'provider');
  t.equal((await signInAttempt(owner, other.email, PASSWORD)).statusCode, 303, 'other accounts from that address are not affected');

  await moveAttemptsBack({ email: user.email }, THROTTLE_WINDOW_MINUTES + 1);
  t.equal((await signInAttempt(visitorFromNewAddress(), user.email, PASSWORD)).statusCode, 303, 'the password works again after the window');
});

t.test('an unknown email is throttled exactly like a real one, so the limit reveals nothing', async (t) => {
  const email = uniqueEmail('nobody');
  const visitor = visitorFromNewAddress();
  const user = await createUser(db, 'link_worker');
  const real = visitorFromNewAddress();
  for (let i = 1; i <= MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS; i++) {
    await signInAttempt(visitor, email, `wrong password number ${i}`);
    await signInAttempt(real, user.email, `wrong password number ${i}`);
  }
  const response = await signInAttempt(visitor, email, 'still the wrong password');
  const realResponse = await signInAttempt(real, user.email, 'still the wrong password');
  t.equal(response.statusCode, 429);
  t.equal(heading(response.body), 'Too many attempts');
  const comparable = (html: string, address: string) =>
    html
      .replace(/name="_csrf" value="[^"]*"/g, '')
      .replace(/"x-csrf-token": "[^"]*"/g, '')
      .replaceAll(address, 'EMAIL');
  t.equal(comparable(response.body, email), comparable(realResponse.body, user.email), 'the same page as for a real account');

  // Asking for a sign-in link for it looks the same too, and sends nothing.
  const asked = await visitor.post('/sign-in/email-link', { email });
  const askedReal = await real.post('/sign-in/email-link', { email: user.email });
  t.equal(asked.statusCode, 200);
  t.equal(comparable(asked.body, email), comparable(askedReal.body, user.email), 'the same answer about the link');
  await runAccountRequests(db);
  const queued = await db
    .selectFrom('outboxMessages')
    .select('recipientEmail')
    .where('kind', '=', 'sign_in_link')
    .where('recipientEmail', 'in', [email, user.email])
    .execute();
  t.same(
    queued.map((m) => m.recipientEmail),
    [user.email],
    'only the real account gets a link',
  );
});

t.test(
  `one password tried on account after account from one address: that address waits after ${MAX_ACCOUNTS_FAILED_PER_ADDRESS} accounts, well before 100 failures`,
  async (t) => {
    const address = visitorFromNewAddress().remoteAddress;
    const accounts = await Promise.all(Array.from({ length: 20 }, () => createUser(db, 'link_worker')));
    const visitor = new Visitor(app);
    visitor.remoteAddress = address;
    await visitor.get('/sign-in');
    // A password sprayed across accounts: one guess each, no account near its own limit.
    const statuses: number[] = [];
    for (const account of accounts)
      statuses.push((await visitor.post('/sign-in', { email: account.email, password: 'Spring2026 sprayed password' })).statusCode);
    t.same(
      statuses.slice(0, MAX_ACCOUNTS_FAILED_PER_ADDRESS),
      Array(MAX_ACCOUNTS_FAILED_PER_ADDRESS).fill(400),
      `the first ${MAX_ACCOUNTS_FAILED_PER_ADDRESS} are checked`,
    );
    t.same(statuses.slice(MAX_ACCOUNTS_FAILED_PER_ADDRESS), Array(accounts.length - MAX_ACCOUNTS_FAILED_PER_ADDRESS).fill(429), 'every later one is throttled');

    const fresh = await createUser(db, 'coordinator');
    const blocked = await visitor.post('/sign-in', { email: fresh.email, password: PASSWORD });
    t.equal(blocked.statusCode, 429, 'the next attempt from that address is throttled, whatever the account');
    t.match(blocked.body, /too many unsuccessful attempts to sign in from your internet connection/);
    t.match(blocked.body, /try again in \d+ minutes?/);
    t.match(blocked.body, /Sign in now with a link we email to you/);
    const audit = await db.selectFrom('auditEvents').select('details').where('action', '=', 'sign_in_throttled').where('address', '=', address).execute();
    t.ok(audit.length > 0 && audit.every((a) => (a.details as { limit: string }).limit === 'address'), 'each throttled attempt is audited');

    const elsewhere = visitorFromNewAddress();
    t.equal((await signInAttempt(elsewhere, fresh.email, PASSWORD)).statusCode, 303, 'the same account signs in from another address');
    t.equal((await signInAttempt(visitorFromNewAddress(), accounts[0]!.email, PASSWORD)).statusCode, 303, 'so do the accounts sprayed at');

    await moveAttemptsBack({ address }, THROTTLE_WINDOW_MINUTES + 1);
    const again = await visitor.post('/sign-in', { email: accounts[0]!.email, password: PASSWORD });
    t.equal(again.statusCode, 303, 'the address can sign in again after the window');
  },
);

t.test('a surgery sharing one address: many people getting their own password wrong a few times never trip the limit', async (t) => {
  const address = visitorFromNewAddress().remoteAddress;
  const staff = await Promise.all(Array.from({ length: MAX_ACCOUNTS_FAILED_PER_ADDRESS * 3 }, () => createUser(db, 'link_worker')));
  const answers: number[] = [];
  for (const person of staff) {
    const visitor = new Visitor(app);
    visitor.remoteAddress = address;
    for (let i = 0; i < 3; i++) answers.push((await signInAttempt(visitor, person.email, `${PASSWORD} typo ${i}`)).statusCode);
    answers.push((await signInAttempt(visitor, person.email, PASSWORD)).statusCode);
  }
  const expected = staff.flatMap(() => [400, 400, 400, 303]);
  t.same(answers, expected, `${staff.length} people, each three typos (400) then the right password (signed in), none held back`);
});

t.test('successful sign-ins do not count towards the limit', async (t) => {
  const user = await createUser(db, 'provider');
  const visitor = visitorFromNewAddress();
  for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS + 2; i++) {
    const fresh = new Visitor(app);
    fresh.remoteAddress = visitor.remoteAddress;
    t.equal((await signInAttempt(fresh, user.email, PASSWORD)).statusCode, 303);
  }
});

t.test('each attempt is recorded with its address, and refusals are audited', async (t) => {
  const user = await createUser(db, 'link_worker');
  const visitor = visitorFromNewAddress();
  await signInAttempt(visitor, user.email, 'a wrong password here');
  const attempts = await db.selectFrom('signInAttempts').selectAll().where('email', '=', user.email).execute();
  t.equal(attempts.length, 1);
  t.equal(attempts[0]!.address, visitor.remoteAddress);
  t.equal(attempts[0]!.succeeded, false);
  const audit = await db.selectFrom('auditEvents').selectAll().where('action', '=', 'sign_in_refused').where('address', '=', visitor.remoteAddress).execute();
  t.equal(audit.length, 1);
  t.notOk(JSON.stringify(audit).includes('a wrong password here'), 'the password is not in the audit trail');
});

t.test('guesses sent all at once are limited just the same', async (t) => {
  const user = await createUser(db, 'link_worker');
  const address = visitorFromNewAddress().remoteAddress;
  const visitors = await Promise.all(
    Array.from({ length: 30 }, async () => {
      const visitor = new Visitor(app);
      visitor.remoteAddress = address;
      await visitor.get('/sign-in');
      return visitor;
    }),
  );
  const responses = await Promise.all(visitors.map((v, i) => v.post('/sign-in', { email: user.email, password: `parallel guess ${i}` })));
  const checked = responses.filter((r) => r.statusCode === 400).length;
  const throttled = responses.filter((r) => r.statusCode === 429).length;
  t.equal(checked + throttled, responses.length, 'every guess is refused or throttled');
  t.equal(checked, MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS, `only ${MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS} guesses are checked, however many arrive together`);
  const recorded = await db
    .selectFrom('signInAttempts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('email', '=', user.email)
    .executeTakeFirstOrThrow();
  t.equal(Number(recorded.n), MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS);
});

t.test('a password sprayed over many accounts all at once is limited just the same', async (t) => {
  const accounts = await Promise.all(Array.from({ length: 30 }, () => createUser(db, 'link_worker')));
  const address = visitorFromNewAddress().remoteAddress;
  const visitors = await Promise.all(
    accounts.map(async () => {
      const visitor = new Visitor(app);
      visitor.remoteAddress = address;
      await visitor.get('/sign-in');
      return visitor;
    }),
  );
  const responses = await Promise.all(visitors.map((v, i) => v.post('/sign-in', { email: accounts[i]!.email, password: 'Spring2026 sprayed password' })));
  const checked = responses.filter((r) => r.statusCode === 400).length;
  t.equal(checked + responses.filter((r) => r.statusCode === 429).length, responses.length, 'every guess is refused or throttled');
  t.equal(checked, MAX_ACCOUNTS_FAILED_PER_ADDRESS, `only ${MAX_ACCOUNTS_FAILED_PER_ADDRESS} accounts are tried, however many guesses arrive together`);
});
