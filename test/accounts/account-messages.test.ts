import t from 'tap';
import { linkOnPage, runAccountRequests, uniqueEmail } from '../fixtures/accounts.ts';
import { createUser } from '../fixtures/builders.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());

const PASSWORD = 'marmalade kettle harbour';
const registration = (email: string) => ({
  name: 'Rosa Link',
  email,
  practice: 'Hill Surgery',
  pcn: 'North PCN',
  password: PASSWORD,
  confirmPassword: PASSWORD,
});
const messageTo = (email: string, kind: string) =>
  db.selectFrom('outboxMessages').selectAll().where('recipientEmail', '=', email).where('kind', '=', kind).execute();

/** The site path of the first full link to `prefix` in an email's text. */
function linkIn(text: string, base: string, prefix: string): string {
  const match = new RegExp(`${base.replace(/[.]/g, '\\.')}(${prefix}[A-Za-z0-9_-]+)`).exec(text);
  if (!match) throw new Error(`no ${prefix} link in the email`);
  return match[1]!;
}

t.test('with email set up: registration, invitation and reset links go by email only, and work', async (t) => {
  const base = 'https://tasters.test';
  const app = await buildTestApp(t, database, { baseUrl: base, smtpUrl: 'smtp://mail.tasters.test:587' });

  const email = uniqueEmail('rosa');
  const visitor = new Visitor(app);
  await visitor.get('/register');
  const page = await visitor.post('/register', registration(email));
  t.equal(heading(page.body), 'Confirm your email address');
  t.match(page.body, /We are sending an email to/);
  t.match(page.body, /Open the email and select the link/);
  t.notMatch(page.body, /\/register\/confirm\//, 'the page never shows the confirmation link');
  t.notMatch(page.body, /\/register\/sent\//, 'nor where to read the email');
  t.same(await runAccountRequests(db, base), ['confirmation_sent']);
  const [confirmation, ...more] = await messageTo(email, 'email_confirmation');
  t.equal(more.length, 0, 'one email');
  t.equal(confirmation!.subject, 'Confirm your email address for Tasters');
  const path = linkIn(confirmation!.textBody!, base, '/register/confirm/');
  t.match(confirmation!.htmlBody!, new RegExp(`<a href="${base.replace(/\./g, '\\.')}${path}"`), 'the HTML version links to it too');
  const confirmPage = await visitor.get(path);
  t.equal(confirmPage.statusCode, 200, 'the link in the email works');
  t.equal(heading(confirmPage.body), 'Confirm your email address');
  const [request] = await db.selectFrom('accountRequests').select('id').execute();
  t.equal(request, undefined, 'the job is done with the request');
  t.equal(
    (await visitor.get(`/register/sent/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`)).statusCode,
    404,
    'with email set up, there is no page showing what was sent',
  );

  const { visitor: coordinator } = await signedIn(app, db, 'coordinator');
  const invitee = uniqueEmail('invitee');
  await coordinator.get('/people/invite');
  const invited = await coordinator.post('/people/invite', { email: invitee, role: 'link_worker', organisationId: '' });
  t.equal(heading(invited.body), 'Invitation created');
  t.match(invited.body, /We have emailed an invitation to/);
  t.notMatch(invited.body, /\/invitations\//, 'no link on the page: it went by email');
  t.notMatch(invited.body, /id="invitation-link"/);
  const [invitation] = await messageTo(invitee, 'invitation');
  const invitationPath = linkIn(invitation!.textBody!, base, '/invitations/');
  const accept = await new Visitor(app).get(invitationPath);
  t.equal(heading(accept.body), 'Set up your account', 'the invitation link works');

  const member = await createUser(db, 'provider');
  const resetter = new Visitor(app);
  await resetter.get('/reset-password');
  await resetter.post('/reset-password', { email: member.email });
  t.same(await runAccountRequests(db, base), ['reset_sent']);
  const [reset] = await messageTo(member.email, 'password_reset');
  t.equal(reset!.recipientId, member.id);
  const resetPage = await new Visitor(app).get(linkIn(reset!.textBody!, base, '/reset-password/'));
  t.equal(heading(resetPage.body), 'Choose a new password', 'the reset link works');
});

t.test('without email (development, the demo), the page leads to the email that was sent, and says why', async (t) => {
  const app = await buildTestApp(t, database);
  const email = uniqueEmail('dev');
  const visitor = new Visitor(app);
  await visitor.get('/register');
  const page = await visitor.post('/register', registration(email));
  t.match(page.body, /not set up to send email/);
  t.notMatch(page.body, /\/register\/confirm\//, 'no link made yet: the job makes it');
  const sentPage = /href="(\/register\/sent\/[0-9a-f-]{36})"/.exec(page.body)?.[1];
  t.ok(sentPage, 'a link to read the email');

  const waiting = await visitor.get(sentPage!);
  t.equal(waiting.statusCode, 200);
  t.equal(heading(waiting.body), 'The email is on its way', 'before the job has run');
  t.match(waiting.body, new RegExp(`href="${sentPage}"`), 'with a way to look again');

  await runAccountRequests(db);
  const sent = await visitor.get(sentPage!);
  t.equal(heading(sent.body), 'The email we sent');
  t.match(sent.body, /Confirm your email address for Tasters/);
  const shown = linkOnPage(sent.body, '/register/confirm/');
  const [confirmation] = await messageTo(email, 'email_confirmation');
  t.match(confirmation!.textBody, shown, 'the link in the email, which the development mailbox also shows');
  const confirmed = await new Visitor(app).post(shown, { password: PASSWORD });
  t.equal(heading(confirmed.body), 'Your email address is confirmed', 'and it works');

  // An address with an account: the page is the same, and the email says so.
  const again = new Visitor(app);
  await again.get('/register');
  const second = await again.post('/register', registration(email));
  await runAccountRequests(db);
  const secondSent = await again.get(/href="(\/register\/sent\/[0-9a-f-]{36})"/.exec(second.body)![1]!);
  t.match(secondSent.body, /You already have a Tasters account/);
  t.notMatch(secondSent.body, /\/register\/confirm\//);
  t.equal((await again.get('/register/sent/not-a-request')).statusCode, 404);

  const { visitor: coordinator } = await signedIn(app, db, 'coordinator');
  await coordinator.get('/people/invite');
  const invited = await coordinator.post('/people/invite', { email: uniqueEmail('invitee'), role: 'link_worker', organisationId: '' });
  t.match(invited.body, /id="invitation-link"/);
  t.match(invited.body, /Send this link to/);
});
