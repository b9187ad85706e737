import t from 'tap';
import { queueReminders } from '../../src/delivery/scheduled.ts';
import { getPreferences } from '../../src/preferences/service.ts';
import { createBooking, createTaster, createUser } from '../fixtures/builders.ts';
import { databaseDigest } from '../fixtures/database.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading, Visitor } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());
const app = await buildTestApp(t, database);

const ticked = (html: string, name: string) => new RegExp(`name="${name}" type="checkbox" value="yes"[^>]*checked`).test(html);
const shown = (html: string, name: string) => html.includes(`name="${name}"`);

t.test('link workers choose reminders, feedback requests and referral questions; all on until they say otherwise', async (t) => {
  const user = await createUser(db, 'link_worker');
  const { visitor } = await signedIn(app, db, user);
  const account = await visitor.get('/account');
  t.match(account.body, /<a href="\/account\/preferences">/, 'linked from Your account');
  const page = await visitor.get('/account/preferences');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Emails you get');
  for (const name of ['reminders', 'feedbackRequests', 'referralPrompts']) t.ok(ticked(page.body, name), `${name} on`);
  t.notOk(shown(page.body, 'digests'), 'no digest for link workers');
  t.match(page.body, /Emails that always go/);

  const saved = await visitor.post('/account/preferences', { feedbackRequests: 'yes', referralPrompts: 'yes' });
  t.equal(saved.statusCode, 303);
  const after = await visitor.get(saved.headers.location as string);
  t.match(after.body, /Your email choices have been saved/);
  t.notOk(ticked(after.body, 'reminders'), 'reminders now off');
  t.ok(ticked(after.body, 'feedbackRequests'));
  t.same(await getPreferences(db, user.id), { reminders: false, feedbackRequests: true, referralPrompts: true, digests: true });
  const audit = await db
    .selectFrom('auditEvents')
    .select(['action', 'details'])
    .where('actorId', '=', user.id)
    .where('action', '=', 'message_preferences_changed')
    .execute();
  t.same(audit, [{ action: 'message_preferences_changed', details: { reminders: false } }], 'one audit entry naming the change');

  await visitor.post('/account/preferences', { feedbackRequests: 'yes', referralPrompts: 'yes' });
  t.equal(
    (await db.selectFrom('auditEvents').select('id').where('action', '=', 'message_preferences_changed').where('actorId', '=', user.id).execute()).length,
    1,
    'saving the same choices again records nothing',
  );

  // The reminder job now leaves them out, and keeps sending to someone who wants reminders.
  const startsAt = new Date(Date.now() + 20 * 3_600_000);
  const taster = await createTaster(db, { startsAt, bookingClosesAt: new Date(Date.now() + 3_600_000) });
  const other = await createUser(db, 'link_worker');
  await createBooking(db, taster.sessionId, user.id);
  await createBooking(db, taster.sessionId, other.id);
  await db
    .updateTable('bookings')
    .set({ confirmedAt: new Date(Date.now() - 7 * 24 * 3_600_000) })
    .where('tasterSessionId', '=', taster.sessionId)
    .execute();
  await queueReminders({
    db,
    baseUrl: 'http://localhost:3000',
    secret: 'secret-for-release-links-in-this-test',
    now: new Date(startsAt.getTime() - 3_600_000),
  });
  const reminders = await db.selectFrom('outboxMessages').select('recipientId').where('kind', '=', 'reminder').execute();
  t.same(
    reminders.map((r) => r.recipientId),
    [other.id],
    'only the person who wants reminders gets one',
  );
});

t.test('coordinators and providers choose the weekly digest; a choice of another role cannot be set', async (t) => {
  for (const role of ['coordinator', 'provider'] as const) {
    const user = await createUser(db, role);
    const { visitor } = await signedIn(app, db, user);
    const page = await visitor.get('/account/preferences');
    t.ok(ticked(page.body, 'digests'), `${role}: digest on`);
    t.notOk(shown(page.body, 'reminders'), `${role}: no reminders choice`);
    await visitor.post('/account/preferences', { reminders: 'no-such-value', feedbackRequests: 'yes' });
    t.same(
      await getPreferences(db, user.id),
      { reminders: true, feedbackRequests: true, referralPrompts: true, digests: false },
      `${role}: digest off, nothing else touched`,
    );
  }
});

t.test('a value the form never sends is explained beside the box and changes nothing', async (t) => {
  const user = await createUser(db, 'link_worker');
  const { visitor } = await signedIn(app, db, user);
  const before = await databaseDigest(db);
  const response = await visitor.post('/account/preferences', { reminders: '<script>x</script>', feedbackRequests: ['yes', 'yes'] });
  t.equal(response.statusCode, 400);
  t.match(response.body, /<title>Error: Emails you get/);
  t.same(errorSummary(response.body), [
    'reminders: Tick the box to get these emails, or clear it to stop them',
    'feedbackRequests: Tick the box to get these emails, or clear it to stop them',
  ]);
  t.notMatch(response.body, /<script>x<\/script>/);
  t.same(await databaseDigest(db), before, 'nothing changed');
});

t.test('signed-out visitors are asked to sign in', async (t) => {
  const visitor = new Visitor(app);
  const response = await visitor.get('/account/preferences');
  t.equal(response.statusCode, 302);
  t.equal(response.headers.location, '/sign-in?returnTo=%2Faccount%2Fpreferences');
});
