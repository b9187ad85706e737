import t from 'tap';
import { linkOnPage, rowCounts, runAccountRequests, uniqueEmail } from '../fixtures/accounts.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase, fieldError, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

const NEW_PASSWORD = 'pebble orchard lighthouse';

/** Asks for a reset as a person would; the job then handles the request, as the worker would. */
async function requestReset(email: string) {
  const visitor = new Visitor(app);
  await visitor.get('/reset-password');
  const response = await visitor.post('/reset-password', { email });
  await runAccountRequests(db);
  return response;
}

/** The link in the message queued for this address (until email is sent, the outbox is the mailbox). */
async function linkSentTo(email: string): Promise<string | undefined> {
  const message = await db
    .selectFrom('outboxMessages')
    .select('textBody')
    .where('recipientEmail', '=', email)
    .where('kind', '=', 'password_reset')
    .orderBy('createdAt', 'desc')
    .executeTakeFirst();
  return message ? linkOnPage(message.textBody!, '/reset-password/') : undefined;
}

async function signedIn(visitor: Visitor) {
  return (await visitor.get('/account')).statusCode === 200;
}

t.test('a known and an unknown address get the same answer; only the known one gets a link', async (t) => {
  const user = await createUser(db, 'link_worker');
  const unknownEmail = uniqueEmail('nobody');
  const known = await requestReset(user.email);
  const unknown = await requestReset(unknownEmail);
  t.equal(known.statusCode, 200);
  t.equal(unknown.statusCode, known.statusCode);
  t.equal(heading(known.body), 'Check your email');
  const strip = (html: string, email: string) =>
    html
      .replace(/name="_csrf" value="[^"]*"/g, '')
      .replace(/"x-csrf-token": "[^"]*"/g, '')
      .replaceAll(email, 'EMAIL');
  t.equal(strip(unknown.body, unknownEmail), strip(known.body, user.email), 'the pages are the same');
  t.notMatch(known.body, /\/reset-password\/[A-Za-z0-9_-]{20,}/, 'the link is not shown to whoever asked');
  t.ok(await linkSentTo(user.email), 'a link is queued for the account holder');
  t.equal(await linkSentTo(unknownEmail), undefined, 'nothing for an unknown address');
});

t.test('the link sets a new password once: the old password stops working and every session ends', async (t) => {
  const user = await createUser(db, 'provider');
  const laptop = new Visitor(app);
  const phone = new Visitor(app);
  await laptop.signIn(user.email, PASSWORD);
  await phone.signIn(user.email, PASSWORD);
  t.ok(await signedIn(laptop));
  t.ok(await signedIn(phone));

  await requestReset(user.email);
  const link = (await linkSentTo(user.email))!;
  const row = await db
    .selectFrom('accountLinks')
    .select(['createdAt', 'expiresAt'])
    .where('email', '=', user.email)
    .where('purpose', '=', 'password_reset')
    .executeTakeFirstOrThrow();
  t.equal(Math.round((row.expiresAt.getTime() - row.createdAt.getTime()) / 60_000), 60, 'the link lasts an hour');

  const visitor = new Visitor(app);
  const form = await visitor.get(link);
  t.equal(form.statusCode, 200);
  t.equal(heading(form.body), 'Choose a new password');
  const done = await visitor.post(link, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
  t.equal(done.statusCode, 200);
  t.equal(heading(done.body), 'Your password has been changed');

  t.notOk(await signedIn(laptop), 'the laptop session has ended');
  t.notOk(await signedIn(phone), 'the phone session has ended');
  const old = await new Visitor(app).post('/sign-in', { email: user.email, password: PASSWORD });
  t.equal(old.statusCode, 400, 'the old password fails');
  await new Visitor(app).signIn(user.email, NEW_PASSWORD);

  const again = new Visitor(app);
  t.equal((await again.get(link)).statusCode, 410, 'the link works once');
  const reuse = await again.post(link, { password: 'yet another new password', confirmPassword: 'yet another new password' });
  t.equal(reuse.statusCode, 410);
  t.match(reuse.body, /already been used/);
  await new Visitor(app).signIn(user.email, NEW_PASSWORD);
});

t.test('a new reset link kills the earlier ones, whoever asked for them', async (t) => {
  const coordinator = await createUser(db, 'coordinator');
  const user = await createUser(db, 'link_worker');
  const admin = new Visitor(app);
  await admin.signIn(coordinator.email, PASSWORD);
  await admin.get(`/people/${user.id}`);
  const coordinatorsLink = linkOnPage((await admin.post(`/people/${user.id}/password-reset`, {})).body, '/reset-password/');

  await requestReset(user.email);
  const first = (await linkSentTo(user.email))!;
  t.not(first, coordinatorsLink);
  await requestReset(user.email);
  const second = (await linkSentTo(user.email))!;
  t.not(second, first, 'a new link');

  for (const stale of [coordinatorsLink, first]) {
    const visitor = new Visitor(app);
    const page = await visitor.get(stale);
    t.equal(page.statusCode, 410, 'an earlier link no longer works');
    t.match(page.body, /newer link has been sent/);
    t.equal((await visitor.post(stale, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).statusCode, 410);
  }
  await new Visitor(app).signIn(user.email, PASSWORD);

  const visitor = new Visitor(app);
  await visitor.get(second);
  t.equal((await visitor.post(second, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).statusCode, 200, 'the newest one works');
  await new Visitor(app).signIn(user.email, NEW_PASSWORD);
});

t.test('a reset link expires after an hour', async (t) => {
  const user = await createUser(db, 'link_worker');
  await requestReset(user.email);
  const link = (await linkSentTo(user.email))!;
  await db
    .updateTable('accountLinks')
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where('email', '=', user.email)
    .where('purpose', '=', 'password_reset')
    .execute();
  const visitor = new Visitor(app);
  const page = await visitor.get(link);
  t.equal(page.statusCode, 410);
  t.match(page.body, /This link has expired/);
  const post = await visitor.post(link, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
  t.equal(post.statusCode, 410);
  await new Visitor(app).signIn(user.email, PASSWORD);
});

t.test('a new password is checked like any other, and a mistake keeps the link usable', async (t) => {
  const user = await createUser(db, 'link_worker');
  await requestReset(user.email);
  const link = (await linkSentTo(user.email))!;
  const visitor = new Visitor(app);
  await visitor.get(link);
  const short = await visitor.post(link, { password: 'eleven char', confirmPassword: 'eleven char' });
  t.equal(short.statusCode, 400);
  t.equal(fieldError(short.body, 'password'), 'Password must be 12 characters or more');
  const common = await visitor.post(link, { password: 'password1234', confirmPassword: 'password1234' });
  t.match(fieldError(common.body, 'password'), /too common/);
  const mismatch = await visitor.post(link, { password: NEW_PASSWORD, confirmPassword: `${NEW_PASSWORD}!` });
  t.match(fieldError(mismatch.body, 'confirmPassword'), /do not match/);
  t.equal((await visitor.post(link, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).statusCode, 200);
});

t.test('disabled and unconfirmed accounts get no reset link, with the same answer', async (t) => {
  for (const status of ['disabled', 'unconfirmed'] as const) {
    const user = await createUser(db, 'link_worker', { status });
    const response = await requestReset(user.email);
    t.equal(heading(response.body), 'Check your email', status);
    t.equal(await linkSentTo(user.email), undefined, `${status}: no link`);
    t.equal(await db.selectFrom('accountLinks').select('id').where('email', '=', user.email).executeTakeFirst(), undefined, `${status}: none made`);
  }
});

t.test('a coordinator can make a reset link for a person, who uses it', async (t) => {
  const coordinator = await createUser(db, 'coordinator');
  const person = await createUser(db, 'link_worker');
  const personSession = new Visitor(app);
  await personSession.signIn(person.email, PASSWORD);
  const visitor = new Visitor(app);
  await visitor.signIn(coordinator.email, PASSWORD);
  await visitor.get(`/people/${person.id}`);
  const page = await visitor.post(`/people/${person.id}/password-reset`, {});
  t.equal(page.statusCode, 200);
  t.match(page.body, /Send this password reset link to/);
  const link = linkOnPage(page.body, '/reset-password/');
  const audit = await db
    .selectFrom('auditEvents')
    .select(['actorId'])
    .where('action', '=', 'password_reset_requested')
    .where('subjectId', '=', person.id)
    .execute();
  t.same(
    audit.map((a) => a.actorId),
    [coordinator.id],
    'the audit trail says the coordinator asked',
  );

  const done = await new Visitor(app).post(link, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
  t.equal(done.statusCode, 200);
  t.notOk(await signedIn(personSession), "the person's session has ended");
  await new Visitor(app).signIn(person.email, NEW_PASSWORD);
  t.ok(await signedIn(visitor), "the coordinator's own session is untouched");

  const disabled = await createUser(db, 'link_worker', { status: 'disabled' });
  await visitor.get(`/people/${disabled.id}`);
  const refused = await visitor.post(`/people/${disabled.id}/password-reset`, {});
  t.equal(refused.statusCode, 400);
  t.match(refused.body, /Only an active account can have its password reset/);
  t.notMatch(refused.body, /\/reset-password\/[A-Za-z0-9_-]{20,}/);
});

t.test('the reset request form needs a real email address', async (t) => {
  const before = await rowCounts(db);
  for (const [email, message] of [
    ['', 'Enter your email address'],
    ['not an email', 'Enter an email address in the correct format, like name@nhs.net'],
    [`${'a'.repeat(250)}@nhs.net`, 'Email address must be 254 characters or fewer'],
  ] as const) {
    const response = await requestReset(email);
    t.equal(response.statusCode, 400, JSON.stringify(email.slice(0, 20)));
    t.equal(fieldError(response.body, 'email'), message);
  }
  t.same(await rowCounts(db), before);
});
