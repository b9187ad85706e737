import type { FastifyInstance } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { type Browser, chromium, type Page } from 'playwright-core';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { testConfig } from '../../src/config.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { createTestDatabase, validateEveryHtmlResponse } from '../helper.ts';
import { accessibilityViolations, chromiumPath, scrollsSideways } from './helper.ts';

/** What the checks need from a test (a subtest's own type does not check under TypeScript 7). */
type Checks = Pick<typeof t, 'same' | 'notOk'>;

// The app as deployed for these checks: coordinators must use two-step sign-in, and the idle
// time-out is 3 minutes so the warning comes after 1 (the browser's clock is moved, not waited for).
const database = await createTestDatabase();
const app: FastifyInstance = await buildApp({
  config: testConfig({ sessionIdleMinutes: 3, twoStepRequiredRoles: ['coordinator'] }),
  db: database.db,
});
validateEveryHtmlResponse(t, app);
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
if (!address || typeof address === 'string') throw new Error('no port');
const baseUrl = `http://127.0.0.1:${address.port}`;
app.config.baseUrl = baseUrl;
const browser: Browser = await chromium.launch({
  executablePath: chromiumPath,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
t.teardown(async () => {
  await browser.close();
  await app.close();
  await database.close();
});

async function newPage(phone = false) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: phone ? { width: 320, height: 640 } : { width: 1280, height: 900 } });
  return { page: await context.newPage(), context };
}

function code(secret: string, offsetSeconds = 0) {
  return new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + offsetSeconds * 1000 });
}

async function passwordStep(page: Page, email: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in') || url.pathname === '/sign-in/two-step');
}

async function checkPage(t: Checks, page: Page, what: string) {
  t.same(await accessibilityViolations(page), [], `${what}: no accessibility violations`);
  t.notOk(await scrollsSideways(page), `${what}: fits the screen`);
}

t.test('a coordinator sets up two-step sign-in on a phone, then signs in with a code from the app', async (t) => {
  const coordinator = await createUser(database.db, 'coordinator');
  const { page, context } = await newPage(true);
  await passwordStep(page, coordinator.email);
  t.equal(new URL(page.url()).pathname, '/account/two-step/set-up', 'sent to set it up straight after the password');
  t.equal(await page.locator('h1').textContent(), 'Set up two-step sign-in');
  t.ok(await page.getByRole('img', { name: /QR code for adding Tasters/ }).isVisible(), 'a QR code with a text alternative');
  await checkPage(t, page, 'set-up page');
  const secret = (await page.locator('#two-step-secret').textContent())!.replace(/\s/g, '');

  await page.getByLabel('Code from the app').fill('000000' === code(secret) ? '111111' : '000000');
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  t.equal(await page.locator('.nhsuk-error-summary h2').textContent(), 'There is a problem');
  await checkPage(t, page, 'set-up error');

  await page.getByLabel('Code from the app').fill(code(secret));
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  t.equal(await page.locator('h1').textContent(), 'Two-step sign-in is on: save your recovery codes');
  t.equal(await page.locator('#recovery-codes li').count(), 10);
  await checkPage(t, page, 'recovery codes');
  await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
  t.match(await page.locator('h1').textContent(), /Welcome/);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await passwordStep(page, coordinator.email);
  t.equal(new URL(page.url()).pathname, '/sign-in/two-step');
  t.equal(await page.locator('h1').textContent(), 'Enter your security code');
  await checkPage(t, page, 'code page');
  await page.getByLabel('Security code').fill(code(secret, 30));
  await page.getByRole('button', { name: 'Continue' }).click();
  t.match(await page.locator('h1').textContent(), /Welcome/, 'signed in with the code');

  await page.goto('/account/two-step');
  await checkPage(t, page, 'two-step settings');
  await context.close();
});

t.test('the time-out warning comes 2 minutes before the end; staying signed in keeps what was typed', async (t) => {
  const provider = await createUser(database.db, 'provider');
  const { page, context } = await newPage();
  await page.clock.install();
  await passwordStep(page, provider.email);
  await page.goto('/offers/new');
  t.equal(await page.locator('body').getAttribute('data-idle-minutes'), '3');
  await page.getByLabel('Name of the activity').fill('Singing for wellbeing, typed before the warning');
  await page.getByLabel('Description').fill('Half a description');

  await page.clock.fastForward('00:50');
  t.notOk(await page.getByRole('dialog').isVisible(), 'no warning yet');
  await page.clock.fastForward('00:11');
  const dialog = page.getByRole('dialog', { name: 'You will be signed out soon' });
  t.ok(await dialog.isVisible(), 'the warning, 2 minutes before the time-out');
  t.match(await dialog.textContent(), /signed out in 2 minutes/);
  t.equal(await page.locator(':focus').textContent(), 'Stay signed in', 'focus is on the way to stay');
  t.same(await accessibilityViolations(page), [], 'the warning: no accessibility violations');

  const keepAlive = page.waitForResponse((response) => response.url().endsWith('/session/keep-alive'));
  await dialog.getByRole('button', { name: 'Stay signed in' }).click();
  t.equal((await keepAlive).status(), 204, 'the session was kept alive');
  t.notOk(await dialog.isVisible(), 'the warning closes');
  t.equal(await page.getByLabel('Name of the activity').inputValue(), 'Singing for wellbeing, typed before the warning', 'what was typed is still there');
  t.equal(await page.getByLabel('Description').inputValue(), 'Half a description');
  t.equal(await page.locator(':focus').getAttribute('id'), 'description', 'focus goes back where it was');

  // Escape also keeps the session, then the full time passes with no answer.
  await page.clock.fastForward('01:01');
  t.ok(await dialog.isVisible(), 'the warning again after another idle minute');
  const again = page.waitForResponse((response) => response.url().endsWith('/session/keep-alive'));
  await page.keyboard.press('Escape');
  t.equal((await again).status(), 204, 'Escape keeps the session too');
  await page.clock.fastForward('03:01');
  const ended = page.getByRole('dialog', { name: 'You have been signed out' });
  t.ok(await ended.isVisible(), 'after the time-out the page says so');
  t.same(await accessibilityViolations(page), [], 'the signed-out message: no accessibility violations');
  await ended.getByRole('button', { name: 'Close this message' }).click();
  t.equal(await page.getByLabel('Description').inputValue(), 'Half a description', 'the text can still be copied');
  await context.close();
});

t.test('no warning when signed out or without JavaScript: the page still works', async (t) => {
  const { page, context } = await newPage();
  await page.clock.install();
  await page.goto('/sign-in');
  t.equal(await page.locator('body').getAttribute('data-idle-minutes'), null, 'signed out: no time-out to warn about');
  await page.clock.fastForward('10:00');
  t.equal(await page.getByRole('dialog').count(), 0);
  await context.close();
});

t.test('a password and a security code can be pasted, as a password manager does', async (t) => {
  const user = await createUser(database.db, 'link_worker');
  const context = await browser.newContext({ baseURL: baseUrl, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(user.email);
  await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(PASSWORD)})`);
  await page.getByLabel('Password').focus();
  await page.keyboard.press('ControlOrMeta+V');
  t.equal(await page.getByLabel('Password').inputValue(), PASSWORD, 'the password was pasted');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.goto('/account/two-step/set-up');
  const secret = (await page.locator('#two-step-secret').textContent())!.replace(/\s/g, '');
  const fromTheApp = code(secret);
  await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(fromTheApp)})`);
  await page.getByLabel('Code from the app').focus();
  await page.keyboard.press('ControlOrMeta+V');
  t.equal(await page.getByLabel('Code from the app').inputValue(), fromTheApp, 'the code was pasted');
  await context.close();
});

t.test('the data, two-step and statement pages pass the accessibility check', async (t) => {
  const coordinator = await createUser(database.db, 'coordinator');
  const person = await createUser(database.db, 'link_worker', { name: 'Nadia Example' });
  const { page, context } = await newPage(true);
  await passwordStep(page, coordinator.email);
  const secret = (await page.locator('#two-step-secret').textContent())!.replace(/\s/g, '');
  await page.getByLabel('Code from the app').fill(code(secret));
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  for (const [url, heading] of [
    ['/account', 'Your account'],
    ['/account/data', 'Your data'],
    [`/people/${person.id}`, 'Nadia Example'],
    [`/people/${person.id}/data`, 'Data held about Nadia Example'],
    [`/people/${person.id}/erase`, 'Erase Nadia Example?'],
    ['/accessibility', 'Accessibility statement for Tasters'],
    ['/privacy', 'Privacy notice'],
  ] as const) {
    await page.goto(url);
    t.equal((await page.locator('h1').textContent())?.trim(), heading, `${url} heading`);
    await checkPage(t, page, url);
  }
  await page.goto(`/people/${person.id}/erase`);
  await page.getByRole('button', { name: 'Erase their data' }).click();
  t.equal(await page.locator('.nhsuk-error-summary h2').textContent(), 'There is a problem', 'the confirmation is required');
  await checkPage(t, page, 'erase error');
  await page.getByLabel(/This person asked for their data to be erased/).check();
  await page.getByRole('button', { name: 'Erase their data' }).click();
  t.equal(await page.locator('h1').textContent(), 'Their data has been erased');
  await checkPage(t, page, 'erased');
  await context.close();
});
