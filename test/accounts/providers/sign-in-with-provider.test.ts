import t from 'tap';
import { newToken } from '../../../src/lib/tokens.ts';
import { createUser, PASSWORD, type TestUser } from '../../fixtures/builders.ts';
import { pathOf, pressProviderButton, startTestProvider } from '../../fixtures/oidc-provider.ts';
import { signedIn } from '../../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading, Visitor } from '../../helper.ts';
import { setUpTwoStep } from '../two-step/helpers.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const baseUrl = 'http://localhost:3000';
const idp = await startTestProvider({
  redirectUri: () => `${baseUrl}/sign-in/with/nhsmail/callback`,
  postLogoutRedirectUri: () => `${baseUrl}/signed-out`,
});
t.teardown(() => idp.stop());
// A second provider, stopped in the middle of a sign-in by one test.
const fragile = await startTestProvider({ redirectUri: () => `${baseUrl}/sign-in/with/cis2/callback` });
t.teardown(() => fragile.stop());
const app = await buildTestApp(t, database, {
  baseUrl,
  signInProviders: [
    idp.settings(),
    fragile.settings({ id: 'cis2', label: 'Sign in with NHS Care Identity', name: 'NHS Care Identity', twoStepAmr: [], twoStepAcr: ['AAL3_ANY'] }),
    // Nothing listens there: discovery fails.
    idp.settings({ id: 'nowhere', issuer: 'http://127.0.0.1:9', label: 'Sign in with Nowhere', name: 'Nowhere' }),
  ],
  signInProvidersAllowHttp: true,
  twoStepRequiredRoles: ['coordinator'],
});

let people = 0;
/** A person at the provider, with a fresh address at nhs.net unless told otherwise. */
function personAtProvider(values: { email?: string; emailVerified?: boolean; amr?: string[]; name?: string } = {}) {
  people += 1;
  const sub = `person-${people}-${Date.now()}`;
  const account = { sub, email: values.email ?? `${sub}@nhs.net`, name: values.name ?? `Person ${people}`, ...values };
  idp.addAccount(account);
  return account;
}

/** Someone whose account is already linked to a person at the provider. */
async function linkedAtProvider(user: TestUser, values: { amr?: string[] } = {}) {
  const person = personAtProvider({ email: user.email, ...values });
  await db.insertInto('signInIdentities').values({ userId: user.id, provider: 'nhsmail', subject: person.sub, email: user.email }).execute();
  return person;
}

async function auditOf(action: string) {
  return db.selectFrom('auditEvents').selectAll().where('action', '=', action).orderBy('id').execute();
}

t.test('the first sign-in of someone new makes them a link worker, once they give their practice and PCN', async (t) => {
  const person = personAtProvider({ name: 'Asha Patel' });
  const visitor = new Visitor(app);
  const back = await pressProviderButton(visitor, idp, person.sub);
  const callback = await visitor.get(pathOf(back));
  t.equal(callback.statusCode, 303);
  t.equal(callback.headers.location, '/sign-in/with/nhsmail/new-account');
  const form = await visitor.get('/sign-in/with/nhsmail/new-account');
  t.equal(heading(form.body), 'Create a link worker account');
  t.match(form.body, person.email, 'the address the provider confirmed is shown');
  t.match(form.body, 'value="Asha Patel"', 'the name the provider gave is filled in');

  const missing = await visitor.post('/sign-in/with/nhsmail/new-account', { name: 'Asha Patel', practice: '', pcn: '' });
  t.equal(missing.statusCode, 400);
  t.same(errorSummary(missing.body), ['practice: Enter your GP practice or team', 'pcn: Enter your Primary Care Network']);
  t.notOk(await db.selectFrom('users').select('id').where('email', '=', person.email).executeTakeFirst(), 'nothing made yet');

  const made = await visitor.post('/sign-in/with/nhsmail/new-account', { name: 'Asha Patel', practice: 'Cowley Road Surgery', pcn: 'East Oxford PCN' });
  t.equal(made.statusCode, 303);
  const user = await db.selectFrom('users').selectAll().where('email', '=', person.email).executeTakeFirstOrThrow();
  t.equal(user.role, 'link_worker');
  t.equal(user.status, 'active');
  t.equal(user.passwordHash, null, 'no password: they sign in with the provider');
  t.equal(user.pcn, 'East Oxford PCN');
  const identity = await db.selectFrom('signInIdentities').selectAll().where('userId', '=', user.id).executeTakeFirstOrThrow();
  t.same([identity.provider, identity.subject], ['nhsmail', person.sub]);
  const home = await visitor.get('/');
  t.match(home.body, 'Asha Patel', 'signed in');
  const signIns = (await auditOf('signed_in')).filter((e) => e.actorId === user.id);
  t.same(
    signIns.map((e) => e.details),
    [{ firstStep: 'provider', provider: 'nhsmail' }],
    'audited with the provider’s name',
  );

  // The second time, straight in.
  const again = new Visitor(app);
  const backAgain = await pressProviderButton(again, idp, person.sub);
  const second = await again.get(pathOf(backAgain));
  t.equal(second.statusCode, 303);
  t.equal(second.headers.location, '/');
  t.match((await again.get('/')).body, 'Asha Patel');
});

t.test('an address from a domain the provider may not use is refused, and nothing is made', async (t) => {
  const person = personAtProvider({ email: `someone-${Date.now()}@gmail.com` });
  const visitor = new Visitor(app);
  const back = await pressProviderButton(visitor, idp, person.sub);
  const page = await visitor.get(pathOf(back));
  t.equal(page.statusCode, 403);
  t.equal(heading(page.body), 'This email address cannot be used to sign in to Tasters');
  t.match(page.body, 'ending in nhs.net');
  t.notOk(await db.selectFrom('users').select('id').where('email', '=', person.email).executeTakeFirst());
  const refusal = (await auditOf('provider_sign_in_refused')).at(-1);
  t.same(refusal?.details, { provider: 'nhsmail', reason: 'domain_not_allowed' });
});

t.test('an email the provider has not verified is refused', async (t) => {
  const person = personAtProvider({ emailVerified: false });
  const visitor = new Visitor(app);
  const page = await visitor.get(pathOf(await pressProviderButton(visitor, idp, person.sub)));
  t.equal(page.statusCode, 403);
  t.equal(heading(page.body), 'NHSmail has not confirmed your email address');
  t.notOk(await db.selectFrom('users').select('id').where('email', '=', person.email).executeTakeFirst());
  t.same((await auditOf('provider_sign_in_refused')).at(-1)?.details, { provider: 'nhsmail', reason: 'email_unverified' });
});

t.test('an existing account is linked only after its password is given', async (t) => {
  const existing = await createUser(db, 'link_worker');
  const person = personAtProvider({ email: existing.email });
  const visitor = new Visitor(app);
  const callback = await visitor.get(pathOf(await pressProviderButton(visitor, idp, person.sub)));
  t.equal(callback.headers.location, '/sign-in/with/nhsmail/link-account', 'the same address is not enough');
  t.notOk((await visitor.get('/')).body.includes(existing.name), 'not signed in by the email alone');
  const page = await visitor.get('/sign-in/with/nhsmail/link-account');
  t.equal(heading(page.body), 'Connect NHSmail to your Tasters account');
  t.match(page.body, 'href="/sign-in/email-link"', 'or an emailed link, then Your account');

  const wrong = await visitor.post('/sign-in/with/nhsmail/link-account', { password: 'not the password at all' });
  t.equal(wrong.statusCode, 400);
  t.same(errorSummary(wrong.body), ['password: The password is not right. Enter the password of your Tasters account']);
  t.equal((await db.selectFrom('signInIdentities').select('id').where('userId', '=', existing.id).execute()).length, 0, 'not linked');
  const counted = await db.selectFrom('signInAttempts').selectAll().where('email', '=', existing.email).execute();
  t.same(
    counted.map((a) => [a.succeeded, a.kind]),
    [[false, 'password']],
    'counted like any wrong password',
  );

  const right = await visitor.post('/sign-in/with/nhsmail/link-account', { password: PASSWORD });
  t.equal(right.statusCode, 303);
  t.equal(right.headers.location, '/');
  t.match((await visitor.get('/')).body, existing.name, 'signed in');
  const identities = await db.selectFrom('signInIdentities').selectAll().where('userId', '=', existing.id).execute();
  t.same(
    identities.map((i) => i.subject),
    [person.sub],
  );
  t.same((await auditOf('provider_linked')).at(-1)?.details, { provider: 'nhsmail', email: existing.email });
});

t.test('a replayed callback is refused, in the same browser and in another', async (t) => {
  const person = await linkedAtProvider(await createUser(db, 'link_worker'));
  const visitor = new Visitor(app);
  const back = await pressProviderButton(visitor, idp, person.sub);
  t.equal((await visitor.get(pathOf(back))).headers.location, '/', 'the first time signs in');
  const again = await visitor.get(pathOf(back));
  t.equal(again.statusCode, 410);
  t.equal(heading(again.body), 'This sign-in has expired or has already been used');
  const stranger = new Visitor(app);
  const stolen = await stranger.get(pathOf(back));
  t.equal(stolen.statusCode, 410, 'someone else holding the address gets nothing');
  t.notOk((await stranger.get('/')).body.includes(person.name));
  t.same((await auditOf('provider_sign_in_refused')).at(-1)?.details, { provider: 'nhsmail', reason: 'expired' });
});

t.test('a callback whose state is not the one this browser sent is refused', async (t) => {
  const person = await linkedAtProvider(await createUser(db, 'link_worker'));
  const visitor = new Visitor(app);
  const back = new URL(await pressProviderButton(visitor, idp, person.sub));
  back.searchParams.set('state', 'a-state-someone-else-made');
  const page = await visitor.get(pathOf(back.href));
  t.equal(page.statusCode, 400);
  t.equal(heading(page.body), 'We could not check this sign-in');
  t.notOk((await visitor.get('/')).body.includes(person.name), 'not signed in');

  // Another site sends the victim's browser to the attacker's own callback (login CSRF): the
  // victim's session waits for its own state, so it is refused too.
  const attacker = await linkedAtProvider(await createUser(db, 'link_worker'));
  const attackersBrowser = new Visitor(app);
  const attackersCallback = await pressProviderButton(attackersBrowser, idp, attacker.sub);
  const victim = new Visitor(app);
  await pressProviderButton(victim, idp, person.sub);
  const forced = await victim.get(pathOf(attackersCallback), { 'sec-fetch-site': 'cross-site', referer: `${idp.issuer}/` });
  t.equal(forced.statusCode, 400);
  t.notOk((await victim.get('/')).body.includes(attacker.name), 'the victim is not signed in as the attacker');
});

t.test('an ID token whose nonce is not the one this browser sent is refused', async (t) => {
  const person = await linkedAtProvider(await createUser(db, 'link_worker'));
  const visitor = new Visitor(app);
  // The state is right (it comes back as sent) but the provider is asked for another nonce.
  const back = await pressProviderButton(visitor, idp, person.sub, {
    changeAuthorization: (url) => url.searchParams.set('nonce', 'not-the-nonce-tasters-sent'),
  });
  const page = await visitor.get(pathOf(back));
  t.equal(page.statusCode, 400);
  t.equal(heading(page.body), 'We could not check this sign-in');
  t.notOk((await visitor.get('/')).body.includes(person.name), 'not signed in');
  t.same((await auditOf('provider_sign_in_refused')).at(-1)?.details, { provider: 'nhsmail', reason: 'mismatch' });
});

t.test('a provider that stops answering in the middle of a sign-in gives a page saying so', async (t) => {
  const user = await createUser(db, 'link_worker');
  const person = { sub: `cis2-${Date.now()}`, email: user.email, name: user.name };
  fragile.addAccount(person);
  await db.insertInto('signInIdentities').values({ userId: user.id, provider: 'cis2', subject: person.sub, email: user.email }).execute();
  const visitor = new Visitor(app);
  const back = await pressProviderButton(visitor, fragile, person.sub, { id: 'cis2' });
  await fragile.stop();
  const page = await visitor.get(pathOf(back));
  t.equal(page.statusCode, 503);
  t.equal(heading(page.body), 'NHS Care Identity cannot be reached at the moment');
  t.match(page.body, 'sign in with your email address and password');
  t.same((await auditOf('provider_sign_in_refused')).at(-1)?.details, { provider: 'cis2', reason: 'unreachable' });

  // A provider that cannot be reached at all: its button gives the same kind of page.
  const start = new Visitor(app);
  await start.get('/sign-in');
  const nowhere = await start.post('/sign-in/with/nowhere', { returnTo: '/' });
  t.equal(nowhere.statusCode, 503);
  t.equal(heading(nowhere.body), 'Nowhere cannot be reached at the moment');
});

t.test('a coordinator’s two-step requirement: the provider’s multi-factor sign-in counts only when its amr says so', async (t) => {
  const coordinator = await createUser(db, 'coordinator');
  const withMfa = await linkedAtProvider(coordinator, { amr: ['pwd', 'mfa'] });
  const strong = new Visitor(app);
  t.equal((await strong.get(pathOf(await pressProviderButton(strong, idp, withMfa.sub)))).headers.location, '/');
  const reports = await strong.get('/reports');
  t.equal(reports.statusCode, 200, 'no two-step set-up asked for: the provider checked a second factor');
  t.same((await auditOf('signed_in')).at(-1)?.details, { firstStep: 'provider', provider: 'nhsmail', secondStep: 'provider_mfa' });

  const passwordOnly = personAtProvider({ email: `coordinator-pwd-${Date.now()}@nhs.net`, amr: ['pwd'] });
  const other = await createUser(db, 'coordinator', { email: passwordOnly.email });
  await db.insertInto('signInIdentities').values({ userId: other.id, provider: 'nhsmail', subject: passwordOnly.sub, email: other.email }).execute();
  const weak = new Visitor(app);
  t.equal((await weak.get(pathOf(await pressProviderButton(weak, idp, passwordOnly.sub)))).headers.location, '/');
  const gated = await weak.get('/reports');
  t.equal(gated.statusCode, 303);
  t.match(String(gated.headers.location), /^\/account\/two-step\/set-up/, 'a password at the provider is one factor: two-step set-up first');

  // With two-step sign-in set up, a provider sign-in without multi-factor still needs the code.
  const { recoveryCodes } = await setUpTwoStep(weak);
  const again = new Visitor(app);
  const callback = await again.get(pathOf(await pressProviderButton(again, idp, passwordOnly.sub)));
  t.equal(callback.headers.location, '/sign-in/two-step');
  t.notOk((await again.get('/')).body.includes(other.name), 'not signed in before the code');
  const coded = await again.post('/sign-in/two-step', { code: recoveryCodes[0]! });
  t.equal(coded.statusCode, 303);
  t.equal((await again.get('/reports')).statusCode, 200);
  t.same((await auditOf('signed_in')).at(-1)?.details, { secondStep: 'recovery_code', firstStep: 'provider', provider: 'nhsmail' });
});

t.test('disabled accounts cannot come back through the provider; erased ones are gone from it', async (t) => {
  const disabled = await createUser(db, 'link_worker', { status: 'disabled' });
  const linked = await linkedAtProvider(disabled);
  const visitor = new Visitor(app);
  const page = await visitor.get(pathOf(await pressProviderButton(visitor, idp, linked.sub)));
  t.equal(page.statusCode, 403);
  t.equal(heading(page.body), 'This account has been disabled');
  t.same((await auditOf('provider_sign_in_refused')).at(-1)?.details, { provider: 'nhsmail', reason: 'disabled' });

  // Not linked yet, but the address is a disabled account's: refused too, not offered a password page.
  const unlinked = personAtProvider({ email: (await createUser(db, 'link_worker', { status: 'disabled' })).email });
  const second = new Visitor(app);
  t.equal((await second.get(pathOf(await pressProviderButton(second, idp, unlinked.sub)))).statusCode, 403);
});

t.test('someone with an invitation waiting is sent to it, not made a link worker', async (t) => {
  const person = personAtProvider();
  const { hash } = newToken();
  await db
    .insertInto('accountLinks')
    .values({ purpose: 'invitation', tokenHash: hash, email: person.email, role: 'provider', expiresAt: new Date(Date.now() + 86_400_000) })
    .execute();
  const visitor = new Visitor(app);
  const page = await visitor.get(pathOf(await pressProviderButton(visitor, idp, person.sub)));
  t.equal(page.statusCode, 403);
  t.equal(heading(page.body), 'You have an invitation waiting');
  t.notOk(await db.selectFrom('users').select('id').where('email', '=', person.email).executeTakeFirst());
});

t.test('Your account shows the connected provider, connects one, and removes it', async (t) => {
  const { user, visitor } = await signedIn(app, db, 'link_worker');
  const account = await visitor.get('/account');
  t.match(account.body, 'Connect NHSmail');
  // Connecting while signed in: the account is proved by the session itself.
  const person = personAtProvider({ email: `other-address-${Date.now()}@nhs.net` });
  const back = await pressProviderButton(visitor, idp, person.sub, { from: '/account' });
  const connected = await visitor.get(pathOf(back));
  t.equal(connected.headers.location, '/account?done=provider-connected');
  const shown = await visitor.get('/account?done=provider-connected');
  t.match(shown.body, 'Your NHS account is connected');
  t.match(shown.body, person.email);
  const identity = await db.selectFrom('signInIdentities').selectAll().where('userId', '=', user.id).executeTakeFirstOrThrow();

  // Someone else's identity cannot be removed by this person.
  const otherUser = await createUser(db, 'link_worker');
  await linkedAtProvider(otherUser);
  const theirs = await db.selectFrom('signInIdentities').select('id').where('userId', '=', otherUser.id).executeTakeFirstOrThrow();
  t.equal((await visitor.post(`/account/sign-in-providers/${theirs.id}/remove`)).statusCode, 404);
  t.ok(await db.selectFrom('signInIdentities').select('id').where('id', '=', theirs.id).executeTakeFirst(), 'theirs is still there');

  await visitor.get('/account');
  const removed = await visitor.post(`/account/sign-in-providers/${identity.id}/remove`);
  t.equal(removed.statusCode, 303);
  t.equal(removed.headers.location, '/account?done=provider-removed');
  t.notOk(await db.selectFrom('signInIdentities').select('id').where('id', '=', identity.id).executeTakeFirst());
  t.same((await auditOf('provider_unlinked')).at(-1)?.details, { provider: 'nhsmail', email: person.email });
  // The provider now leads to a new account, not to this one.
  const later = new Visitor(app);
  t.equal((await later.get(pathOf(await pressProviderButton(later, idp, person.sub)))).headers.location, '/sign-in/with/nhsmail/new-account');
});

t.test('signing out after a provider sign-in goes on to the provider’s own sign-out', async (t) => {
  const user = await createUser(db, 'link_worker');
  const person = await linkedAtProvider(user);
  const visitor = new Visitor(app);
  await visitor.get(pathOf(await pressProviderButton(visitor, idp, person.sub)));
  await visitor.get('/');
  const out = await visitor.post('/sign-out');
  t.equal(out.statusCode, 303);
  const target = new URL(String(out.headers.location));
  t.equal(target.origin, idp.issuer);
  t.equal(target.searchParams.get('post_logout_redirect_uri'), `${baseUrl}/signed-out`);
  t.equal(target.searchParams.get('client_id'), 'tasters-test');
  t.notOk((await visitor.get('/')).body.includes(user.name), 'signed out of Tasters');

  // A password sign-in signs out as before.
  const { visitor: plain } = await signedIn(app, db, 'link_worker');
  t.equal((await plain.post('/sign-out')).headers.location, '/signed-out');
});

t.test('starting needs the form’s CSRF token, and unknown providers are pages that do not exist', async (t) => {
  const visitor = new Visitor(app);
  await visitor.get('/sign-in');
  t.equal((await visitor.post('/sign-in/with/nhsmail', { returnTo: '/', _csrf: 'wrong' })).statusCode, 403);
  t.equal((await visitor.post('/sign-in/with/unknown', { returnTo: '/' })).statusCode, 404);
  t.equal((await visitor.get('/sign-in/with/unknown/callback?code=x&state=y')).statusCode, 404);
  const page = await visitor.get('/sign-in');
  t.match(page.body, 'Sign in with NHSmail');
  t.match(page.body, 'Sign in with NHS Care Identity');
});

t.test('the password proof is held back by the same limits as the sign-in page', async (t) => {
  const existing = await createUser(db, 'link_worker');
  const person = personAtProvider({ email: existing.email });
  const visitor = new Visitor(app);
  visitor.remoteAddress = '203.0.113.77';
  await visitor.get(pathOf(await pressProviderButton(visitor, idp, person.sub)));
  for (let i = 0; i < 10; i++) {
    const wrong = await visitor.post('/sign-in/with/nhsmail/link-account', { password: `wrong guess ${i}` });
    t.equal(wrong.statusCode, 400, `guess ${i + 1}`);
  }
  const held = await visitor.post('/sign-in/with/nhsmail/link-account', { password: PASSWORD });
  t.equal(held.statusCode, 429, 'the eleventh try waits, even with the right password');
  t.equal(heading(held.body), 'Too many attempts');
  t.equal((await db.selectFrom('signInIdentities').select('id').where('userId', '=', existing.id).execute()).length, 0, 'not linked');
});

t.test('the provider saying no (the person cancelled) is a page, not a failure', async (t) => {
  const visitor = new Visitor(app);
  await visitor.get('/sign-in');
  const start = await visitor.post('/sign-in/with/nhsmail', { returnTo: '/' });
  const state = new URL(String(start.headers.location)).searchParams.get('state');
  const page = await visitor.get(`/sign-in/with/nhsmail/callback?error=access_denied&state=${state}`);
  t.equal(page.statusCode, 400);
  t.equal(heading(page.body), 'You did not finish signing in with NHSmail');
  t.same((await auditOf('provider_sign_in_refused')).at(-1)?.details, { provider: 'nhsmail', reason: 'cancelled' });
});

t.test('an NHSmail account already connected to one Tasters account cannot be connected to another', async (t) => {
  const first = await createUser(db, 'link_worker');
  const person = await linkedAtProvider(first);
  const { user: second, visitor } = await signedIn(app, db, 'link_worker');
  const page = await visitor.get(pathOf(await pressProviderButton(visitor, idp, person.sub, { from: '/account' })));
  t.equal(page.statusCode, 409);
  t.equal(heading(page.body), 'This NHSmail account is connected to another Tasters account');
  t.equal((await db.selectFrom('signInIdentities').select('id').where('userId', '=', second.id).execute()).length, 0);
  t.same((await auditOf('provider_sign_in_refused')).at(-1)?.details, { provider: 'nhsmail', reason: 'linked_elsewhere' });
});
