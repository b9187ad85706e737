import t from 'tap';
import { runAccountRequests } from '../fixtures/accounts.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { createTestDatabase } from '../helper.ts';
import { accessibilityViolations, scrollsSideways, signIn, startBrowserTest } from './helper.ts';

const database = await createTestDatabase();
const browser = await startBrowserTest(database);
t.teardown(async () => {
  await browser.close();
  await database.close();
});

const sitePath = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');

t.test('the public pages fit a 320px phone and pass the accessibility check', async (t) => {
  const { page, context } = await browser.newPage({ phone: true });
  for (const [url, title] of [
    ['/sign-in', 'Sign in'],
    ['/register', 'Create a link worker account'],
    ['/help', undefined],
    ['/accessibility', undefined],
    ['/privacy', undefined],
    ['/reset-password', 'Reset your password'],
    ['/no-such-page', 'Page not found'],
  ] as const) {
    const response = await page.goto(url);
    t.ok(response && response.status() < 500, `${url} answers`);
    if (title) t.equal((await page.locator('h1').textContent())?.trim(), title, `${url} heading`);
    t.notOk(await scrollsSideways(page), `${url} fits 320px without sideways scrolling`);
    t.same(await accessibilityViolations(page), [], `${url}: no accessibility violations`);
    t.equal(await page.locator('footer').getByRole('link', { name: 'Accessibility statement' }).count(), 1, `${url}: the accessibility statement is linked`);
  }
  await context.close();
});

t.test('a link worker registers with an nhs.net address, confirms it with the emailed link and their password, and signs in', async (t) => {
  const { page, context } = await browser.newPage({ phone: true });
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'create an account' }).click();
  t.equal(await page.locator('h1').textContent(), 'Create a link worker account');

  // First with a personal address: refused beside the field, what was typed is kept.
  await page.getByLabel('Full name').fill('Priya Patel');
  await page.getByLabel('Work email address').fill('priya@gmail.com');
  await page.getByLabel('GP practice or team').fill('Jericho Health Centre');
  await page.getByLabel('Primary Care Network (PCN)').fill('Central Oxford PCN');
  await page.getByLabel('Create a password').fill('heron willow teapot');
  await page.getByLabel('Confirm your password').fill('heron willow teapot');
  await page.getByRole('button', { name: 'Create account' }).click();
  t.match(await page.title(), /^Error: /);
  t.match(await page.locator('#email-error').textContent(), /ending in nhs\.net/);
  t.equal(await page.getByLabel('Full name').inputValue(), 'Priya Patel', 'the name is kept');
  t.notOk(await scrollsSideways(page), 'the error state fits 320px');
  t.same(await accessibilityViolations(page), [], 'registration error state');

  // The error summary link takes keyboard users to the field.
  await page.locator('.nhsuk-error-summary a[href="#email"]').click();
  t.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'email', 'the summary link moves focus to the field');

  await page.getByLabel('Work email address').fill('priya.patel@nhs.net');
  await page.getByLabel('Create a password').fill('heron willow teapot');
  await page.getByLabel('Confirm your password').fill('heron willow teapot');
  await page.getByRole('button', { name: 'Create account' }).click();
  t.equal(await page.locator('h1').textContent(), 'Confirm your email address');
  t.same(await accessibilityViolations(page), [], 'check your email page');
  t.notOk(await scrollsSideways(page), 'the check your email page fits 320px');

  // A job on the queue writes the email (run here as the worker would); without email set up,
  // the page leads to it.
  await runAccountRequests(database.db, browser.baseUrl);
  await page.getByRole('link', { name: 'read the email here' }).click();
  t.equal(await page.locator('h1').textContent(), 'The email we sent');
  t.same(await accessibilityViolations(page), [], 'the email page');
  t.notOk(await scrollsSideways(page), 'the long link wraps at 320px');
  const link = (await page.locator('a[href*="/register/confirm/"]').getAttribute('href'))!;

  await page.goto(sitePath(link));
  t.same(await accessibilityViolations(page), [], 'confirmation page');
  // Only the person who registered knows the password: the link alone confirms nothing.
  await page.getByLabel('Your password').fill('heron willow teapot');
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  t.equal(await page.locator('h1').textContent(), 'Your email address is confirmed');
  t.same(await accessibilityViolations(page), [], 'confirmed page');

  await signIn(page, 'priya.patel@nhs.net', 'heron willow teapot');
  t.equal(await page.locator('h1').textContent(), 'Welcome, Priya Patel');
  t.notOk(await scrollsSideways(page), 'home fits 320px');
  t.same(await accessibilityViolations(page), [], 'link worker home');
  // The menu does not fit 320px: what does not fit is one "More" button away.
  const more = page.getByRole('button', { name: /More/ });
  if (await more.isVisible()) {
    await more.click();
    t.equal(await more.getAttribute('aria-expanded'), 'true', 'the More menu opens');
    t.notOk(await scrollsSideways(page), 'the open menu fits 320px');
    t.same(await accessibilityViolations(page), [], 'link worker home with the menu open');
  }
  await context.close();
});

t.test('a coordinator makes a password reset link; the person uses it and signs in with the new password', async (t) => {
  const coordinator = await createUser(database.db, 'coordinator');
  const person = await createUser(database.db, 'provider', { name: 'Amira Haddad' });
  const { page, context } = await browser.newPage();
  await signIn(page, coordinator.email, PASSWORD);
  await page.goto('/people');
  await page.getByRole('link', { name: 'Amira Haddad' }).click();
  t.equal(await page.locator('h1').textContent(), 'Amira Haddad');
  t.same(await accessibilityViolations(page), [], 'person page');
  await page.getByRole('button', { name: 'Create a password reset link' }).click();
  const link = (await page.locator('code', { hasText: '/reset-password/' }).textContent())!.trim();
  t.match(link, /\/reset-password\/[A-Za-z0-9_-]+$/);
  t.same(await accessibilityViolations(page), [], 'person page with the reset link');
  await context.close();

  const visitor = await browser.newPage({ phone: true });
  await visitor.page.goto(sitePath(link));
  t.equal(await visitor.page.locator('h1').textContent(), 'Choose a new password');
  t.notOk(await scrollsSideways(visitor.page), 'reset form fits 320px');
  t.same(await accessibilityViolations(visitor.page), [], 'reset form');
  await visitor.page.getByLabel('Create a password').fill('password1234');
  await visitor.page.getByLabel('Confirm your password').fill('password1234');
  await visitor.page.getByRole('button', { name: 'Change password' }).click();
  t.match(await visitor.page.locator('#password-error').textContent(), /too common/);
  t.same(await accessibilityViolations(visitor.page), [], 'reset form error state');
  await visitor.page.getByLabel('Create a password').fill('otter meadow lantern');
  await visitor.page.getByLabel('Confirm your password').fill('otter meadow lantern');
  await visitor.page.getByRole('button', { name: 'Change password' }).click();
  t.equal(await visitor.page.locator('h1').textContent(), 'Your password has been changed');
  t.same(await accessibilityViolations(visitor.page), [], 'password changed page');

  await signIn(visitor.page, person.email, 'otter meadow lantern');
  t.equal(await visitor.page.locator('h1').textContent(), 'Welcome, Amira Haddad');
  t.same(await accessibilityViolations(visitor.page), [], 'provider home');

  await visitor.page.goto(sitePath(link));
  t.equal(await visitor.page.locator('h1').textContent(), 'This link does not work', 'the link works once');
  t.same(await accessibilityViolations(visitor.page), [], 'used link page');
  await visitor.context.close();
});

t.test('without JavaScript, signing in and out still works', async (t) => {
  const user = await createUser(database.db, 'link_worker');
  const { page, context } = await browser.newPage({ javaScript: false });
  await signIn(page, user.email, PASSWORD);
  t.match(await page.locator('h1').textContent(), /Welcome/);
  await page.getByRole('button', { name: 'Sign out' }).click();
  // (axe runs as a script in the page, so it cannot check this JavaScript-free profile.)
  t.equal(await page.locator('h1').textContent(), 'You have signed out');
  await page.goto('/account');
  t.equal(await page.locator('h1').textContent(), 'Sign in', 'signed out for real');
  await context.close();
});
