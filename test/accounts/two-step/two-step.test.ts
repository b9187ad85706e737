import t from 'tap';
import { MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS } from '../../../src/accounts/throttle.ts';
import { decryptSecret, encryptSecret } from '../../../src/accounts/two-step/crypto.ts';
import { PASSWORD } from '../../fixtures/builders.ts';
import { signedIn } from '../../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading, Visitor } from '../../helper.ts';
import { codeFor, recoveryCodesFromPage, secretFromPage, setUpTwoStep } from './helpers.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database, { twoStepRequiredRoles: ['coordinator'] });
const sessionCookie = 'tasters-session';

/** Signs in with a password and reaches the second step. */
async function passwordStep(email: string) {
  const visitor = new Visitor(app);
  const response = await visitor.signIn(email, PASSWORD);
  return { visitor, response };
}

async function auditActions(userId: string) {
  const rows = await db.selectFrom('auditEvents').select('action').where('subjectId', '=', userId).orderBy('id').execute();
  return rows.map((r) => r.action);
}

t.test('setting up: the page shows a QR code and the key as text, and a wrong code changes nothing', async (t) => {
  const { user, visitor } = await signedIn(app, db, 'link_worker', { withPassword: true });
  const page = await visitor.get('/account/two-step/set-up');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Set up two-step sign-in');
  t.match(page.body, /<img id="two-step-qr" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="QR code[^"]+"/, 'a QR code image with a text alternative');
  const secret = secretFromPage(page.body);
  t.match(secret, /^[A-Z2-7]{32}$/, 'a 160-bit key in base32');
  t.equal(secretFromPage((await visitor.get('/account/two-step/set-up')).body), secret, 'reloading shows the same key');

  const wrong = await visitor.post('/account/two-step/set-up', { code: '000000' === codeFor(secret) ? '111111' : '000000' });
  t.equal(wrong.statusCode, 400);
  t.match(wrong.body, /<title>Error: /);
  t.same(errorSummary(wrong.body), ['code: The code is not right. Enter the 6-digit code your app shows now']);
  const missing = await visitor.post('/account/two-step/set-up', { code: '  ' });
  t.equal(fieldError(missing.body, 'code'), 'Enter the 6-digit code from your authenticator app');
  const letters = await visitor.post('/account/two-step/set-up', { code: 'abcdef' });
  t.equal(fieldError(letters.body, 'code'), 'Enter the 6-digit code from your authenticator app, like 123456');
  t.notOk(await db.selectFrom('twoStepCredentials').select('userId').where('userId', '=', user.id).executeTakeFirst(), 'nothing stored');

  const done = await visitor.post('/account/two-step/set-up', { code: codeFor(secret), returnTo: '/my-bookings' });
  t.equal(done.statusCode, 200);
  t.equal(heading(done.body), 'Two-step sign-in is on: save your recovery codes');
  const codes = recoveryCodesFromPage(done.body);
  t.equal(codes.length, 10, 'ten recovery codes');
  t.equal(new Set(codes).size, 10, 'all different');
  t.match(done.body, /href="\/my-bookings"/, 'then back to where they were going');

  const stored = await db.selectFrom('twoStepCredentials').selectAll().where('userId', '=', user.id).executeTakeFirstOrThrow();
  t.notMatch(stored.secretEncrypted, new RegExp(secret), 'the key is not stored as it is');
  t.equal(decryptSecret('test-secret-that-is-long-enough-for-signing-cookies', stored.secretEncrypted), secret, 'it is stored encrypted');
  const hashes = await db.selectFrom('twoStepRecoveryCodes').select('codeHash').where('userId', '=', user.id).execute();
  t.equal(hashes.length, 10);
  for (const code of codes)
    t.notOk(
      hashes.some((h) => h.codeHash.includes(code.replace('-', ''))),
      'recovery codes are kept only as hashes',
    );
  t.same(
    (await auditActions(user.id)).filter((a) => a !== 'signed_in'),
    ['two_step_enabled'],
  );
  t.equal((await visitor.get('/account/two-step/set-up')).headers.location, '/account/two-step', 'once on, set-up sends to the settings');
  const account = await visitor.get('/account/two-step');
  t.match(account.body, /id="recovery-codes-left">10 of 10/);
});

t.test('signing in: the right password only starts the second step; the right code finishes it', async (t) => {
  const { user, visitor } = await signedIn(app, db, 'link_worker', { withPassword: true });
  const { secret } = await setUpTwoStep(visitor);
  await visitor.post('/sign-out', {});
  const earlier = new Date('2026-01-01T09:00:00Z');
  await db.updateTable('users').set({ lastSignedInAt: earlier }).where('id', '=', user.id).execute();

  const { visitor: next, response } = await passwordStep(user.email);
  t.equal(response.headers.location, '/sign-in/two-step');
  const pendingCookie = next.cookies[sessionCookie];
  t.ok(pendingCookie, 'a session for the second step');
  const account = await next.get('/account');
  t.match(String(account.headers.location), /^\/sign-in\?returnTo=/, 'not signed in yet: pages ask to sign in');
  const pending = await db.selectFrom('users').select('lastSignedInAt').where('id', '=', user.id).executeTakeFirstOrThrow();
  t.same(pending.lastSignedInAt, earlier, 'the password alone is not a sign-in');
  const page = await next.get('/sign-in/two-step');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Enter your security code');
  t.match(page.body, /autocomplete="one-time-code"/);

  const done = await next.post('/sign-in/two-step', { code: codeFor(secret, 30) });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, '/');
  t.not(next.cookies[sessionCookie], pendingCookie, 'a new session id once fully signed in');
  t.equal((await next.get('/account')).statusCode, 200, 'signed in');
  const after = await db.selectFrom('users').select('lastSignedInAt').where('id', '=', user.id).executeTakeFirstOrThrow();
  t.ok(after.lastSignedInAt && after.lastSignedInAt.getTime() > earlier.getTime(), 'the sign-in time is kept only now');
  const signIn = await db
    .selectFrom('auditEvents')
    .select('details')
    .where('action', '=', 'signed_in')
    .where('actorId', '=', user.id)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  t.same(signIn.details, { secondStep: 'code' });

  // The old pending session is worth nothing after the second step.
  const replay = await app.inject({ method: 'GET', url: '/account', cookies: { [sessionCookie]: pendingCookie! } });
  t.equal(replay.statusCode, 302);
});

t.test('codes: wrong, reused and outside the time window are refused; one 30 seconds out still works', async (t) => {
  const { user, visitor } = await signedIn(app, db, 'provider', { withPassword: true });
  const { secret } = await setUpTwoStep(visitor);
  await visitor.post('/sign-out', {});

  const { visitor: next } = await passwordStep(user.email);
  await next.get('/sign-in/two-step');
  const rightNow = codeFor(secret);
  const wrongCode = rightNow === '123456' ? '654321' : '123456';
  const wrong = await next.post('/sign-in/two-step', { code: wrongCode });
  t.equal(wrong.statusCode, 400);
  t.same(errorSummary(wrong.body), ['code: The code is not right. Enter the code your app shows now, or one of your recovery codes']);
  const blank = await next.post('/sign-in/two-step', { code: '' });
  t.equal(fieldError(blank.body, 'code'), 'Enter the 6-digit code from your authenticator app, or a recovery code');

  const expired = await next.post('/sign-in/two-step', { code: codeFor(secret, -90) });
  t.equal(expired.statusCode, 400, 'a code from 90 seconds ago is refused');
  const future = await next.post('/sign-in/two-step', { code: codeFor(secret, 90) });
  t.equal(future.statusCode, 400, 'a code from 90 seconds ahead is refused');
  const failures = await db.selectFrom('signInAttempts').select(['kind', 'succeeded']).where('email', '=', user.email).where('kind', '=', 'two_step').execute();
  t.equal(failures.length, 3, 'each wrong code counts against the sign-in limits (blank is not an attempt)');
  t.ok(failures.every((f) => !f.succeeded));
  t.same((await auditActions(user.id)).filter((a) => a === 'two_step_refused').length, 3, 'and is in the audit trail');

  const fastPhone = await next.post('/sign-in/two-step', { code: codeFor(secret, 30) });
  t.equal(fastPhone.statusCode, 303, 'a phone 30 seconds ahead still works');
  await next.post('/sign-out', {});

  const { visitor: again } = await passwordStep(user.email);
  await again.get('/sign-in/two-step');
  const reused = await again.post('/sign-in/two-step', { code: codeFor(secret, 30) });
  t.equal(reused.statusCode, 400, 'the same code cannot be used twice');
  t.equal(fieldError(reused.body, 'code'), 'This code has already been used. Wait for your app to show a new code, then enter it');
  const earlier = await again.post('/sign-in/two-step', { code: rightNow });
  t.equal(earlier.statusCode, 400, 'nor a code from before the last one used');

  // A phone whose clock is 30 seconds slow, the first time it is used.
  await db.updateTable('twoStepCredentials').set({ lastUsedStep: null }).where('userId', '=', user.id).execute();
  const slowPhone = await again.post('/sign-in/two-step', { code: codeFor(secret, -30) });
  t.equal(slowPhone.statusCode, 303, 'a phone 30 seconds behind still works');
});

t.test('recovery codes work once each, instead of the app', async (t) => {
  const { user, visitor } = await signedIn(app, db, 'link_worker', { withPassword: true });
  const { recoveryCodes } = await setUpTwoStep(visitor);
  await visitor.post('/sign-out', {});

  const { visitor: next } = await passwordStep(user.email);
  await next.get('/sign-in/two-step');
  const typed = ` ${recoveryCodes[3]!.toUpperCase().replace('-', ' ')} `;
  const done = await next.post('/sign-in/two-step', { code: typed });
  t.equal(done.statusCode, 303, 'a recovery code, typed with spaces and capitals, signs in');
  const manage = await next.get('/account/two-step');
  t.match(manage.body, /id="recovery-codes-left">9 of 10/);
  await next.post('/sign-out', {});

  const { visitor: again } = await passwordStep(user.email);
  await again.get('/sign-in/two-step');
  const reused = await again.post('/sign-in/two-step', { code: recoveryCodes[3]! });
  t.equal(reused.statusCode, 400);
  t.equal(fieldError(reused.body, 'code'), 'This code has already been used. Wait for your app to show a new code, then enter it');
  const other = await again.post('/sign-in/two-step', { code: recoveryCodes[4]! });
  t.equal(other.statusCode, 303, 'another recovery code still works');
  const signIn = await db
    .selectFrom('auditEvents')
    .select('details')
    .where('action', '=', 'signed_in')
    .where('actorId', '=', user.id)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  t.same(signIn.details, { secondStep: 'recovery_code' });
});

t.test('wrong codes are limited like passwords: from that address the next attempt waits, even with the right code; elsewhere the owner gets in', async (t) => {
  const { user, visitor } = await signedIn(app, db, 'link_worker', { withPassword: true });
  const { secret } = await setUpTwoStep(visitor);
  await visitor.post('/sign-out', {});
  const { visitor: next } = await passwordStep(user.email);
  await next.get('/sign-in/two-step');
  const right = codeFor(secret, 30);
  for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AT_ADDRESS; i++) {
    const wrong = await next.post('/sign-in/two-step', { code: right === '000000' ? '999999' : '000000' });
    t.equal(wrong.statusCode, 400, `wrong code ${i + 1}`);
  }
  const throttled = await next.post('/sign-in/two-step', { code: right });
  t.equal(throttled.statusCode, 429);
  t.match(String(throttled.headers['retry-after']), /^\d+$/);
  t.match(throttled.body, /too many wrong security codes for this account from here/);
  t.equal((await next.get('/account')).statusCode, 302, 'still not signed in');
  const passwordAgain = await new Visitor(app).post('/sign-in', { email: user.email, password: PASSWORD });
  t.equal(passwordAgain.statusCode, 429, 'the password step from that address shares the limit');

  const elsewhere = new Visitor(app);
  elsewhere.remoteAddress = '198.51.100.200';
  t.equal((await elsewhere.signIn(user.email, PASSWORD)).headers.location, '/sign-in/two-step', 'from another address the password works');
  t.equal((await elsewhere.post('/sign-in/two-step', { code: right })).statusCode, 303, 'and so does the code');
});

t.test('the second step page needs the password step first; a disabled account stops there', async (t) => {
  const stranger = new Visitor(app);
  t.equal((await stranger.get('/sign-in/two-step')).headers.location, '/sign-in');
  await stranger.get('/sign-in');
  const post = await stranger.post('/sign-in/two-step', { code: '123456' });
  t.equal(post.headers.location, '/sign-in');

  const { user, visitor } = await signedIn(app, db, 'link_worker', { withPassword: true });
  const { secret } = await setUpTwoStep(visitor);
  await visitor.post('/sign-out', {});
  const { visitor: next } = await passwordStep(user.email);
  await next.get('/sign-in/two-step');
  await db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
  const done = await next.post('/sign-in/two-step', { code: codeFor(secret, 30) });
  t.equal(done.headers.location, '/sign-in', 'sent back to sign in');
  t.equal((await next.get('/account')).statusCode, 302, 'not signed in');
});

t.test('coordinators must set it up straight after the password, before any other page', async (t) => {
  const { user, visitor } = await signedIn(app, db, 'coordinator', { withPassword: true });
  const people = await visitor.get('/people');
  t.equal(people.statusCode, 303);
  t.equal(people.headers.location, '/account/two-step/set-up?returnTo=%2Fpeople');
  t.equal((await visitor.get('/')).headers.location, '/account/two-step/set-up?returnTo=%2F');
  const fragment = await visitor.get('/people', { 'hx-request': 'true' });
  t.equal(fragment.statusCode, 403, 'an htmx request is refused rather than redirected');
  for (const url of ['/help', '/accessibility', '/privacy']) t.equal((await visitor.get(url)).statusCode, 200, `${url} stays open`);
  const before = await db
    .selectFrom('accountLinks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const invite = await visitor.post('/people/invite', { email: 'someone-new@nhs.net', role: 'coordinator' });
  t.equal(invite.statusCode, 403, 'actions are refused');
  const after = await db
    .selectFrom('accountLinks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  t.equal(Number(after.n), Number(before.n), 'and change nothing');

  const setUp = await visitor.get('/account/two-step/set-up?returnTo=%2Fpeople');
  t.equal(setUp.statusCode, 200);
  t.match(setUp.body, /Set it up now to continue/);
  t.match(setUp.body, /name="returnTo" value="\/people"/);
  const secret = secretFromPage(setUp.body);
  const done = await visitor.post('/account/two-step/set-up', { code: codeFor(secret), returnTo: '/people' });
  t.match(done.body, /href="\/people"/);
  t.equal((await visitor.get('/people')).statusCode, 200, 'then every page opens');

  const manage = await visitor.get('/account/two-step');
  t.notMatch(manage.body, /Turn off two-step sign-in/, 'no way to turn it off');
  const turnOff = await visitor.post('/account/two-step/turn-off', { code: codeFor(secret, 30) });
  t.equal(turnOff.statusCode, 400);
  t.equal(fieldError(turnOff.body, 'code'), 'Two-step sign-in is required for your role and cannot be turned off');
  t.ok(await db.selectFrom('twoStepCredentials').select('userId').where('userId', '=', user.id).executeTakeFirst());
});

t.test('anyone else may turn it off, and make new recovery codes, with a current code', async (t) => {
  const { user, visitor } = await signedIn(app, db, 'link_worker', { withPassword: true });
  const { secret, recoveryCodes } = await setUpTwoStep(visitor);
  const wrong = await visitor.post('/account/two-step/recovery-codes', { code: '12345' });
  t.equal(wrong.statusCode, 400);
  const fresh = await visitor.post('/account/two-step/recovery-codes', { code: codeFor(secret, 30) });
  t.equal(fresh.statusCode, 200);
  const newCodes = recoveryCodesFromPage(fresh.body);
  t.equal(newCodes.length, 10);
  t.notOk(
    newCodes.some((c) => recoveryCodes.includes(c)),
    'all new',
  );
  const old = await visitor.post('/account/two-step/turn-off', { code: recoveryCodes[0]! });
  t.equal(old.statusCode, 400, 'the old recovery codes stopped working');
  const off = await visitor.post('/account/two-step/turn-off', { code: newCodes[0]! });
  t.equal(off.statusCode, 303);
  t.notOk(await db.selectFrom('twoStepCredentials').select('userId').where('userId', '=', user.id).executeTakeFirst());
  t.equal((await db.selectFrom('twoStepRecoveryCodes').select('id').where('userId', '=', user.id).execute()).length, 0);
  t.same(
    (await auditActions(user.id)).filter((a) => a.startsWith('two_step_') && a !== 'two_step_refused'),
    ['two_step_enabled', 'two_step_recovery_codes_replaced', 'two_step_turned_off'],
  );
  await visitor.post('/sign-out', {});
  const { response } = await passwordStep(user.email);
  t.equal(response.headers.location, '/', 'a password alone signs in again');
});

t.test("a coordinator resets someone else's second step: audited, and their sessions end", async (t) => {
  const { visitor: coordinator, user: coordinatorUser } = await signedIn(app, db, 'coordinator', { withPassword: true });
  await setUpTwoStep(coordinator);
  const { user: person, visitor: personVisitor } = await signedIn(app, db, 'link_worker', { withPassword: true });
  await setUpTwoStep(personVisitor);
  const page = await coordinator.get(`/people/${person.id}`);
  t.match(page.body, new RegExp(`action="/people/${person.id}/two-step/reset"`), 'the person page offers the reset');

  const { visitor: linkWorker } = await signedIn(app, db, 'link_worker', { withPassword: true });
  const refused = await linkWorker.post(`/people/${person.id}/two-step/reset`, {});
  t.equal(refused.statusCode, 403, 'only coordinators');
  t.ok(await db.selectFrom('twoStepCredentials').select('userId').where('userId', '=', person.id).executeTakeFirst());

  const reset = await coordinator.post(`/people/${person.id}/two-step/reset`, {});
  t.equal(reset.statusCode, 303);
  t.notOk(await db.selectFrom('twoStepCredentials').select('userId').where('userId', '=', person.id).executeTakeFirst());
  t.equal((await personVisitor.get('/account')).statusCode, 302, 'their session ended');
  const entry = await db
    .selectFrom('auditEvents')
    .selectAll()
    .where('action', '=', 'two_step_reset')
    .where('subjectId', '=', person.id)
    .executeTakeFirstOrThrow();
  t.equal(entry.actorId, coordinatorUser.id, 'the audit trail says who reset it');
  const again = await coordinator.post(`/people/${person.id}/two-step/reset`, {});
  t.equal(again.statusCode, 409, 'nothing to reset');
  const own = await coordinator.post(`/people/${coordinatorUser.id}/two-step/reset`, {});
  t.equal(own.statusCode, 409, 'not their own');
  t.match(own.body, /Ask another coordinator/);
  t.equal((await coordinator.post('/people/not-a-uuid/two-step/reset', {})).statusCode, 404);
});

t.test('the secret is sealed with AES-256-GCM: another key or a changed byte cannot open it', async (t) => {
  const sealed = encryptSecret('a-session-secret-of-thirty-two-chars!!', 'JBSWY3DPEHPK3PXP');
  t.equal(decryptSecret('a-session-secret-of-thirty-two-chars!!', sealed), 'JBSWY3DPEHPK3PXP');
  t.not(encryptSecret('a-session-secret-of-thirty-two-chars!!', 'JBSWY3DPEHPK3PXP'), sealed, 'a fresh IV each time');
  t.throws(() => decryptSecret('another-session-secret-of-32-chars!!!', sealed));
  const parts = sealed.split('.');
  const body = Buffer.from(parts[3]!, 'base64url');
  body[0] = body[0]! ^ 1;
  t.throws(() => decryptSecret('a-session-secret-of-thirty-two-chars!!', [...parts.slice(0, 3), body.toString('base64url')].join('.')));
});
