import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import t from 'tap';
import { createBooking, createTaster, createUser, PASSWORD } from '../fixtures/builders.ts';
import { HOUR } from '../fixtures/time.ts';
import { createTestDatabase } from '../helper.ts';
import { accessibilityViolations, scrollsSideways, signIn, startBrowserTest } from './helper.ts';

// Self check-in at the door: Amira shows the session's code on a tablet and keeps the register
// open on her phone; Dev scans the code with his phone's camera, signs in and checks in.
const database = await createTestDatabase();
const { db } = database;
const browser = await startBrowserTest(database);
t.teardown(async () => {
  await browser.close();
  await database.close();
});

// jsqr is CommonJS with its function as `default`: Node hands over the module object.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ?? jsQRModule) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string } | null;

const startsAt = new Date(Date.now() - 10 * 60_000);
const taster = await createTaster(db, {
  title: 'Object handling and conversation',
  organisationName: 'Riverside Museum',
  startsAt,
  endsAt: new Date(startsAt.getTime() + 2 * HOUR),
  bookingClosesAt: new Date(startsAt.getTime() - 24 * HOUR),
});
const amira = await createUser(db, 'provider', { name: 'Amira Haddad', organisationId: taster.organisationId });
const dev = await createUser(db, 'link_worker', { name: 'Dev Sharma', practice: 'Jericho Health Centre' });
const devBooking = await createBooking(db, taster.sessionId, dev.id);
const nextWeek = await createTaster(db, {
  title: 'Lino printing',
  startsAt: new Date(Date.now() + 7 * 24 * HOUR),
  endsAt: new Date(Date.now() + 7 * 24 * HOUR + 2 * HOUR),
});
const sam = await createUser(db, 'link_worker', { name: 'Sam Green', practice: 'Cowley Road Surgery' });
const register = `/sessions/${taster.sessionId}/register`;

/** A phone-sized page (375 × 667, a small phone's screen) with its own cookies. */
async function phone() {
  const context = await browser.browser.newContext({ baseURL: browser.baseUrl, viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
  return { context, page: await context.newPage() };
}

t.test('the code on a tablet, scanned and checked in on a phone, appears on the register without a reload', async (t) => {
  const provider = await phone();
  await signIn(provider.page, amira.email, PASSWORD);
  await provider.page.goto(register);
  t.same(await accessibilityViolations(provider.page), [], 'the register, before');
  // A reload would lose this; htmx morphing the live part in keeps it.
  await provider.page.evaluate('window.stillTheSamePage = true');

  const tablet = await browser.browser.newContext({ baseURL: browser.baseUrl, viewport: { width: 768, height: 1024 } });
  const door = await tablet.newPage();
  await signIn(door, amira.email, PASSWORD);
  await door.goto(`/sessions/${taster.sessionId}/check-in-code`);
  t.equal((await door.locator('h1').textContent())?.trim(), 'Check in: Object handling and conversation');
  t.same(await accessibilityViolations(door), [], 'the code page');
  const box = await door.locator('#check-in-qr').boundingBox();
  t.ok(box && box.width >= 300, `the code is large on a tablet (${box?.width} px)`);
  const shot = PNG.sync.read(await door.locator('#check-in-qr').screenshot());
  const scanned = jsQR(new Uint8ClampedArray(shot.data), shot.width, shot.height)?.data ?? '';
  t.match(scanned, new RegExp(`^${browser.baseUrl}/check-in/${taster.sessionId}\\.[A-Za-z0-9_-]{43}$`), 'the code opens this session’s check-in address');

  // Dev's phone opens the address; he is not signed in on it yet.
  const linkWorker = await phone();
  await linkWorker.page.goto(scanned);
  t.equal(new URL(linkWorker.page.url()).pathname, '/sign-in', 'signed out: sign in first');
  await linkWorker.page.getByLabel('Email address').fill(dev.email);
  await linkWorker.page.getByLabel('Password').fill(PASSWORD);
  await linkWorker.page.getByRole('button', { name: 'Sign in' }).click();
  await linkWorker.page.waitForURL((url) => url.pathname.startsWith('/check-in/'));
  t.equal(linkWorker.page.url(), scanned, 'and back to the code’s page');
  t.equal((await linkWorker.page.locator('h1').textContent())?.trim(), 'Check in');
  t.notOk(await scrollsSideways(linkWorker.page), 'fits the phone');
  t.same(await accessibilityViolations(linkWorker.page), [], 'the check-in page');
  const button = await linkWorker.page.getByRole('button', { name: 'Check in' }).boundingBox();
  t.ok(button && button.height >= 44, `a large button (${button?.height} px high)`);

  await linkWorker.page.getByRole('button', { name: 'Check in' }).click();
  await linkWorker.page.locator('h1', { hasText: 'You are checked in' }).waitFor();
  t.same(await accessibilityViolations(linkWorker.page), [], 'checked in');
  t.notOk(await scrollsSideways(linkWorker.page), 'still fits the phone');

  // Scanning again: the same page, nothing new.
  await linkWorker.page.goto(scanned);
  t.equal((await linkWorker.page.locator('h1').textContent())?.trim(), 'You are checked in');

  // The register on Amira's phone picks it up by itself.
  const row = provider.page.locator(`#booking-${devBooking.id}`);
  await row.getByText('Checked in by QR code').waitFor();
  t.match(await row.textContent(), /Attended/);
  t.match(await provider.page.locator('#register-counts').textContent(), /1 person attended/);
  t.equal(await provider.page.evaluate('window.stillTheSamePage'), true, 'no reload: the page is the same one');
  t.same(await accessibilityViolations(provider.page), [], 'the register, after');

  await Promise.all([provider.context.close(), tablet.close(), linkWorker.context.close()]);
});

t.test('Dev books a place for Sam, a colleague in his PCN, on his phone', async (t) => {
  const { page, context } = await phone();
  await signIn(page, dev.email, PASSWORD);
  await page.goto(`/sessions/${nextWeek.sessionId}/book`);
  await page.getByRole('link', { name: 'Book a place for a colleague in your PCN' }).click();
  t.equal((await page.locator('h1').textContent())?.trim(), 'Book a place for a colleague');
  t.notOk(await scrollsSideways(page), 'fits the phone');
  t.same(await accessibilityViolations(page), [], 'the form');
  await page.getByRole('button', { name: 'Book a place for them' }).click();
  t.match(await page.title(), /^Error: /);
  t.same(await accessibilityViolations(page), [], 'the form with its error');
  await page.getByLabel(/^Colleague in/).selectOption({ label: 'Sam Green (Cowley Road Surgery)' });
  await page.getByRole('button', { name: 'Book a place for them' }).click();
  await page.getByText('You booked a place for Sam Green.').waitFor();
  t.same(await accessibilityViolations(page), [], 'booked');
  const booking = await db.selectFrom('bookings').select(['userId', 'bookedBy']).where('tasterSessionId', '=', nextWeek.sessionId).executeTakeFirstOrThrow();
  t.same(booking, { userId: sam.id, bookedBy: dev.id });
  await context.close();
});
