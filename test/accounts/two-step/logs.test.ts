import t from 'tap';
import { buildApp } from '../../../src/app.ts';
import { testConfig } from '../../../src/config.ts';
import { createUser, PASSWORD } from '../../fixtures/builders.ts';
import { createTestDatabase, Visitor } from '../../helper.ts';
import { codeFor, recoveryCodesFromPage, secretFromPage } from './helpers.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());

t.test('two-step sign-in is logged, but never a secret, a code or a recovery code', async (t) => {
  const lines: string[] = [];
  const app = await buildApp({ config: testConfig({ logLevel: 'trace' }), db: database.db, logStream: { write: (line: string) => void lines.push(line) } });
  t.teardown(() => app.close());
  const user = await createUser(database.db, 'link_worker');
  const visitor = new Visitor(app);
  await visitor.signIn(user.email, PASSWORD);
  const page = await visitor.get('/account/two-step/set-up?returnTo=%2Fmy-bookings');
  const secret = secretFromPage(page.body);
  const first = codeFor(secret);
  const done = await visitor.post('/account/two-step/set-up', { code: first, returnTo: '/my-bookings' });
  const recovery = recoveryCodesFromPage(done.body);
  await visitor.post('/sign-out', {});

  const next = new Visitor(app);
  await next.signIn(user.email, PASSWORD);
  const wrong = first === '424242' ? '242424' : '424242';
  await next.post('/sign-in/two-step', { code: wrong });
  const second = codeFor(secret, 30);
  await next.post('/sign-in/two-step', { code: second });
  await next.post('/sign-out', {});
  const third = new Visitor(app);
  await third.signIn(user.email, PASSWORD);
  await third.post('/sign-in/two-step', { code: recovery[0]! });

  const log = lines.join('');
  t.match(log, /"event":"two_step_enabled"/, 'setting it up is logged');
  t.match(log, /"event":"two_step_refused"/, 'a wrong code is logged');
  t.match(log, /"secondStep":"recovery_code"/, 'a sign-in with a recovery code is logged as such');
  for (const value of [secret, ...recovery, ...recovery.map((c) => c.replace('-', ''))])
    t.notOk(log.includes(value), `never in the log: ${value.slice(0, 3)}…`);
  // Six digits on their own, not as part of a longer number (a time in milliseconds has many digits).
  for (const value of [first, wrong, second]) t.notMatch(log, new RegExp(`(?<![0-9])${value}(?![0-9])`), `code ${value.slice(0, 2)}… never in the log`);
});
