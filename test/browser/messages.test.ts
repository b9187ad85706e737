import t from 'tap';
import { releaseToken } from '../../src/bookings/release.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { GIVE_UP_AFTER } from '../../src/delivery/undelivered.ts';
import { startMessageWorker } from '../../src/delivery/worker.ts';
import { createBoss } from '../../src/messages/boss.ts';
import { mailboxMailer } from '../../src/messages/mailer.ts';
import { queueMessage } from '../../src/messages/outbox.ts';
import { getPreferences } from '../../src/preferences/service.ts';
import { unsubscribePath } from '../../src/preferences/unsubscribe.ts';
import { createBooking, createTaster, createUser, PASSWORD } from '../fixtures/builders.ts';
import { bossSchema, waitFor } from '../fixtures/delivery.ts';
import { createTestDatabase } from '../helper.ts';
import { accessibilityViolations, scrollsSideways, signIn, startBrowserTest } from './helper.ts';

const database = await createTestDatabase();
const { db } = database;
const browser = await startBrowserTest(database);
// The app as a server would run it: a worker delivering the outbox, here to the development mailbox.
const schema = bossSchema(database);
const boss = createBoss(database as DatabaseHandle, { databaseUrl: process.env.TEST_DATABASE_URL, schema: schema.name, schedule: false, poolSize: 2 });
await boss.start();
const worker = await startMessageWorker({ db, boss, mailer: mailboxMailer(), dispatchIntervalMs: 200, pollingIntervalSeconds: 0.5 });
t.teardown(async () => {
  await worker.stop();
  await boss.stop({ graceful: false, timeout: 2_000 });
  await browser.close();
  await schema.drop();
  await database.close();
});

t.test('a provider cancels a session; each link worker booked finds the message in the development mailbox', async (t) => {
  const taster = await createTaster(db, { title: `Bookbinding ${Date.now()}`, capacity: 2 });
  const provider = await createUser(db, 'provider', { organisationId: taster.organisationId, name: 'Pat Provider' });
  const booked = [await createUser(db, 'link_worker', { name: 'Lou Worker' }), await createUser(db, 'link_worker', { name: 'Max Worker' })];
  for (const person of booked) await createBooking(db, taster.sessionId, person.id);
  const waiting = await createUser(db, 'link_worker', { name: 'Nell Waiting' });
  await createBooking(db, taster.sessionId, waiting.id, { status: 'waitlisted' });
  const bystander = await createUser(db, 'link_worker', { name: 'Olly Elsewhere' });

  const { page, context } = await browser.newPage();
  const axe = async (where: string) => t.same(await accessibilityViolations(page), [], `no accessibility violations: ${where}`);
  await signIn(page, provider.email, PASSWORD);
  await page.goto(`/sessions/${taster.sessionId}`);
  await page.getByRole('link', { name: 'Cancel session' }).click();
  const confirm = page.getByRole('dialog', { name: 'Cancel this taster session?' });
  t.ok(await confirm.isVisible(), 'with JavaScript, the confirmation opens as a dialog on the session page');
  await axe('cancel dialog');
  await confirm.getByLabel('Why is it cancelled?').fill('The binding tutor is unwell');
  await confirm.getByRole('button', { name: 'Yes, cancel the session' }).click();
  await page.waitForURL(/done=cancelled/);
  t.match(await page.locator('main').textContent(), /This session is cancelled/);
  await axe('the cancelled session');
  await context.close();

  // The worker delivers to the mailbox in the background; wait for it rather than for a time.
  await waitFor(async () => {
    const rows = await db.selectFrom('outboxMessages').select('sentAt').where('kind', '=', 'session_cancelled').execute();
    return rows.length === 3 && rows.every((r) => r.sentAt);
  }, 'three cancellation messages delivered');

  const coordinator = await createUser(db, 'coordinator');
  const reader = await browser.newPage({ phone: true });
  await signIn(reader.page, coordinator.email, PASSWORD);
  await reader.page.goto('/dev/mailbox');
  t.equal(await reader.page.locator('h1').textContent(), 'Development mailbox');
  t.notOk(await scrollsSideways(reader.page), 'the mailbox fits 320px');
  t.same(await accessibilityViolations(reader.page), [], 'no accessibility violations: mailbox');
  for (const person of [...booked, waiting]) {
    await reader.page.getByLabel('Show messages to').fill(person.email);
    await reader.page.getByRole('button', { name: 'Show messages' }).click();
    const card = reader.page.locator('section.nhsuk-card', { hasText: `Cancelled by the organiser: ${taster.title}` });
    t.equal(await card.count(), 1, `${person.name} has the message`);
    t.match(await card.textContent(), /Dear /);
    t.match(await card.textContent(), /The binding tutor is unwell/);
    t.match(await card.textContent(), /Delivered to this mailbox/);
    t.equal(await card.getByRole('link', { name: /\/find$/ }).count(), 1, 'the link in it can be followed');
  }
  t.same(await accessibilityViolations(reader.page), [], 'no accessibility violations: mailbox narrowed to one person');
  await reader.page.getByLabel('Show messages to').fill(bystander.email);
  await reader.page.getByRole('button', { name: 'Show messages' }).click();
  t.match(await reader.page.locator('main').textContent(), /No messages to/, 'nobody else was told');

  await reader.page.goto(`/audit?session=${encodeURIComponent(taster.title)}`);
  t.match(await reader.page.locator('tbody').textContent(), /Cancelled a taster session/);
  t.notOk(await scrollsSideways(reader.page), 'the audit trail fits 320px');
  t.same(await accessibilityViolations(reader.page), [], 'no accessibility violations: audit trail');
  await reader.page.goto('/audit?from=2026-02-30');
  t.match(await reader.page.title(), /^Error: /);
  t.same(await accessibilityViolations(reader.page), [], 'no accessibility violations: audit trail with an error');
  await reader.context.close();
});

t.test('a link worker releases a place from a reminder without signing in, and sets their email choices', async (t) => {
  const taster = await createTaster(db, { title: `Calligraphy ${Date.now()}`, capacity: 1 });
  const owner = await createUser(db, 'link_worker', { name: 'Ria Releaser' });
  const next = await createUser(db, 'link_worker', { name: 'Sid Next' });
  const booking = await createBooking(db, taster.sessionId, owner.id);
  await createBooking(db, taster.sessionId, next.id, { status: 'waitlisted' });

  const { page, context } = await browser.newPage({ phone: true });
  await page.goto(`/release-place/${releaseToken(browser.app.config.sessionSecret, booking.id)}`);
  t.equal(await page.locator('h1').textContent(), 'Release your place');
  t.notOk(await scrollsSideways(page), 'fits 320px');
  t.same(await accessibilityViolations(page), [], 'no accessibility violations: release page');
  await page.getByRole('button', { name: 'Release my place' }).click();
  t.equal((await page.locator('h1').textContent())?.trim(), 'Your place has been released');
  t.same(await accessibilityViolations(page), [], 'no accessibility violations: released');
  const statuses = await db.selectFrom('bookings').select(['userId', 'status']).where('tasterSessionId', '=', taster.sessionId).execute();
  t.same(Object.fromEntries(statuses.map((s) => [s.userId, s.status])), { [owner.id]: 'cancelled', [next.id]: 'confirmed' }, 'the next person has the place');

  await signIn(page, owner.email, PASSWORD);
  await page.goto('/account');
  await page.getByRole('link', { name: 'Choose which optional emails you get' }).click();
  t.equal(await page.locator('h1').textContent(), 'Emails you get');
  t.same(await accessibilityViolations(page), [], 'no accessibility violations: email choices');
  await page.getByLabel('Reminders').uncheck();
  await page.getByRole('button', { name: 'Save my choices' }).click();
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /saved/);
  t.notOk(await page.getByLabel('Reminders').isChecked(), 'reminders are off');
  t.same(await accessibilityViolations(page), [], 'no accessibility violations: email choices saved');
  await context.close();
});

t.test('someone stops the weekly digest from the link in it, without signing in, and nothing else changes', async (t) => {
  const person = await createUser(db, 'provider', { name: 'Uma Unsubscriber' });
  const { page, context } = await browser.newPage({ phone: true });
  await page.goto(unsubscribePath(browser.app.config.sessionSecret, person.id, 'digests'));
  t.equal(await page.locator('h1').textContent(), 'Stop getting the weekly digest?');
  t.notOk(await scrollsSideways(page), 'fits 320px');
  t.same(await accessibilityViolations(page), [], 'no accessibility violations: the question');
  t.same(
    await getPreferences(db, person.id),
    { reminders: true, feedbackRequests: true, referralPrompts: true, digests: true },
    'opening the link changes nothing',
  );
  await page.getByRole('button', { name: 'Stop getting the weekly digest' }).click();
  t.equal((await page.locator('h1').textContent())?.trim(), 'You will no longer get the weekly digest');
  t.notOk(await scrollsSideways(page), 'fits 320px');
  t.same(await accessibilityViolations(page), [], 'no accessibility violations: done');
  t.equal((await getPreferences(db, person.id)).digests, false, 'the digest is off');
  await page.goto(`/unsubscribe/${person.id}.digests.${'x'.repeat(43)}`);
  t.equal(await page.locator('h1').textContent(), 'This link does not work');
  t.same(await accessibilityViolations(page), [], 'no accessibility violations: a link that does not work');
  await context.close();
});

t.test('a coordinator is warned of an email the mail server kept refusing, reads why, and sends it again', async (t) => {
  const reader = await createUser(db, 'link_worker', { name: 'Tia Refused' });
  const coordinator = await createUser(db, 'coordinator', { name: 'Cora Coordinator' });
  // As after a day and a half of refusals: written in one transaction, so the worker never sees it fresh.
  await db.transaction().execute(async (tx) => {
    await queueMessage(tx, {
      dedupeKey: `refused:${reader.id}`,
      kind: 'test',
      to: reader.email,
      recipientId: reader.id,
      subject: 'Your taster tomorrow',
      text: 'See you there.',
    });
    await tx
      .updateTable('outboxMessages')
      .set({ attempts: GIVE_UP_AFTER, lastError: '452 4.2.2 Mailbox full', dispatchedAt: new Date() })
      .where('dedupeKey', '=', `refused:${reader.id}`)
      .execute();
  });

  const { page, context } = await browser.newPage({ phone: true });
  const axe = async (where: string) => t.same(await accessibilityViolations(page), [], `no accessibility violations: ${where}`);
  await signIn(page, coordinator.email, PASSWORD);
  await page.goto('/');
  t.match(await page.locator('.nhsuk-warning-callout').textContent(), /1 email has been refused by the mail server too many times and stopped/);
  await axe('home with the warning');
  await page.getByRole('link', { name: 'Check why, and send it again' }).click();
  t.equal(await page.locator('h1').textContent(), 'Emails not delivered');
  t.match(await page.locator('main').textContent(), /452 4\.2\.2 Mailbox full/);
  t.notOk(await scrollsSideways(page), 'fits 320px');
  await axe('emails not delivered');
  const button = page.getByRole('button', { name: /^Send again/ });
  t.match(await button.textContent(), /Send again: “Your taster tomorrow” to link-worker-/, 'the button says which email, for a screen reader');
  await button.click();
  await page.waitForURL(/done=sent-again/);
  t.match(await page.locator('.nhsuk-notification-banner').textContent(), /tried again within a minute/);
  await axe('sent again');

  const sent = await waitFor(
    async () =>
      (await db.selectFrom('outboxMessages').select(['sentAt', 'deliveredVia']).where('dedupeKey', '=', `refused:${reader.id}`).executeTakeFirstOrThrow())
        .sentAt,
    'the email to go',
  );
  t.ok(sent);
  await page.reload();
  t.match(await page.locator('main').textContent(), /Every email has been delivered/);
  await context.close();
});
