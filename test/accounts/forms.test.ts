import t from 'tap';
import { askToRegister } from '../../src/accounts/registration.ts';
import { invite, requestPasswordReset } from '../../src/accounts/service.ts';
import { linkOnPage, runAccountRequests, uniqueEmail } from '../fixtures/accounts.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { checkFormRejectsBadInput, escapeHtml } from '../fixtures/forms.ts';
import { HOSTILE_VALUES } from '../fixtures/hostile.ts';
import { buildTestApp, createTestDatabase, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);
const baseUrl = app.config.baseUrl;

const NEW_PASSWORD = 'saffron lighthouse teacup';
const path = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');

function opener(url: string) {
  return async () => {
    const visitor = new Visitor(app);
    const page = await visitor.get(url);
    if (page.statusCode !== 200) throw new Error(`${url} answered ${page.statusCode}`);
    return { visitor, url };
  };
}

const emailRules = [
  { value: 'not an email', message: 'Enter an email address in the correct format, like name@nhs.net' },
  { value: 'rosa@', message: 'Enter an email address in the correct format, like name@nhs.net' },
  { value: 'rosa@nhs.net@evil.example', message: 'Enter an email address in the correct format, like name@nhs.net' },
];

t.test('sign in', async (t) => {
  const user = await createUser(db, 'link_worker');
  checkFormRejectsBadInput(t, db, {
    open: opener('/sign-in'),
    valid: { email: user.email, password: PASSWORD },
    required: { email: 'Enter your email address', password: 'Enter your password' },
    tooLong: {
      email: { length: 255, message: 'Email address must be 254 characters or fewer' },
      password: { length: 257, message: 'Enter a correct email address and password' },
    },
    malformed: emailRules.map((rule) => ({ field: 'email', ...rule })),
    kept: ['email'],
    secret: ['password'],
    breaker: { password: '' },
    otherBreaker: { email: '' },
  });
});

t.test('register', async (t) => {
  checkFormRejectsBadInput(t, db, {
    open: opener('/register'),
    valid: { name: 'Rosa Link', email: uniqueEmail('rosa'), practice: 'Hill Surgery', pcn: 'North PCN', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD },
    required: {
      name: 'Enter your full name',
      email: 'Enter your work email address',
      practice: 'Enter your GP practice or team',
      pcn: 'Enter your Primary Care Network',
      password: 'Enter a password',
    },
    tooLong: {
      name: { length: 101, message: 'Full name must be 100 characters or fewer' },
      email: { length: 255, message: 'Email address must be 254 characters or fewer' },
      practice: { length: 151, message: 'GP practice must be 150 characters or fewer' },
      pcn: { length: 151, message: 'Primary Care Network must be 150 characters or fewer' },
      password: { length: 257, message: 'Password must be 256 characters or fewer' },
    },
    malformed: [
      ...emailRules.map((rule) => ({ field: 'email', ...rule })),
      { field: 'confirmPassword', value: 'something else entirely', message: 'The passwords do not match. Enter the same password twice' },
      { field: 'password', value: 'short', message: 'Password must be 12 characters or more' },
    ],
    kept: ['name', 'email', 'practice', 'pcn'],
    secret: ['password', 'confirmPassword'],
    breaker: { password: '' },
    otherBreaker: { name: '' },
  });
});

t.test('confirm an email address', async (t) => {
  const email = uniqueEmail('confirming');
  await askToRegister(db, ['nhs.net'], { name: 'Rosa Link', email, practice: 'Hill Surgery', pcn: 'North PCN', password: NEW_PASSWORD });
  await runAccountRequests(db, baseUrl);
  const message = await db.selectFrom('outboxMessages').select('textBody').where('recipientEmail', '=', email).executeTakeFirstOrThrow();
  checkFormRejectsBadInput(t, db, {
    open: opener(linkOnPage(message.textBody, '/register/confirm/')),
    valid: { password: NEW_PASSWORD },
    required: { password: 'Enter the password you chose when you registered' },
    tooLong: { password: { length: 257, message: 'Enter the password you chose when you registered' } },
    kept: [],
    secret: ['password'],
    breaker: { password: '' },
  });
});

t.test('accept an invitation', async (t) => {
  const coordinator = await createUser(db, 'coordinator');
  const link = await db
    .transaction()
    .execute((tx) => invite(tx, baseUrl, { email: uniqueEmail('invited'), role: 'link_worker', organisationId: null, invitedBy: coordinator.id }));
  checkFormRejectsBadInput(t, db, {
    open: opener(path(link.url)),
    valid: { name: 'Nadia Link', practice: 'Riverside Surgery', pcn: 'Riverside PCN', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD },
    required: {
      name: 'Enter your full name',
      practice: 'Enter your GP practice or team',
      pcn: 'Enter your Primary Care Network',
      password: 'Enter a password',
    },
    tooLong: {
      name: { length: 101, message: 'Full name must be 100 characters or fewer' },
      practice: { length: 151, message: 'GP practice must be 150 characters or fewer' },
      pcn: { length: 151, message: 'Primary Care Network must be 150 characters or fewer' },
      password: { length: 257, message: 'Password must be 256 characters or fewer' },
    },
    malformed: [
      { field: 'confirmPassword', value: 'something else entirely', message: 'The passwords do not match. Enter the same password twice' },
      {
        field: 'password',
        value: 'password1234',
        message: 'This password is too common and easy to guess. Choose a different one, such as three random words',
      },
    ],
    kept: ['name', 'practice', 'pcn'],
    secret: ['password', 'confirmPassword'],
    breaker: { password: '' },
    otherBreaker: { name: '' },
  });
});

t.test('ask for a password reset', async (t) => {
  checkFormRejectsBadInput(t, db, {
    open: opener('/reset-password'),
    valid: { email: uniqueEmail('reset') },
    required: { email: 'Enter your email address' },
    tooLong: { email: { length: 255, message: 'Email address must be 254 characters or fewer' } },
    malformed: emailRules.map((rule) => ({ field: 'email', ...rule })),
    kept: ['email'],
    breaker: { email: '' },
  });
});

t.test('choose a new password', async (t) => {
  const user = await createUser(db, 'provider');
  const link = await db.transaction().execute((tx) => requestPasswordReset(tx, baseUrl, user.email));
  checkFormRejectsBadInput(t, db, {
    open: opener(path(link!.url)),
    valid: { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD },
    required: { password: 'Enter a password' },
    tooLong: { password: { length: 257, message: 'Password must be 256 characters or fewer' } },
    malformed: [
      { field: 'confirmPassword', value: 'something else entirely', message: 'The passwords do not match. Enter the same password twice' },
      { field: 'password', value: 'eleven char', message: 'Password must be 12 characters or more' },
    ],
    kept: [],
    secret: ['password', 'confirmPassword'],
    breaker: { password: '' },
    otherBreaker: { confirmPassword: 'not the same password' },
  });
});

t.test('hostile values that are valid are stored as text and shown as text', async (t) => {
  const coordinator = await createUser(db, 'coordinator');
  for (const hostile of HOSTILE_VALUES) {
    const email = uniqueEmail('hostile');
    const link = await db.transaction().execute((tx) => invite(tx, baseUrl, { email, role: 'link_worker', organisationId: null, invitedBy: coordinator.id }));
    const visitor = new Visitor(app);
    await visitor.get(path(link.url));
    const accepted = await visitor.post(path(link.url), {
      name: hostile,
      practice: hostile,
      pcn: hostile,
      password: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    t.equal(accepted.statusCode, 303, `accepted with ${hostile}, and signed in`);
    const user = await db.selectFrom('users').select(['id', 'name', 'practice']).where('email', '=', email).executeTakeFirstOrThrow();
    t.equal(user.name, hostile, 'stored exactly as typed');

    const person = new Visitor(app);
    await person.signIn(email, NEW_PASSWORD);
    for (const url of ['/', '/account']) {
      const page = await person.get(url);
      t.notOk(page.body.includes(hostile), `${url}: not markup for ${hostile}`);
      t.ok(page.body.includes(escapeHtml(hostile)), `${url}: shown as text`);
    }
    const admin = new Visitor(app);
    await admin.signIn(coordinator.email, PASSWORD);
    for (const url of ['/people', `/people/${user.id}`]) {
      const page = await admin.get(url);
      t.equal(page.statusCode, 200);
      t.notOk(page.body.includes(hostile), `${url}: not markup`);
      t.ok(page.body.includes(escapeHtml(hostile)), `${url}: shown as text`);
    }
  }
  const count = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  t.ok(Number(count.n) > 0, 'the users table is still there');
});
