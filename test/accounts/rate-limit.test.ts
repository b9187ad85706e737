import t from 'tap';
import { MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS, THROTTLE_WINDOW_MINUTES } from '../../src/accounts/service.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';
import { createUser, PASSWORD, uniqueEmail } from '../fixtures/accounts.ts';

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

t.test(`after ${MAX_FAILURES_PER_ACCOUNT} wrong passwords the account is throttled, even for the right password`, async (t) => {
  const user = await createUser(db, 'link_worker');
  const visitor = visitorFromNewAddress();
  for (let i = 1; i <= MAX_FAILURES_PER_ACCOUNT; i++) {
    const response = await signInAttempt(visitor, user.email, `wrong password number ${i}`);
    t.equal(response.statusCode, 400, `attempt ${i} is an ordinary refusal`);
  }
  const throttled = await signInAttempt(visitor, user.email, PASSWORD);
  t.equal(throttled.statusCode, 429, 'the 11th attempt is throttled although the password is right');
  t.equal(heading(throttled.body), 'Too many attempts');
  t.match(throttled.body, /Try again in (\d+) minutes/);
  const minutes = Number(/Try again in (\d+) minutes/.exec(throttled.body)?.[1]);
  t.ok(minutes >= 1 && minutes <= THROTTLE_WINDOW_MINUTES, `says when (${minutes} minutes)`);
  t.equal(throttled.headers['retry-after'], String(minutes * 60), 'Retry-After header in seconds');
  t.notOk(visitor.cookies['tasters-session'], 'not signed in');

  // The limit is per account: someone else at another address is not affected by it...
  const other = await createUser(db, 'link_worker');
  t.equal((await signInAttempt(visitorFromNewAddress(), other.email, PASSWORD)).statusCode, 303);
  // ...and the throttled account is throttled from every address, not only the one that guessed.
  t.equal((await signInAttempt(visitorFromNewAddress(), user.email, PASSWORD)).statusCode, 429);

  // When the window has passed, the right password works again: nobody is locked out for good.
  await moveAttemptsBack({ email: user.email }, THROTTLE_WINDOW_MINUTES + 1);
  const later = await signInAttempt(visitorFromNewAddress(), user.email, PASSWORD);
  t.equal(later.statusCode, 303, 'signs in once the window has passed');
});

t.test('an unknown email is throttled exactly like a real one, so the limit reveals nothing', async (t) => {
  const email = uniqueEmail('nobody');
  const visitor = visitorFromNewAddress();
  for (let i = 1; i <= MAX_FAILURES_PER_ACCOUNT; i++) await signInAttempt(visitor, email, `wrong password number ${i}`);
  const response = await signInAttempt(visitor, email, 'still the wrong password');
  t.equal(response.statusCode, 429);
  t.equal(heading(response.body), 'Too many attempts');
});

t.test(`${MAX_FAILURES_PER_ADDRESS} failures over many accounts from one address throttle that address`, async (t) => {
  const address = visitorFromNewAddress().remoteAddress;
  const accounts = await Promise.all(Array.from({ length: 20 }, () => createUser(db, 'link_worker')));
  const visitor = new Visitor(app);
  visitor.remoteAddress = address;
  await visitor.get('/sign-in');
  // A password sprayed across accounts: no account gets near its own limit.
  for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++) {
    const account = accounts[i % accounts.length]!;
    const response = await visitor.post('/sign-in', { email: account.email, password: 'Spring2026 sprayed password' });
    if (response.statusCode !== 400) {
      t.fail(`attempt ${i + 1} answered ${response.statusCode}`);
      return;
    }
  }
  const fresh = await createUser(db, 'coordinator');
  const blocked = await visitor.post('/sign-in', { email: fresh.email, password: PASSWORD });
  t.equal(blocked.statusCode, 429, 'the next attempt from that address is throttled, whatever the account');
  t.match(blocked.body, /Try again in \d+ minutes?/);

  const elsewhere = visitorFromNewAddress();
  t.equal((await signInAttempt(elsewhere, fresh.email, PASSWORD)).statusCode, 303, 'the same account signs in from another address');

  await moveAttemptsBack({ address }, THROTTLE_WINDOW_MINUTES + 1);
  const again = await visitor.post('/sign-in', { email: accounts[0]!.email, password: PASSWORD });
  t.equal(again.statusCode, 303, 'the address can sign in again after the window');
});

t.test('successful sign-ins do not count towards the limit', async (t) => {
  const user = await createUser(db, 'provider');
  const visitor = visitorFromNewAddress();
  for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT + 2; i++) {
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
  const audit = await db
    .selectFrom('auditEvents')
    .selectAll()
    .where('action', '=', 'sign_in_refused')
    .where('address', '=', visitor.remoteAddress)
    .execute();
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
  t.equal(checked, MAX_FAILURES_PER_ACCOUNT, `only ${MAX_FAILURES_PER_ACCOUNT} guesses are checked, however many arrive together`);
  const recorded = await db.selectFrom('signInAttempts').select((eb) => eb.fn.countAll<number>().as('n')).where('email', '=', user.email).executeTakeFirstOrThrow();
  t.equal(Number(recorded.n), MAX_FAILURES_PER_ACCOUNT);
});
