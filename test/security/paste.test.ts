import { readFileSync } from 'node:fs';
import t from 'tap';
import { setUpTwoStep } from '../accounts/two-step/helpers.ts';
import { linkOnPage } from '../fixtures/accounts.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase, Visitor } from '../helper.ts';

/** What the checks need from a test (a subtest's own type does not check under TypeScript 7). */
type Checks = Pick<typeof t, 'ok' | 'notMatch' | 'match' | 'equal'>;

/**
 * Password managers must work: every password and code field lets people paste, says what it is
 * for (autocomplete), and takes long passphrases. Nothing blocks paste, in the markup or the script.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

function inputs(html: string): string[] {
  return [...html.matchAll(/<input\b[^>]*>/g)].map((m) => m[0]);
}

function checkFields(t: Checks, html: string, page: string, kinds: { passwords: string[]; codes: number }) {
  t.notMatch(html, /\son(paste|copy|cut|drop|contextmenu)\s*=/i, `${page}: no handler that could block paste`);
  t.notMatch(html, /autocomplete="off"/, `${page}: autocomplete never turned off`);
  const passwords = inputs(html).filter((i) => /type="password"/.test(i));
  t.equal(passwords.length, kinds.passwords.length, `${page}: ${kinds.passwords.length} password fields`);
  passwords.forEach((field, n) => {
    t.match(field, new RegExp(`autocomplete="${kinds.passwords[n]}"`), `${page}: password field ${n + 1} is ${kinds.passwords[n]}`);
    const max = /maxlength="(\d+)"/.exec(field);
    t.ok(!max || Number(max[1]) >= 64, `${page}: long passphrases fit`);
  });
  const codes = inputs(html).filter((i) => /autocomplete="one-time-code"/.test(i));
  t.equal(codes.length, kinds.codes, `${page}: ${kinds.codes} security code fields marked one-time-code`);
}

t.test('sign-in, registration, invitation and reset pages', async (t) => {
  const visitor = new Visitor(app);
  checkFields(t, (await visitor.get('/sign-in')).body, '/sign-in', { passwords: ['current-password'], codes: 0 });
  checkFields(t, (await visitor.get('/register')).body, '/register', { passwords: ['new-password', 'new-password'], codes: 0 });

  const coordinator = await createUser(db, 'coordinator');
  const staff = new Visitor(app);
  await staff.signIn(coordinator.email, PASSWORD);
  const invited = await staff.post('/people/invite', { email: 'paste-test@nhs.net', role: 'link_worker' });
  const invitation = await new Visitor(app).get(linkOnPage(invited.body, '/invitations/'));
  checkFields(t, invitation.body, 'invitation', { passwords: ['new-password', 'new-password'], codes: 0 });

  const person = await createUser(db, 'link_worker');
  const reset = await staff.post(`/people/${person.id}/password-reset`, {});
  const resetPage = await new Visitor(app).get(linkOnPage(reset.body, '/reset-password/'));
  checkFields(t, resetPage.body, 'password reset', { passwords: ['new-password', 'new-password'], codes: 0 });
});

t.test('two-step pages', async (t) => {
  const user = await createUser(db, 'link_worker');
  const visitor = new Visitor(app);
  await visitor.signIn(user.email, PASSWORD);
  checkFields(t, (await visitor.get('/account/two-step/set-up')).body, 'two-step set-up', { passwords: [], codes: 1 });
  await setUpTwoStep(visitor);
  checkFields(t, (await visitor.get('/account/two-step')).body, 'two-step settings', { passwords: [], codes: 1 });
  await visitor.post('/sign-out', {});
  const next = new Visitor(app);
  await next.signIn(user.email, PASSWORD);
  checkFields(t, (await next.get('/sign-in/two-step')).body, 'security code page', { passwords: [], codes: 1 });
});

t.test('the one script blocks neither paste nor copy', async (t) => {
  const script = readFileSync(new URL('../../static/app.js', import.meta.url), 'utf8');
  t.notMatch(script, /['"](paste|copy|cut|drop)['"]/, 'no paste, copy, cut or drop listener');
  t.notMatch(script, /onpaste|clipboardData/);
});
