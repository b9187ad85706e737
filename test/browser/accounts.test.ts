import t from 'tap';
import { navigation } from '../../src/web/navigation.ts';
import { createUser, PASSWORD } from '../fixtures/builders.ts';
import { createTestDatabase } from '../helper.ts';
import { accessibilityViolations, scrollsSideways, signIn, startBrowserTest } from './helper.ts';

const database = await createTestDatabase();
const browser = await startBrowserTest(database);
t.teardown(async () => {
  await browser.close();
  await database.close();
});

t.test('each role signs in and sees its own menu, with no accessibility violations', async (t) => {
  // Each role's menu is the one the app defines; only coordinators manage people.
  const expectations = (['coordinator', 'provider', 'link_worker'] as const).map((role) => ({
    role,
    links: navigation[role].map(([, text]) => text),
  }));
  t.ok(expectations[0]!.links.includes('People'), 'coordinators have People');
  t.notOk(
    expectations.slice(1).some((e) => e.links.includes('People')),
    'nobody else does',
  );
  for (const { role, links } of expectations) {
    const user = await createUser(database.db, role);
    const { page, context } = await browser.newPage();
    await page.goto('/');
    t.same(await accessibilityViolations(page), [], `start page (${role})`);
    await signIn(page, user.email, PASSWORD);
    t.match(await page.locator('h1').textContent(), /Welcome/, `${role} lands on home`);
    const menu = await page.getByRole('navigation', { name: 'Menu' }).getByRole('link').allTextContents();
    t.same(
      menu.map((s) => s.trim()),
      links,
      `${role} menu`,
    );
    t.same(await accessibilityViolations(page), [], `home page (${role})`);
    await context.close();
  }
});

t.test('sign-in errors are shown in a summary and beside the field, accessibly', async (t) => {
  const { page, context } = await browser.newPage();
  await page.goto('/sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  t.equal(await page.locator('.nhsuk-error-summary h2').textContent(), 'There is a problem');
  t.match(await page.title(), /^Error: /);
  t.same(await accessibilityViolations(page), [], 'sign-in error state');
  await context.close();
});

t.test('a coordinator invites a link worker, who accepts and signs in, on a phone', async (t) => {
  const coordinator = await createUser(database.db, 'coordinator');
  const { page, context } = await browser.newPage({ phone: true });
  await signIn(page, coordinator.email, PASSWORD);
  await page.goto('/people');
  t.notOk(await scrollsSideways(page), 'people page fits 320px');
  t.same(await accessibilityViolations(page), [], 'people page');
  await page
    .getByRole('button', { name: 'Invite someone' })
    .or(page.getByRole('link', { name: 'Invite someone' }))
    .first()
    .click();
  t.same(await accessibilityViolations(page), [], 'invite page');
  await page.getByLabel('Email address').fill('new.linkworker@nhs.net');
  await page.getByLabel('Link worker').check();
  await page.getByRole('button', { name: 'Create invitation' }).click();
  const link = (await page.locator('#invitation-link').textContent())!.trim();
  t.match(link, /\/invitations\//);
  t.same(await accessibilityViolations(page), [], 'invitation created page');
  await context.close();

  const visitor = await browser.newPage({ phone: true });
  await visitor.page.goto(link.replace(/^https?:\/\/[^/]+/, ''));
  t.equal(await visitor.page.locator('h1').textContent(), 'Set up your account');
  t.notOk(await scrollsSideways(visitor.page), 'invitation page fits 320px');
  t.same(await accessibilityViolations(visitor.page), [], 'accept invitation page');
  await visitor.page.getByLabel('Full name').fill('Nadia Link');
  await visitor.page.getByLabel('GP practice or team').fill('Riverside Surgery');
  await visitor.page.getByLabel('Primary Care Network (PCN)').fill('Riverside PCN');
  await visitor.page.getByLabel('Create a password').fill('lantern teapot river');
  await visitor.page.getByLabel('Confirm your password').fill('lantern teapot river');
  await visitor.page.getByRole('button', { name: 'Set up account' }).click();
  // Signed in by setting the password: no second sign-in.
  t.equal(await visitor.page.locator('h1').textContent(), 'Welcome, Nadia Link');
  t.match(await visitor.page.locator('.nhsuk-notification-banner').textContent(), 'Your account is ready, and you are signed in.');
  t.notOk(await scrollsSideways(visitor.page), 'home fits 320px');
  t.same(await accessibilityViolations(visitor.page), [], 'link worker home on a phone');
  await visitor.context.close();
});
