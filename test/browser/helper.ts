import AxeBuilder from '@axe-core/playwright';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildApp } from '../../src/app.ts';
import { type Config, testConfig } from '../../src/config.ts';
import type { TestDatabase } from '../helper.ts';
import { checkHtmlResponses, htmlFailure } from '../html/check.ts';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Chromium here has no network but loopback: these flags keep it from reaching for one.
const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type BrowserTest = {
  app: FastifyInstance;
  baseUrl: string;
  browser: Browser;
  /** A fresh browser profile (no cookies) at a phone or desktop size. */
  newPage: (options?: { phone?: boolean; javaScript?: boolean }) => Promise<{ page: Page; context: BrowserContext }>;
  close: () => Promise<void>;
};

/**
 * The real app listening on a free loopback port, and headless Chromium pointed at it. Every HTML
 * page and fragment the browser is sent is validated as in the inject tests: `close` throws if any was invalid.
 */
export async function startBrowserTest(database: TestDatabase, overrides: Partial<Config> = {}): Promise<BrowserTest> {
  const app = await buildApp({ config: testConfig(overrides), db: database.db });
  const html = checkHtmlResponses(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  // The app's idea of its own address decides the same-origin check on forms.
  app.config.baseUrl = baseUrl;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: flags });
  return {
    app,
    baseUrl,
    browser,
    newPage: async ({ phone = false, javaScript = true } = {}) => {
      const context = await browser.newContext({
        baseURL: baseUrl,
        viewport: phone ? { width: 320, height: 640 } : { width: 1280, height: 900 },
        javaScriptEnabled: javaScript,
      });
      const page = await context.newPage();
      return { page, context };
    },
    close: async () => {
      await browser.close();
      await app.close();
      const failure = htmlFailure(html);
      if (failure) throw failure;
    },
  };
}

const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** axe-core's findings on the page as it is now, at WCAG 2.2 AA: an empty list is the goal. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(wcagTags).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** The page fits its width: nothing scrolls sideways (WCAG 1.4.10 reflow at 320px). */
export async function scrollsSideways(page: Page): Promise<boolean> {
  const { scrollWidth, clientWidth } = await page.locator('html').evaluate((html) => ({
    scrollWidth: html.scrollWidth,
    clientWidth: html.clientWidth,
  }));
  return scrollWidth > clientWidth + 1;
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}
