import t from 'tap';
import { hashPassword, isCommonPassword, newPassword, verifyPassword } from '../../src/accounts/passwords.ts';
import { rowCounts, uniqueEmail } from '../fixtures/accounts.ts';
import { buildTestApp, createTestDatabase, fieldError, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

// A passphrase of any length made of varied words, cut to the length wanted.
const passphrase = (length: number) => 'violet harbour kettle marmalade orchard lantern pebble '.repeat(10).slice(0, length);

/** Registers with a password through the page; returns the answer and the message beside the field. */
async function registerWith(password: string) {
  const visitor = new Visitor(app);
  await visitor.get('/register');
  const email = uniqueEmail('pw');
  const response = await visitor.post('/register', {
    name: 'Pat Word',
    email,
    practice: 'Hill Surgery',
    pcn: 'North PCN',
    password,
    confirmPassword: password,
  });
  return { response, email, message: fieldError(response.body, 'password') };
}

t.test('length decides: 11 characters are refused, 12, 64 and 128 are accepted', async (t) => {
  const eleven = await registerWith(passphrase(11));
  t.equal(eleven.response.statusCode, 400);
  t.equal(eleven.message, 'Password must be 12 characters or more');
  for (const length of [12, 64, 128]) {
    const password = passphrase(length);
    t.equal(password.length, length);
    const { response, email, message } = await registerWith(password);
    t.equal(response.statusCode, 200, `${length} characters accepted`);
    t.equal(message, undefined);
    // Kept hashed with the registration until the address is confirmed.
    const user = await db.selectFrom('accountRequests').select('passwordHash').where('email', '=', email).executeTakeFirstOrThrow();
    t.ok(await verifyPassword(user.passwordHash, password), `${length} characters: the whole password is what counts`);
    t.notOk(await verifyPassword(user.passwordHash, password.slice(0, -1)), `${length} characters: one fewer is wrong`);
  }
});

t.test('no composition rules: lower-case words and spaces are fine', async (t) => {
  t.ok(newPassword.safeParse('correct horse battery staple').success);
  t.ok(newPassword.safeParse('tea at the ritz please').success);
});

t.test('common passwords are refused, however they are padded', async (t) => {
  for (const password of ['password1234', 'qwertyuiop123', 'Password1234!', 'iloveyou1234', 'qwertyqwerty', 'aaaaaaaaaaaa', '123456789012', '            ']) {
    t.ok(isCommonPassword(password) || !newPassword.safeParse(password).success, `${JSON.stringify(password)} is refused`);
    const parsed = newPassword.safeParse(password);
    t.notOk(parsed.success, `${JSON.stringify(password)} fails the schema`);
  }
  const { response, message } = await registerWith('qwertyuiop123');
  t.equal(response.statusCode, 400);
  t.equal(message, 'This password is too common and easy to guess. Choose a different one, such as three random words');
  t.notOk(isCommonPassword('marmalade kettle harbour'), 'an uncommon passphrase passes');
});

t.test('a 300-character password is refused with a message, not a failure', async (t) => {
  const before = await rowCounts(db);
  const { response, message } = await registerWith(passphrase(300));
  t.equal(response.statusCode, 400);
  t.equal(message, 'Password must be 256 characters or fewer');
  t.same(await rowCounts(db), before, 'nothing stored');
  const signIn = await new Visitor(app).post('/sign-in', { email: 'someone@nhs.net', password: passphrase(300) });
  t.equal(signIn.statusCode, 400, 'sign-in with one is an ordinary refusal');
  t.match(signIn.body, /Enter a correct email address and password/);
});

t.test('hashes are argon2id with at least 46 MiB and one pass, salted', async (t) => {
  const first = await hashPassword('marmalade kettle harbour');
  const second = await hashPassword('marmalade kettle harbour');
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(first);
  t.ok(match, first.slice(0, 40));
  t.ok(Number(match![1]) >= 47_104, 'memory at least 46 MiB');
  t.ok(Number(match![2]) >= 1, 'at least one pass');
  t.not(first, second, 'each hash has its own salt');
  t.ok(await verifyPassword(first, 'marmalade kettle harbour'));
  t.notOk(await verifyPassword(first, 'Marmalade kettle harbour'), 'case matters');
  t.notOk(await verifyPassword('not a hash', 'anything'), 'a broken hash never matches');
  t.notOk(await verifyPassword(null, 'anything'), 'no hash never matches');
});

t.test('password fields let people paste and use a password manager', async (t) => {
  const page = await new Visitor(app).get('/register');
  const inputs = page.body.match(/<input[^>]*type="password"[^>]*>/g) ?? [];
  t.equal(inputs.length, 2);
  for (const input of inputs) {
    t.notMatch(input, /onpaste|oncopy|readonly/i, 'no paste blocking');
    t.match(input, /autocomplete="new-password"/);
  }
  const signIn = await new Visitor(app).get('/sign-in');
  t.match(signIn.body, /type="password"[^>]*autocomplete="current-password"/);
});
