import t from 'tap';
import { verifyPassword } from '../../src/accounts/passwords.ts';
import { insertAccountLink } from '../../src/accounts/queries.ts';
import { askToRegister } from '../../src/accounts/registration.ts';
import { runAccountRequest } from '../../src/accounts/requests.ts';
import { newToken } from '../../src/lib/tokens.ts';
import { linkOnPage, rowCounts, runAccountRequests, uniqueEmail } from '../fixtures/accounts.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const NEW_PASSWORD = 'marmalade kettle harbour';
const OWNER_PASSWORD = 'owner chooses heather lanterns';
const ATTACKER_PASSWORD = 'attacker knows this passphrase';
const form = (email: string, overrides: Record<string, string> = {}) => ({
  name: 'Rosa Link',
  email,
  practice: 'Hill Surgery',
  pcn: 'North PCN',
  password: NEW_PASSWORD,
  confirmPassword: NEW_PASSWORD,
  ...overrides,
});
const owner = (email: string) =>
  form(email, { name: 'Olu Owner', practice: 'Owner Surgery', pcn: 'Owner PCN', password: OWNER_PASSWORD, confirmPassword: OWNER_PASSWORD });
const attacker = (email: string) =>
  form(email, { name: 'Mallory Taker', practice: 'Nowhere Surgery', pcn: 'Nowhere PCN', password: ATTACKER_PASSWORD, confirmPassword: ATTACKER_PASSWORD });

async function userByEmail(email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

async function register(email: string, values = form(email)) {
  const visitor = new Visitor(app);
  await visitor.get('/register');
  return visitor.post('/register', values);
}

/** The emails the address has been sent, oldest first (until email is sent, the outbox is the mailbox). */
async function mailbox(email: string) {
  return db.selectFrom('outboxMessages').selectAll().where('recipientEmail', '=', email).orderBy('createdAt').orderBy('id').execute();
}

/** The confirmation links the address has been sent, oldest first. */
async function confirmationLinks(email: string): Promise<string[]> {
  return (await mailbox(email)).filter((m) => m.kind === 'email_confirmation').map((m) => linkOnPage(m.textBody, '/register/confirm/'));
}

async function confirm(link: string, password: string) {
  const visitor = new Visitor(app);
  await visitor.get(link);
  return visitor.post(link, { password });
}

async function signInStatus(email: string, password: string) {
  return (await new Visitor(app).post('/sign-in', { email, password })).statusCode;
}

/** Whether the account at this address, if there is one, has this password. */
async function accountHasPassword(email: string, password: string) {
  const user = await userByEmail(email);
  return user ? verifyPassword(user.passwordHash, password) : false;
}

t.test('a link worker registers, confirms the address with the emailed link and their password, then signs in', async (t) => {
  const page = await new Visitor(app).get('/register');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Create a link worker account');
  t.match(page.body, /ending in nhs\.net/, 'says which addresses can register');

  const email = uniqueEmail('rosa');
  const response = await register(email);
  t.equal(response.statusCode, 200);
  t.equal(heading(response.body), 'Confirm your email address');
  t.notMatch(response.body, /\/register\/confirm\//, 'no confirmation link on the page');
  t.equal(await userByEmail(email), undefined, 'no account is made by registering');
  t.same(await mailbox(email), [], 'the request itself sends nothing');

  t.same(await runAccountRequests(db), ['confirmation_sent'], 'the job sends the confirmation');
  const [message, ...more] = await mailbox(email);
  t.equal(more.length, 0, 'one email');
  t.equal(message!.subject, 'Confirm your email address for Tasters');
  t.match(message!.textBody, /asked for the password you chose/);
  const [link] = await confirmationLinks(email);
  t.equal(await userByEmail(email), undefined, 'still no account before confirming');

  const early = await new Visitor(app).post('/sign-in', { email, password: NEW_PASSWORD });
  t.equal(early.statusCode, 400, 'cannot sign in before confirming');
  t.equal(fieldError(early.body, 'email'), 'Enter a correct email address and password');

  const visitor = new Visitor(app);
  const confirmPage = await visitor.get(link!);
  t.equal(confirmPage.statusCode, 200);
  t.match(confirmPage.body, /Confirm my email address/, 'a button: opening the link alone (a mail scanner) confirms nothing');
  t.match(confirmPage.body, new RegExp(email), 'says which address');
  t.match(confirmPage.body, /id="password"/, 'asks for the password chosen when registering');

  const empty = await visitor.post(link!, {});
  t.equal(empty.statusCode, 400);
  t.same(errorSummary(empty.body), ['password: Enter the password you chose when you registered']);
  const wrong = await visitor.post(link!, { password: 'not the password chosen' });
  t.equal(wrong.statusCode, 400);
  t.match(fieldError(wrong.body, 'password'), /^Enter the password you chose when you registered/);
  t.equal(await userByEmail(email), undefined, 'a wrong password makes no account');
  t.equal((await new Visitor(app).get(link!)).statusCode, 200, 'and the link still works');

  const confirmed = await visitor.post(link!, { password: NEW_PASSWORD });
  t.equal(confirmed.statusCode, 200);
  t.equal(heading(confirmed.body), 'Your email address is confirmed');
  const user = await userByEmail(email);
  t.equal(user?.status, 'active');
  t.equal(user?.role, 'link_worker', 'always a link worker');
  t.equal(user?.name, 'Rosa Link');
  t.equal(user?.practice, 'Hill Surgery');
  t.equal(user?.pcn, 'North PCN');
  const audit = await db.selectFrom('auditEvents').select(['action', 'actorId']).where('subjectId', '=', user!.id).execute();
  t.same(audit, [{ action: 'registered', actorId: user!.id }], 'on the audit trail');

  const again = await confirm(link!, NEW_PASSWORD);
  t.equal(again.statusCode, 410, 'the link works once');
  t.match(again.body, /already been used/);
  t.equal((await new Visitor(app).get(link!)).statusCode, 410);

  await new Visitor(app).signIn(email, NEW_PASSWORD);
});

t.test('takeover: a second registration of an unconfirmed address never gives the account its password', async (t) => {
  const email = uniqueEmail('owner');
  await register(email, owner(email));
  await runAccountRequests(db);
  const [ownersLink] = await confirmationLinks(email);

  // Before the owner confirms, someone else registers the same address with their own password.
  const second = await register(email, attacker(email));
  t.equal(second.statusCode, 200);
  t.equal(await userByEmail(email), undefined, 'the second registration changes nothing by itself');
  await runAccountRequests(db);
  const [, attackersLink] = await confirmationLinks(email);
  t.ok(attackersLink, "the second registration's link goes to the address's mailbox, not to whoever registered");

  // The first link now dies rather than activating anything.
  for (const password of [OWNER_PASSWORD, ATTACKER_PASSWORD]) {
    const first = await confirm(ownersLink!, password);
    t.equal(first.statusCode, 410, 'the first link no longer works');
    t.match(first.body, /newer link has been sent/);
  }
  // The owner, finding the second email in their mailbox, cannot confirm it: they do not know that password.
  const unasked = await confirm(attackersLink!, OWNER_PASSWORD);
  t.equal(unasked.statusCode, 400);
  t.equal(await userByEmail(email), undefined, 'no account with the second person’s details');
  t.equal(await signInStatus(email, ATTACKER_PASSWORD), 400, "the second person's password does not sign in");

  // The owner registers again: their own link is the one that works, with their own details.
  await register(email, owner(email));
  await runAccountRequests(db);
  const links = await confirmationLinks(email);
  const ownersNewLink = links.at(-1)!;
  t.equal((await confirm(attackersLink!, ATTACKER_PASSWORD)).statusCode, 410, "the second person's link is dead");
  t.equal((await confirm(ownersNewLink, OWNER_PASSWORD)).statusCode, 200);
  const user = await userByEmail(email);
  t.equal(user?.status, 'active');
  t.equal(user?.name, 'Olu Owner');
  t.equal(user?.practice, 'Owner Surgery');
  t.notOk(await accountHasPassword(email, ATTACKER_PASSWORD), 'the account never has the second person’s password');
  t.ok(await accountHasPassword(email, OWNER_PASSWORD));
  t.equal(await signInStatus(email, ATTACKER_PASSWORD), 400);
  await new Visitor(app).signIn(email, OWNER_PASSWORD);
});

t.test('takeover: when the owner registers after an attacker, the owner’s details win and the attacker’s link is dead', async (t) => {
  const email = uniqueEmail('late-owner');
  await register(email, attacker(email));
  await register(email, owner(email));
  t.same(await runAccountRequests(db), ['confirmation_sent', 'confirmation_sent']);
  const [attackersLink, ownersLink] = await confirmationLinks(email);

  for (const password of [ATTACKER_PASSWORD, OWNER_PASSWORD]) {
    t.equal((await confirm(attackersLink!, password)).statusCode, 410, "the attacker's link does not work");
  }
  t.equal(await userByEmail(email), undefined);
  const done = await confirm(ownersLink!, OWNER_PASSWORD);
  t.equal(done.statusCode, 200);
  const user = await userByEmail(email);
  t.equal(user?.name, 'Olu Owner', "the owner's name");
  t.equal(user?.practice, 'Owner Surgery', "the owner's practice");
  t.equal(user?.pcn, 'Owner PCN');
  t.notOk(await accountHasPassword(email, ATTACKER_PASSWORD), "never the attacker's password");
  t.equal(await signInStatus(email, ATTACKER_PASSWORD), 400);
  await new Visitor(app).signIn(email, OWNER_PASSWORD);
});

t.test('an owner who follows a link someone else caused cannot activate an account with that person’s password', async (t) => {
  const email = uniqueEmail('unasked');
  await register(email, attacker(email));
  await runAccountRequests(db);
  const [link] = await confirmationLinks(email);
  const response = await confirm(link!, OWNER_PASSWORD);
  t.equal(response.statusCode, 400, 'the owner does not know the password it was registered with');
  t.equal(await userByEmail(email), undefined, 'so no account is made');
  t.equal(await signInStatus(email, ATTACKER_PASSWORD), 400);
});

t.test('registering an address with an active account changes nothing; its owner is told by email', async (t) => {
  const existing = await createUser(db, 'link_worker');
  const before = await userByEmail(existing.email);
  const freshEmail = uniqueEmail('fresh');
  const fresh = await register(freshEmail);
  const response = await register(existing.email, attacker(existing.email));
  t.equal(response.statusCode, fresh.statusCode, 'the same status');
  const strip = (html: string, email: string) =>
    html
      .replace(/name="_csrf" value="[^"]*"/g, '')
      .replace(/"x-csrf-token": "[^"]*"/g, '')
      .replace(/\/register\/sent\/[0-9a-f-]+/g, '')
      .replaceAll(email, 'EMAIL');
  t.equal(strip(response.body, existing.email), strip(fresh.body, freshEmail), 'the same page');
  t.notMatch(response.body, /\/register\/confirm\//, 'no link to take over the account');

  t.same(await runAccountRequests(db), ['confirmation_sent', 'already_registered']);
  const [message, ...more] = await mailbox(existing.email);
  t.equal(more.length, 0, 'one email');
  t.equal(message!.kind, 'already_registered');
  t.equal(message!.subject, 'You already have a Tasters account');
  t.match(message!.textBody, /You already have one, so nothing has changed/);
  t.match(message!.textBody, /http:\/\/localhost:3000\/reset-password/, 'how to reset the password');
  t.match(message!.textBody, /http:\/\/localhost:3000\/sign-in/, 'and how to sign in');
  t.notMatch(message!.textBody, /\/register\/confirm\//);
  t.same(await userByEmail(existing.email), before, 'the account is exactly as it was');
  const links = await db.selectFrom('accountLinks').select('id').where('email', '=', existing.email).execute();
  t.equal(links.length, 0, 'no confirmation link was made');
  const audit = await db.selectFrom('auditEvents').select(['action', 'actorId']).where('subjectId', '=', existing.id).execute();
  t.same(audit, [{ action: 'registration_refused', actorId: null }], 'on the audit trail');
  await new Visitor(app).signIn(existing.email, PASSWORD);

  const disabled = await createUser(db, 'link_worker', { status: 'disabled' });
  const disabledBefore = await userByEmail(disabled.email);
  const onDisabled = await register(disabled.email);
  t.equal(strip(onDisabled.body, disabled.email), strip(fresh.body, freshEmail));
  t.same(await runAccountRequests(db), ['already_registered']);
  t.same(
    (await mailbox(disabled.email)).map((m) => m.kind),
    ['already_registered'],
  );
  t.same(await userByEmail(disabled.email), disabledBefore, 'a disabled account stays as it was');
});

t.test('registering again before confirming: only the newest link works, and it makes one account', async (t) => {
  const email = uniqueEmail('again');
  await register(email);
  await runAccountRequests(db);
  await register(email, form(email, { name: 'Rosa Link-Again' }));
  await runAccountRequests(db);
  const [first, second] = await confirmationLinks(email);
  const stale = await confirm(first!, NEW_PASSWORD);
  t.equal(stale.statusCode, 410, 'the earlier link is dead');
  t.match(stale.body, /Use the link in the latest email/);
  t.equal((await new Visitor(app).get(first!)).statusCode, 410);
  t.equal((await confirm(second!, NEW_PASSWORD)).statusCode, 200);
  t.equal((await userByEmail(email))?.name, 'Rosa Link-Again', 'the details of the registration confirmed');
  const count = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  t.equal(Number(count.n), 1, 'one account');
});

t.test('registrations of one address handled at the same moment leave one working link', async (t) => {
  // On PostgreSQL the jobs really run side by side, as two instances' workers would.
  const email = uniqueEmail('together');
  const requests = [];
  for (let i = 0; i < 4; i++)
    requests.push(await askToRegister(db, ['nhs.net'], { name: `Rosa ${i}`, email, practice: 'Hill Surgery', pcn: 'North PCN', password: NEW_PASSWORD }));
  const outcomes = await Promise.all(requests.map(({ requestId }) => runAccountRequest(db, app.config.baseUrl, requestId)));
  t.same(outcomes, ['confirmation_sent', 'confirmation_sent', 'confirmation_sent', 'confirmation_sent']);
  const live = await db.selectFrom('accountLinks').select('id').where('email', '=', email).where('replacedAt', 'is', null).execute();
  t.equal(live.length, 1, 'one link still works');
  const working = [];
  for (const link of await confirmationLinks(email)) {
    if ((await new Visitor(app).get(link)).statusCode === 200) working.push(link);
  }
  t.equal(working.length, 1, 'and it is in one of the emails');
});

t.test('an account left unconfirmed by the earlier design is completed only by someone with the mailbox and a password they chose', async (t) => {
  // As the earlier design left it: an unconfirmed account holding whoever registered last's password, and a link without details.
  const legacy = await createUser(db, 'link_worker', { status: 'unconfirmed', name: 'Whoever Registered' });
  const { token, hash } = newToken();
  await insertAccountLink(db, {
    purpose: 'email_confirmation',
    tokenHash: hash,
    email: legacy.email,
    userId: legacy.id,
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  const oldLink = `/register/confirm/${token}`;
  t.equal((await confirm(oldLink, OWNER_PASSWORD)).statusCode, 400, 'the old link needs the password the account holds');
  t.equal((await userByEmail(legacy.email))?.status, 'unconfirmed');

  // The owner registers: the account is left alone until they confirm, then has their details.
  await register(legacy.email, owner(legacy.email));
  t.same(await runAccountRequests(db), ['confirmation_sent']);
  t.equal((await userByEmail(legacy.email))?.name, 'Whoever Registered', 'registering changed nothing');
  t.equal((await confirm(oldLink, PASSWORD)).statusCode, 410, 'the old link is dead');
  const [link] = await confirmationLinks(legacy.email);
  t.equal((await confirm(link!, OWNER_PASSWORD)).statusCode, 200);
  const user = await userByEmail(legacy.email);
  t.equal(user?.id, legacy.id, 'the same account');
  t.equal(user?.status, 'active');
  t.equal(user?.name, 'Olu Owner');
  t.notOk(await accountHasPassword(legacy.email, PASSWORD), 'the password it held before is gone');
  await new Visitor(app).signIn(legacy.email, OWNER_PASSWORD);

  // An untouched old link still confirms its own account, for the person who knows its password.
  const other = await createUser(db, 'link_worker', { status: 'unconfirmed' });
  const second = newToken();
  await insertAccountLink(db, {
    purpose: 'email_confirmation',
    tokenHash: second.hash,
    email: other.email,
    userId: other.id,
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  t.equal((await confirm(`/register/confirm/${second.token}`, PASSWORD)).statusCode, 200);
  t.equal((await userByEmail(other.email))?.status, 'active');
});

t.test('a link confirmed after the address got an account some other way changes nothing', async (t) => {
  const email = uniqueEmail('meanwhile');
  await register(email);
  await runAccountRequests(db);
  const [link] = await confirmationLinks(email);
  const invited = await createUser(db, 'provider', { email });
  const before = await userByEmail(email);
  const response = await confirm(link!, NEW_PASSWORD);
  t.equal(response.statusCode, 409);
  t.equal(heading(response.body), 'You already have an account');
  t.same(await userByEmail(email), before, 'the account is as it was');
  await new Visitor(app).signIn(invited.email, PASSWORD);
});

t.test('a subdomain of an allowed domain is accepted', async (t) => {
  const email = uniqueEmail('sub', 'oxford.nhs.net');
  const response = await register(email);
  t.equal(response.statusCode, 200);
  await runAccountRequests(db);
  t.equal((await confirmationLinks(email)).length, 1);
});

t.test('other domains are refused with a message beside the email field, and nothing is stored', async (t) => {
  for (const email of ['rosa@gmail.com', 'rosa@nhs.net.evil.example', 'rosa@evilnhs.net', 'rosa@nhs.uk', 'rosa@nhs.net.', 'rosa@xnhs.net']) {
    const before = await rowCounts(db);
    const response = await register(email);
    t.equal(response.statusCode, 400, email);
    const message = fieldError(response.body, 'email');
    t.ok(message, `${email}: a message beside the field`);
    t.same(errorSummary(response.body), [`email: ${message}`], `${email}: and in the summary`);
    t.match(response.body, /value="Rosa Link"/, `${email}: the name is kept`);
    t.match(response.body, /value="Hill Surgery"/, `${email}: the practice is kept`);
    t.notMatch(response.body, new RegExp(NEW_PASSWORD), `${email}: the password is not sent back`);
    t.same(await rowCounts(db), before, `${email}: nothing stored`);
    t.equal(await userByEmail(email), undefined);
  }
  const response = await register('rosa@gmail.com');
  t.equal(fieldError(response.body, 'email'), 'Use your work email address ending in nhs.net, or ask your coordinator for an invitation');
});

t.test('hidden characters in a field get a message beside it, and nothing is stored', async (t) => {
  const hidden = 'Full name must not contain hidden characters, such as control codes copied from another program. Type it again rather than pasting it';
  const cases: Array<[field: 'name' | 'practice' | 'pcn' | 'email', value: string, message: string]> = [
    ['name', 'Rosa\u0000Link', hidden],
    ['name', '\u0000', hidden],
    ['name', 'Rosa\u001b[31mLink', hidden],
    ['name', 'Rosa\u0085Link', hidden],
    ['practice', 'Hill\tSurgery', 'GP practice must be on one line, without tabs or line breaks'],
    ['pcn', 'North\nPCN', 'Primary Care Network must be on one line, without tabs or line breaks'],
    [
      'email',
      'rosa\u0000@nhs.net',
      'Email address must not contain hidden characters, such as control codes copied from another program. Type it again rather than pasting it',
    ],
  ];
  for (const [field, value, message] of cases) {
    const email = uniqueEmail('hidden');
    const before = await rowCounts(db);
    const visitor = new Visitor(app);
    await visitor.get('/register');
    const response = await visitor.post('/register', { ...form(email), [field]: value });
    const what = `${field} = ${JSON.stringify(value)}`;
    t.equal(response.statusCode, 400, `${what}: 400`);
    t.equal(fieldError(response.body, field), message, `${what}: the message beside the field`);
    t.same(errorSummary(response.body), [`${field}: ${message}`], `${what}: and in the summary`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for exactly these characters
    t.notOk(/[\u0000\u001b\u0085]/.test(response.body), `${what}: the hidden character is not sent back`);
    t.same(await rowCounts(db), before, `${what}: nothing stored`);
    t.equal(await userByEmail(email), undefined, `${what}: no account`);
  }
  const visitor = new Visitor(app);
  await visitor.get('/register');
  const response = await visitor.post('/register', { ...form(uniqueEmail('kept')), name: 'Rosa\u0000Link' });
  t.match(response.body, /value="Rosa\uFFFDLink"/, 'what was typed is kept, with the hidden character shown as �');
});

t.test('the allowed domains come from the configuration', async (t) => {
  const other = await buildTestApp(t, database, { selfRegistrationDomains: ['nhs.net', 'nhs.uk'] });
  const visitor = new Visitor(other);
  const page = await visitor.get('/register');
  t.match(page.body, /nhs\.net or nhs\.uk/);
  const email = uniqueEmail('uk', 'nhs.uk');
  const response = await visitor.post('/register', form(email));
  t.equal(response.statusCode, 200);
  t.same(await runAccountRequests(db), ['confirmation_sent']);
  t.equal((await confirmationLinks(email)).length, 1);
});

t.test('a confirmation link expires after 48 hours', async (t) => {
  const email = uniqueEmail('late');
  await register(email);
  await runAccountRequests(db);
  const [link] = await confirmationLinks(email);
  const row = await db.selectFrom('accountLinks').select(['id', 'createdAt', 'expiresAt']).where('email', '=', email).executeTakeFirstOrThrow();
  t.equal(Math.round((row.expiresAt.getTime() - row.createdAt.getTime()) / 3_600_000), 48);
  await db
    .updateTable('accountLinks')
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where('id', '=', row.id)
    .execute();
  const page = await new Visitor(app).get(link!);
  t.equal(page.statusCode, 410);
  t.match(page.body, /expired/);
  t.equal((await new Visitor(app).post(link!, { password: NEW_PASSWORD })).statusCode, 410);
  t.equal(await userByEmail(email), undefined);
});

t.test('a made-up confirmation link is refused', async (t) => {
  for (const url of [`/register/confirm/${'a'.repeat(43)}`, '/register/confirm/short', `/register/confirm/${encodeURIComponent('<script>')}`]) {
    const visitor = new Visitor(app);
    t.equal((await visitor.get(url)).statusCode, 410, url);
    t.equal((await visitor.post(url, { password: NEW_PASSWORD })).statusCode, 410, url);
  }
});
