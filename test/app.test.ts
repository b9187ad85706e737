import t from 'tap';
import { buildApp, redactUrl } from '../src/app.ts';
import { testConfig } from '../src/config.ts';
import { linkOnPage, runAccountRequests, uniqueEmail } from './fixtures/accounts.ts';
import { createUser, PASSWORD } from './fixtures/builders.ts';
import { createTestDatabase, Visitor, validateEveryHtmlResponse } from './helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

t.test('secret paths are redacted for the log', async (t) => {
  t.equal(redactUrl('/invitations/abc123_-X'), '/invitations/[redacted]');
  t.equal(redactUrl('/reset-password/abc?x=1'), '/reset-password/[redacted]?x=1');
  t.equal(
    redactUrl('/sign-in/with/nhsmail/callback?code=one-time-code&state=s3cret&iss=https%3A%2F%2Fidp'),
    '/sign-in/with/nhsmail/callback?code=[redacted]&state=[redacted]&iss=https%3A%2F%2Fidp',
    'a provider’s authorisation code and our state never reach the log',
  );
  t.equal(redactUrl('/register/confirm/abc'), '/register/confirm/[redacted]');
  t.equal(redactUrl('/register/sent/2f1c0d7e-8a4b-4c1e-9d3f-0a1b2c3d4e5f'), '/register/sent/[redacted]');
  t.equal(redactUrl('/calendar/abc.ics'), '/calendar/[redacted]');
  t.equal(redactUrl('/reset-password'), '/reset-password', 'the form itself is not a secret');
  t.equal(redactUrl('/people/123'), '/people/123');
});

t.test('the log has requests and sign-ins, but no password, token from a link or session id', async (t) => {
  const lines: string[] = [];
  const app = await buildApp({
    config: testConfig({ logLevel: 'trace' }),
    db,
    logStream: { write: (line: string) => void lines.push(line) },
  });
  validateEveryHtmlResponse(t, app);
  t.teardown(() => app.close());
  const secrets: string[] = [];
  const NEW_PASSWORD = 'juniper teacup harbour';
  const RESET_PASSWORD = 'walnut lantern meadow';
  const LINK_WORKER_PASSWORD = 'saffron kettle orchard';
  secrets.push(PASSWORD, NEW_PASSWORD, RESET_PASSWORD, LINK_WORKER_PASSWORD, 'a wrong password tried');

  const rememberCookies = (visitor: Visitor) => {
    for (const value of Object.values(visitor.cookies)) {
      secrets.push(value, decodeURIComponent(value).split('.')[0]!);
    }
    if (visitor.csrfToken) secrets.push(visitor.csrfToken);
  };
  const rememberLink = (path: string) => secrets.push(path.split('/').pop()!);

  // A coordinator signs in (after one wrong try) and invites someone.
  const coordinator = await createUser(db, 'coordinator');
  const admin = new Visitor(app);
  await admin.get('/sign-in');
  await admin.post('/sign-in', { email: coordinator.email, password: 'a wrong password tried' });
  await admin.signIn(coordinator.email, PASSWORD);
  rememberCookies(admin);
  await admin.get('/people/invite');
  const email = uniqueEmail('logged');
  const invited = await admin.post('/people/invite', { email, role: 'provider', organisationId: '' });
  t.equal(invited.statusCode, 400, 'a refused form is logged too');
  await admin.get('/people/invite');
  const invitation = await admin.post('/people/invite', { email, role: 'link_worker' });
  const invitationLink = linkOnPage(invitation.body, '/invitations/');
  rememberLink(invitationLink);
  rememberCookies(admin);

  // The invited person accepts and signs in.
  const newcomer = new Visitor(app);
  await newcomer.get(invitationLink);
  await newcomer.post(invitationLink, { name: 'Logan Log', practice: 'Hill Surgery', pcn: 'North PCN', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
  await newcomer.signIn(email, NEW_PASSWORD);
  rememberCookies(newcomer);

  // They forget their password, ask for a reset and use the link.
  const forgetful = new Visitor(app);
  await forgetful.get('/reset-password');
  await forgetful.post('/reset-password', { email });
  await runAccountRequests(db);
  const message = await db
    .selectFrom('outboxMessages')
    .select('textBody')
    .where('recipientEmail', '=', email)
    .where('kind', '=', 'password_reset')
    .executeTakeFirstOrThrow();
  const resetLink = linkOnPage(message.textBody!, '/reset-password/');
  rememberLink(resetLink);
  await forgetful.get(resetLink);
  await forgetful.post(resetLink, { password: RESET_PASSWORD, confirmPassword: RESET_PASSWORD });
  await forgetful.signIn(email, RESET_PASSWORD);
  rememberCookies(forgetful);

  // A link worker registers and confirms their address.
  const registrant = new Visitor(app);
  await registrant.get('/register');
  const registered = await registrant.post('/register', {
    name: 'Reggie Stration',
    email: uniqueEmail('registered'),
    practice: 'Hill Surgery',
    pcn: 'North PCN',
    password: LINK_WORKER_PASSWORD,
    confirmPassword: LINK_WORKER_PASSWORD,
  });
  const sentPage = /href="(\/register\/sent\/[^"]+)"/.exec(registered.body)![1]!;
  rememberLink(sentPage);
  await runAccountRequests(db);
  const confirmLink = linkOnPage((await registrant.get(sentPage)).body, '/register/confirm/');
  rememberLink(confirmLink);
  await registrant.get(confirmLink);
  await registrant.post(confirmLink, { password: LINK_WORKER_PASSWORD });

  // A coordinator makes a reset link for someone; someone signs out; someone is refused a page.
  const person = await createUser(db, 'provider');
  await admin.get(`/people/${person.id}`);
  const made = await admin.post(`/people/${person.id}/password-reset`, {});
  rememberLink(linkOnPage(made.body, '/reset-password/'));
  await newcomer.get('/people');
  await forgetful.post('/sign-out', {});

  const log = lines.join('');
  t.ok(lines.length > 50, `the log has lines (${lines.length})`);
  const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  t.ok(
    entries.every((e) => typeof e.time === 'number' && typeof e.level === 'number'),
    'structured JSON lines with a time and level',
  );
  t.ok(
    entries.some((e) => e.event === 'signed_in' && e.userId === coordinator.id && typeof e.reqId === 'string'),
    'a sign-in with the user and the request id',
  );
  t.ok(
    entries.some((e) => e.event === 'sign_in_refused'),
    'a refused sign-in',
  );
  t.ok(
    entries.some((e) => e.event === 'signed_out'),
    'a sign-out',
  );
  t.ok(
    entries.some((e) => (e.req as { remoteAddress?: string } | undefined)?.remoteAddress === '127.0.0.1'),
    'requests with the address',
  );
  t.match(log, /\/invitations\/\[redacted\]/, 'the invitation path is logged without its token');
  t.match(log, /\/reset-password\/\[redacted\]/);
  t.match(log, /\/register\/confirm\/\[redacted\]/);

  t.ok(secrets.length > 15, `checked ${secrets.length} secrets`);
  for (const secret of new Set(secrets)) {
    t.notOk(log.includes(secret), `not in the log: ${secret.slice(0, 6)}… (${secret.length} characters)`);
  }
  t.notMatch(log, /cookie|authorization/i, 'no request headers');
  t.notMatch(log, /\$argon2/, 'no password hash');
});
