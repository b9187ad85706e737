import t from 'tap';
import { uniqueEmail } from '../fixtures/accounts.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);

t.test('the page frame: skip link, header, main landmark, footer links, one script, htmx kept to this site', async (t) => {
  const page = await new Visitor(app).get('/');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<html lang="en-GB">/);
  t.match(page.body, /<a class="nhsuk-skip-link" href="#maincontent">Skip to main content<\/a>/);
  t.match(page.body, /<main [^>]*id="maincontent"/);
  t.match(page.body, /<header class="nhsuk-header"/);
  for (const [href, text] of [
    ['/help', 'Help and contact'],
    ['/accessibility', 'Accessibility statement'],
    ['/privacy', 'Privacy notice'],
  ]) {
    t.match(page.body, new RegExp(`<a class="nhsuk-footer__list-item-link" href="${href}">${text}</a>`), `footer links to ${text}`);
  }
  const scripts = [...page.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  t.equal(scripts.length, 1, 'one script');
  t.match(scripts[0]![1], /type="module" src="\/static\/app\.js"/, 'our own, from this site');
  t.equal(scripts[0]![2]!.trim(), '', 'no inline code');
  t.notMatch(page.body, /\bhx-on|\bon[a-z]+="/, 'no inline event handlers');
  t.notMatch(page.body, /style="/, 'no inline styles');
  const config = /<meta name="htmx-config" content='([^']+)'>/.exec(page.body);
  t.ok(config, 'htmx is configured');
  const htmx = JSON.parse(config![1]!) as Record<string, unknown>;
  t.equal(htmx.mode, 'same-origin', 'htmx only talks to this site');
  // htmx 4 keeps no page cache at all; "reload" lets hx-push-url keep the address in step and Back fetch afresh.
  t.equal(htmx.history, 'reload', 'no history cache of pages with personal data: Back reloads from the server');
  t.notMatch(page.body, /https?:\/\/(?!localhost)[a-z0-9.-]+\/[^"]*\.(js|css)/, 'no third-party scripts or styles');
});

t.test('the front page for visitors, and a home page for each role', async (t) => {
  const start = await new Visitor(app).get('/');
  t.match(heading(start.body), /Try an activity before you refer to it/);
  t.match(start.body, /href="\/sign-in"/);
  for (const role of ['coordinator', 'provider', 'link_worker'] as const) {
    const user = await createUser(db, role, { name: `Home ${role}` });
    const visitor = new Visitor(app);
    await visitor.signIn(user.email, PASSWORD);
    const home = await visitor.get('/');
    t.equal(home.statusCode, 200);
    t.equal(heading(home.body), `Welcome, Home ${role}`, `${role} home`);
    t.match(home.body, /<nav class="nhsuk-header__navigation" aria-label="Menu">/, `${role} has a menu`);
    t.match(home.body, /aria-current="page"[^>]*>Home|href="\/" aria-current="page"/, 'the current page is marked in the menu');
    t.match(home.body, new RegExp(`href="/account">Home ${role}<`), 'their name links to their account');
  }
});

t.test('help, accessibility statement and privacy notice are open to everyone', async (t) => {
  for (const [url, pattern] of [
    ['/help', /Help/],
    ['/accessibility', /Accessibility statement/],
    ['/privacy', /Privacy notice/],
  ] as const) {
    const page = await new Visitor(app).get(url);
    t.equal(page.statusCode, 200, url);
    t.match(heading(page.body), pattern, url);
  }
  const statement = await new Visitor(app).get('/accessibility');
  t.match(statement.body, /Web Content Accessibility Guidelines version 2\.2<\/a> AA standard/, 'the statement names the standard');
  t.match(statement.body, /Equality Advisory and Support Service|EASS|enforcement/i, 'and the enforcement procedure');
});

t.test('the development mailbox shows queued messages to coordinators, and does not exist in production', async (t) => {
  const coordinator = await createUser(db, 'coordinator');
  const visitor = new Visitor(app);
  await visitor.signIn(coordinator.email, PASSWORD);
  const email = uniqueEmail('mailbox');
  await visitor.get('/people/invite');
  await visitor.post('/people/invite', { email, role: 'link_worker' });
  const mailbox = await visitor.get('/dev/mailbox');
  t.equal(mailbox.statusCode, 200);
  t.match(mailbox.body, email);
  t.match(mailbox.body, /You are invited to Tasters/);

  t.match((await visitor.get('/')).body, /href="\/dev\/mailbox"/, 'the home page links to it');

  const production = await buildTestApp(t, database, { env: 'production', baseUrl: 'https://tasters.example', trustProxy: true });
  const response = await production.inject({ method: 'GET', url: '/dev/mailbox', headers: { 'x-forwarded-proto': 'https' } });
  t.equal(response.statusCode, 404, 'no mailbox in production');
  const https = { 'x-forwarded-proto': 'https' };
  const inProduction = new Visitor(production);
  await inProduction.get('/sign-in', https);
  t.equal((await inProduction.post('/sign-in', { email: coordinator.email, password: PASSWORD }, { headers: https })).statusCode, 303);
  const home = await inProduction.get('/', https);
  t.equal(heading(home.body), `Welcome, ${coordinator.name}`);
  t.notMatch(home.body, /\/dev\/mailbox/, 'nor a link to it from the home page');
});
