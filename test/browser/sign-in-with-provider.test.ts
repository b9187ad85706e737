import t from 'tap';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { startTestProvider } from '../fixtures/oidc-provider.ts';
import { createTestDatabase } from '../helper.ts';
import { accessibilityViolations, type BrowserTest, startBrowserTest } from './helper.ts';

/**
 * The whole redirect journey in a real browser: Tasters' button, the provider's own sign-in page
 * (oidc-provider's), back to Tasters, and out again through the provider's sign-out. The provider
 * is on "localhost" and Tasters on 127.0.0.1, two different sites: the return from the provider is
 * a cross-site navigation, and the SameSite=Lax session cookie must still come with it. axe checks
 * Tasters' pages only (the provider's pages are not ours to fix).
 */
const database = await createTestDatabase();
let browser: BrowserTest | undefined;
const idp = await startTestProvider({
  host: 'localhost',
  redirectUri: () => `${browser!.baseUrl}/sign-in/with/nhsmail/callback`,
  postLogoutRedirectUri: () => `${browser!.baseUrl}/signed-out`,
});
browser = await startBrowserTest(database, { signInProviders: [idp.settings()], signInProvidersAllowHttp: true });
const running = browser;
t.teardown(async () => {
  await running.close();
  await idp.stop();
  await database.close();
});

/** At the provider's own page: its login form, filled in as a person would. */
async function signInAtProvider(page: import('playwright-core').Page, login: string) {
  await page.waitForURL((url) => url.href.startsWith(idp.issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
}

t.test('someone new signs in with NHSmail, becomes a link worker, and signs out through NHSmail', async (t) => {
  idp.addAccount({ sub: 'browser-newcomer', email: 'browser-newcomer@nhs.net', name: 'Nia Browne', amr: ['pwd', 'mfa'] });
  const { page, context } = await running.newPage();
  await page.goto('/sign-in');
  t.same(await accessibilityViolations(page), [], 'sign-in page with the provider’s button');
  await page.getByRole('button', { name: 'Sign in with NHSmail' }).click();
  await signInAtProvider(page, 'browser-newcomer');

  await page.waitForURL(`${running.baseUrl}/sign-in/with/nhsmail/new-account`);
  t.equal(
    await page.locator('h1').textContent(),
    'Create a link worker account',
    'back at Tasters, same session: the Lax cookie came with the cross-site return',
  );
  t.equal(await page.getByLabel('Full name').inputValue(), 'Nia Browne');
  t.same(await accessibilityViolations(page), [], 'new account page');
  await page.getByRole('button', { name: 'Create account' }).click();
  t.match(await page.locator('.nhsuk-error-summary').textContent(), /Enter your GP practice or team/);
  t.same(await accessibilityViolations(page), [], 'new account page with errors');
  await page.getByLabel('GP practice or team').fill('Jericho Health Centre');
  await page.getByLabel('Primary Care Network (PCN)').fill('Oxford City PCN');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${running.baseUrl}/?done=account-ready`);
  t.match(await page.locator('header').textContent(), /Nia Browne/, 'signed in');
  t.same(await accessibilityViolations(page), [], 'home page');

  await page.goto('/account');
  t.match(await page.locator('main').textContent(), /browser-newcomer@nhs\.net/, 'the connected account is shown');
  t.same(await accessibilityViolations(page), [], 'your account with NHSmail connected');

  await page.getByRole('button', { name: 'Sign out' }).click();
  // The provider's own "sign out?" page, then back to Tasters.
  await page.waitForURL((url) => url.href.startsWith(idp.issuer));
  await page.locator('button[autofocus], button[type="submit"]').first().click();
  await page.waitForURL(`${running.baseUrl}/signed-out`);
  t.equal(await page.locator('h1').textContent(), 'You have signed out');
  t.same(await accessibilityViolations(page), [], 'signed-out page');
  await page.goto('/account');
  t.match(page.url(), /\/sign-in\?returnTo=/, 'the Tasters session is over');
  await context.close();
});

t.test('someone with an account proves it with their password once; a refusal is a page of ours', async (t) => {
  const existing = await createUser(database.db, 'link_worker', { name: 'Owen Existing' });
  idp.addAccount({ sub: 'browser-existing', email: existing.email, name: 'Owen Existing' });
  const { page, context } = await running.newPage({ phone: true });
  await page.goto('/sign-in');
  await page.getByRole('button', { name: 'Sign in with NHSmail' }).click();
  await signInAtProvider(page, 'browser-existing');
  await page.waitForURL(`${running.baseUrl}/sign-in/with/nhsmail/link-account`);
  t.same(await accessibilityViolations(page), [], 'link account page');
  await page.getByLabel('Your Tasters password').fill('not the right password');
  await page.getByRole('button', { name: 'Connect and sign in' }).click();
  t.match(await page.locator('.nhsuk-error-summary').textContent(), /The password is not right/);
  t.same(await accessibilityViolations(page), [], 'link account page with the error');
  await page.getByLabel('Your Tasters password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Connect and sign in' }).click();
  await page.waitForURL(`${running.baseUrl}/`);
  t.match(await page.locator('header').textContent(), /Owen Existing/);
  await context.close();

  idp.addAccount({ sub: 'browser-elsewhere', email: 'someone@gmail.com' });
  const second = await running.newPage();
  await second.page.goto('/sign-in');
  await second.page.getByRole('button', { name: 'Sign in with NHSmail' }).click();
  await signInAtProvider(second.page, 'browser-elsewhere');
  await second.page.waitForURL(/\/sign-in\/with\/nhsmail\/callback/);
  t.equal(await second.page.locator('h1').textContent(), 'This email address cannot be used to sign in to Tasters');
  t.same(await accessibilityViolations(second.page), [], 'refusal page');
  await second.context.close();
});
