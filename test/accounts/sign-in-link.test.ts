import t from 'tap';
import { SIGN_IN_LINK_MINUTES } from '../../src/accounts/service.ts';
import { SIGN_IN_LINK_REISSUE_MINUTES } from '../../src/accounts/sign-in-links.ts';
import { linkOnPage, runAccountRequests, uniqueEmail } from '../fixtures/accounts.ts';
import { createUser } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase, fieldError, heading, Visitor } from '../helper.ts';

/** The emailed one-time sign-in link: single use, short-lived, and only the newest works. */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

async function askForLink(email: string) {
  const visitor = new Visitor(app);
  await visitor.get('/sign-in/email-link');
  const response = await visitor.post('/sign-in/email-link', { email });
  // The page only stores the request; the job on the queue sends the link.
  await runAccountRequests(db);
  return response;
}

/** Every sign-in link queued for this address, newest first (until email is sent, the outbox is the mailbox). */
async function linksSentTo(email: string): Promise<string[]> {
  const messages = await db
    .selectFrom('outboxMessages')
    .select('textBody')
    .where('recipientEmail', '=', email)
    .where('kind', '=', 'sign_in_link')
    .orderBy('createdAt', 'desc')
    .execute();
  return messages.map((m) => linkOnPage(m.textBody, '/sign-in/link/'));
}

/** Pretends the account's sign-in links were made `minutes` earlier (their lifetimes move with them). */
async function moveLinksBack(email: string, minutes: number) {
  const links = await db
    .selectFrom('accountLinks')
    .select(['id', 'createdAt', 'expiresAt'])
    .where('email', '=', email)
    .where('purpose', '=', 'sign_in')
    .execute();
  for (const link of links) {
    await db
      .updateTable('accountLinks')
      .set({ createdAt: new Date(link.createdAt.getTime() - minutes * 60_000), expiresAt: new Date(link.expiresAt.getTime() - minutes * 60_000) } as never)
      .where('id', '=', link.id)
      .execute();
  }
}

async function useLink(link: string) {
  const visitor = new Visitor(app);
  const page = await visitor.get(link);
  const used = await visitor.post(link, {});
  return { visitor, page, used };
}

t.test('the link signs in once, from a browser with no session, and only by the button', async (t) => {
  const user = await createUser(db, 'link_worker');
  const asked = await askForLink(user.email);
  t.equal(asked.statusCode, 200);
  t.equal(heading(asked.body), 'Check your email');
  t.match(asked.body, new RegExp(`works once, within ${SIGN_IN_LINK_MINUTES} minutes`));
  t.notMatch(asked.body, /\/sign-in\/link\/[A-Za-z0-9_-]{20,}/, 'the link is not shown to whoever asked');
  const [link] = await linksSentTo(user.email);
  t.ok(link, 'a link is emailed to the account');
  const row = await db
    .selectFrom('accountLinks')
    .select(['createdAt', 'expiresAt'])
    .where('email', '=', user.email)
    .where('purpose', '=', 'sign_in')
    .executeTakeFirstOrThrow();
  t.equal(Math.round((row.expiresAt.getTime() - row.createdAt.getTime()) / 60_000), SIGN_IN_LINK_MINUTES, `it lasts ${SIGN_IN_LINK_MINUTES} minutes`);

  const visitor = new Visitor(app);
  const opened = await visitor.get(link!);
  t.equal(opened.statusCode, 200);
  t.equal(heading(opened.body), 'Sign in to Tasters');
  t.equal((await visitor.get(link!)).statusCode, 200, 'opening it (as a mail scanner would) does not use it up');
  t.equal((await visitor.get('/account')).statusCode, 302, 'opening it does not sign in');
  const used = await visitor.post(link!, {});
  t.equal(used.statusCode, 303);
  t.equal(used.headers.location, '/');
  t.equal((await visitor.get('/account')).statusCode, 200, 'signed in');
  const signedIn = await db
    .selectFrom('auditEvents')
    .select('details')
    .where('action', '=', 'signed_in')
    .where('actorId', '=', user.id)
    .executeTakeFirstOrThrow();
  t.same(signedIn.details, { firstStep: 'sign_in_link' }, 'the audit trail says how');

  const again = await useLink(link!);
  t.equal(again.page.statusCode, 410);
  t.equal(again.used.statusCode, 410, 'a second use is refused');
  t.equal(heading(again.used.body), 'This link does not work');
  t.match(again.used.body, /already been used/);
  t.match(again.used.body, /href="\/sign-in\/email-link"/, 'and says how to get a new one');
  t.equal((await again.visitor.get('/account')).statusCode, 302, 'not signed in');
  const refused = await db.selectFrom('auditEvents').select('details').where('action', '=', 'sign_in_link_refused').where('subjectId', '=', user.id).execute();
  t.same(
    refused.map((r) => r.details),
    [{ reason: 'used' }],
    'the refusal is audited against the account',
  );
});

t.test(`the link expires after ${SIGN_IN_LINK_MINUTES} minutes`, async (t) => {
  const user = await createUser(db, 'provider');
  await askForLink(user.email);
  const [link] = await linksSentTo(user.email);
  await moveLinksBack(user.email, SIGN_IN_LINK_MINUTES + 1);
  const { page, used, visitor } = await useLink(link!);
  t.equal(page.statusCode, 410);
  t.match(page.body, /This link has expired/);
  t.equal(used.statusCode, 410);
  t.equal((await visitor.get('/account')).statusCode, 302, 'not signed in');
  const refused = await db.selectFrom('auditEvents').select('details').where('action', '=', 'sign_in_link_refused').where('subjectId', '=', user.id).execute();
  t.same(
    refused.map((r) => r.details),
    [{ reason: 'expired' }],
    'the refusal is audited',
  );
});

t.test('a new link ends the one before; asking again within minutes sends no new one, so the newest keeps working', async (t) => {
  const user = await createUser(db, 'link_worker');
  await askForLink(user.email);
  const [first] = await linksSentTo(user.email);

  const soon = await askForLink(user.email);
  t.equal(heading(soon.body), 'Check your email', 'asking again soon gets the same answer');
  t.equal((await linksSentTo(user.email)).length, 1, `no second link within ${SIGN_IN_LINK_REISSUE_MINUTES} minutes`);

  await moveLinksBack(user.email, SIGN_IN_LINK_REISSUE_MINUTES + 1);
  await askForLink(user.email);
  const links = await linksSentTo(user.email);
  t.equal(links.length, 2, 'later, a new link is sent');
  t.not(links[0], first);

  const old = await useLink(first!);
  t.equal(old.used.statusCode, 410, 'the earlier link no longer works');
  t.equal((await old.visitor.get('/account')).statusCode, 302);
  const fresh = await useLink(links[0]!);
  t.equal(fresh.used.statusCode, 303, 'the newest one does');
  t.equal((await fresh.visitor.get('/account')).statusCode, 200);

  const requests = await db
    .selectFrom('auditEvents')
    .select('details')
    .where('action', '=', 'sign_in_link_requested')
    .where('subjectId', '=', user.id)
    .orderBy('id')
    .execute();
  t.same(
    requests.map((r) => r.details),
    [{ sent: true }, { sent: false }, { sent: true }],
    'every request is audited',
  );
});

t.test('an unknown, disabled or unconfirmed address gets the same answer and no link', async (t) => {
  const active = await createUser(db, 'link_worker');
  const disabled = await createUser(db, 'link_worker', { status: 'disabled' });
  const unconfirmed = await createUser(db, 'link_worker', { status: 'unconfirmed' });
  const unknown = uniqueEmail('nobody');
  const strip = (html: string, email: string) =>
    html
      .replace(/name="_csrf" value="[^"]*"/g, '')
      .replace(/"x-csrf-token": "[^"]*"/g, '')
      .replaceAll(email, 'EMAIL');
  const expected = strip((await askForLink(active.email)).body, active.email);
  for (const email of [unknown, disabled.email, unconfirmed.email]) {
    const response = await askForLink(email);
    t.equal(response.statusCode, 200);
    t.equal(strip(response.body, email), expected, 'the same page');
    t.same(await linksSentTo(email), [], 'and nothing sent');
  }
});

t.test('a link for an account disabled since it was sent does not sign in', async (t) => {
  const user = await createUser(db, 'link_worker');
  await askForLink(user.email);
  const [link] = await linksSentTo(user.email);
  await db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
  const { used, visitor } = await useLink(link!);
  t.equal(used.statusCode, 410);
  t.equal((await visitor.get('/account')).statusCode, 302);
});

t.test('a malformed or unknown link, and a missing email, are refused clearly', async (t) => {
  for (const token of ['short', 'x'.repeat(43), 'not%20a%20token-at-all-but-long-enough']) {
    const visitor = new Visitor(app);
    t.equal((await visitor.get(`/sign-in/link/${token}`)).statusCode, 410, `GET ${token.slice(0, 10)}`);
    t.equal((await visitor.post(`/sign-in/link/${token}`, {})).statusCode, 410, `POST ${token.slice(0, 10)}`);
  }
  const visitor = new Visitor(app);
  await visitor.get('/sign-in/email-link');
  const missing = await visitor.post('/sign-in/email-link', { email: '' });
  t.equal(missing.statusCode, 400);
  t.equal(fieldError(missing.body, 'email'), 'Enter your email address');
  t.match(missing.body, /<title>Error: /);
});
