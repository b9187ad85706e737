import t from 'tap';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';
import { createUser, linkOnPage, uniqueEmail } from '../fixtures/accounts.ts';
import { signedInVisitor } from '../fixtures/bookings.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());

const PASSWORD = 'marmalade kettle harbour';
const registration = (email: string) => ({ name: 'Rosa Link', email, practice: 'Hill Surgery', pcn: 'North PCN', password: PASSWORD, confirmPassword: PASSWORD });
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
  t.match(page.body, /we have sent it an email with a link to confirm it/);
  t.notMatch(page.body, /\/register\/confirm\//, 'the page never shows the confirmation link');
  const [confirmation, ...more] = await messageTo(email, 'email_confirmation');
  t.equal(more.length, 0, 'one email');
  t.equal(confirmation!.subject, 'Confirm your email address for Tasters');
  const path = linkIn(confirmation!.textBody!, base, '/register/confirm/');
  t.match(confirmation!.htmlBody!, new RegExp(`<a href="${base.replace(/\./g, '\\.')}${path}"`), 'the HTML version links to it too');
  const confirmPage = await visitor.get(path);
  t.equal(confirmPage.statusCode, 200, 'the link in the email works');
  t.equal(heading(confirmPage.body), 'Confirm your email address');

  const coordinator = await signedInVisitor(app, db, await createUser(db, 'coordinator'));
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
  const [reset] = await messageTo(member.email, 'password_reset');
  t.equal(reset!.recipientId, member.id);
  const resetPage = await new Visitor(app).get(linkIn(reset!.textBody!, base, '/reset-password/'));
  t.equal(heading(resetPage.body), 'Choose a new password', 'the reset link works');
});

t.test('without email (development, the demo), the page shows the link from the email, and says why', async (t) => {
  const app = await buildTestApp(t, database);
  const email = uniqueEmail('dev');
  const visitor = new Visitor(app);
  await visitor.get('/register');
  const page = await visitor.post('/register', registration(email));
  t.match(page.body, /not set up to send email/);
  const shown = linkOnPage(page.body, '/register/confirm/');
  const [confirmation] = await messageTo(email, 'email_confirmation');
  t.match(confirmation!.textBody, shown, 'the same link as in the email, which the development mailbox also shows');

  const coordinator = await signedInVisitor(app, db, await createUser(db, 'coordinator'));
  await coordinator.get('/people/invite');
  const invited = await coordinator.post('/people/invite', { email: uniqueEmail('invitee'), role: 'link_worker', organisationId: '' });
  t.match(invited.body, /id="invitation-link"/);
  t.match(invited.body, /Send this link to/);
});
