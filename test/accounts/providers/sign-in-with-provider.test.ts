import t from 'tap';
import { createUser, PASSWORD } from '../../fixtures/builders.ts';
import { pathOf, pressProviderButton, startTestProvider } from '../../fixtures/oidc-provider.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading, Visitor } from '../../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const baseUrl = 'http://localhost:3000';
const idp = await startTestProvider({ redirectUri: () => `${baseUrl}/sign-in/with/nhsmail/callback` });
t.teardown(() => idp.stop());
const app = await buildTestApp(t, database, { baseUrl, signInProviders: [idp.settings()], signInProvidersAllowHttp: true });

let people = 0;
/** A person at the provider, with a fresh address at nhs.net unless told otherwise. */
function personAtProvider(values: { email?: string; emailVerified?: boolean; amr?: string[]; name?: string } = {}) {
  people += 1;
  const sub = `person-${people}-${Date.now()}`;
  const account = { sub, email: values.email ?? `${sub}@nhs.net`, name: values.name ?? `Person ${people}`, ...values };
  idp.addAccount(account);
  return account;
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
