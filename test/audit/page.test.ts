import t from 'tap';
import { createBooking, createTaster, createUser } from '../fixtures/builders.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());
const app = await buildTestApp(t, database);

const coordinator = await createUser(db, 'coordinator', { name: 'Cora Ordinator', email: 'cora@nhs.net' });
const { visitor } = await signedIn(app, db, coordinator);
const linkWorker = await createUser(db, 'link_worker', { name: 'Lena <b>Worker</b>', email: 'lena.worker@nhs.net' });
const provider = await createUser(db, 'provider', { name: 'Priya Provider' });
const pottery = await createTaster(db, { title: 'Pottery for beginners' });
const singing = await createTaster(db, { title: 'Community singing' });
const booking = await createBooking(db, pottery.sessionId, linkWorker.id);

// A small history at known times (London): who did what, to whom, on which session.
const events = [
  {
    occurredAt: new Date('2026-10-01T09:00:00Z'),
    actorId: linkWorker.id,
    action: 'booking_confirmed',
    subjectType: 'booking',
    subjectId: booking.id,
    details: JSON.stringify({ sessionId: pottery.sessionId }),
  },
  {
    occurredAt: new Date('2026-10-02T09:00:00Z'),
    actorId: provider.id,
    action: 'session_cancelled',
    subjectType: 'taster_session',
    subjectId: singing.sessionId,
    details: JSON.stringify({ reason: 'The choir leader is ill' }),
  },
  {
    occurredAt: new Date('2026-10-03T09:00:00Z'),
    actorId: coordinator.id,
    action: 'role_changed',
    subjectType: 'user',
    subjectId: provider.id,
    details: JSON.stringify({ from: 'link_worker', to: 'provider' }),
  },
  {
    occurredAt: new Date('2026-10-03T23:30:00Z'),
    actorId: linkWorker.id,
    action: 'feedback_given',
    subjectType: 'booking',
    subjectId: booking.id,
    details: '{}',
  },
  {
    occurredAt: new Date('2026-10-04T08:00:00Z'),
    actorId: null,
    action: 'sign_in_refused',
    details: JSON.stringify({ reason: 'wrong_password' }),
    address: '203.0.113.9',
  },
];
await db.insertInto('auditEvents').values(events).execute();

/** The rows of the results table as text: when, who, what, about. */
function rows(html: string): string[][] {
  const body = /<tbody[^>]*>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
      cell[1]!
        .replace(/<span class="nhsuk-table-responsive__heading"[^>]*>[^<]*<\/span>/, '')
        .replace(/<br>/g, ' | ')
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    ),
  );
}
const whats = (html: string) => rows(html).map((r) => r[2]!.split(' | ')[0]);

t.test('coordinators see who did what and when, newest first, in words', async (t) => {
  const page = await visitor.get('/audit?to=2026-10-31');
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Audit trail');
  t.same(whats(page.body), ['Sign-in refused', 'Gave feedback', 'Changed someone’s role', 'Cancelled a taster session', 'Booked a place']);
  const [refused, feedback, role, cancelled, booked] = rows(page.body);
  t.match(refused![1], /Someone not signed in \| from 203\.0\.113\.9/);
  t.match(feedback![0], /4 October 2026 at 12:30am/, 'London time: 23:30 UTC on 3 October is after midnight in BST');
  t.match(role![1], /Cora Ordinator \(cora@nhs\.net\)/);
  t.match(role![2], /From link worker to provider/);
  t.match(role![3], /Priya Provider/);
  t.match(cancelled![2], /Reason: The choir leader is ill/);
  t.match(cancelled![3], /Community singing/);
  t.match(booked![3], /Lena &lt;b&gt;Worker&lt;\/b&gt; \(lena\.worker@nhs\.net\) \| Pottery for beginners/, 'names shown as text');
  t.notMatch(page.body, /<b>Worker<\/b>/);
  t.match(page.body, new RegExp(`<a href="/sessions/${pottery.sessionId}">`), 'the session is a link');
  const menu = await visitor.get('/');
  t.match(menu.body, /href="\/audit"[^>]*>\s*Audit trail/, 'in the coordinator menu');
});

t.test('search by person, session, action and dates', async (t) => {
  t.same(whats((await visitor.get('/audit?to=2026-10-31&person=lena')).body), ['Gave feedback', 'Booked a place'], 'the person acted');
  t.same(
    whats((await visitor.get('/audit?to=2026-10-31&person=PRIYA')).body),
    ['Changed someone’s role', 'Cancelled a taster session'],
    'acted, or was acted on',
  );
  t.same(whats((await visitor.get('/audit?to=2026-10-31&person=cora%40nhs.net')).body), ['Changed someone’s role'], 'by email address');
  t.same(
    whats((await visitor.get('/audit?to=2026-10-31&session=pottery')).body),
    ['Gave feedback', 'Booked a place'],
    'a session by its activity, through bookings and their feedback',
  );
  t.same(whats((await visitor.get(`/audit?to=2026-10-31&session=${singing.sessionId}`)).body), ['Cancelled a taster session'], 'a session by its id');
  t.same(whats((await visitor.get('/audit?to=2026-10-31&action=role_changed')).body), ['Changed someone’s role']);
  t.same(
    whats((await visitor.get('/audit?from=2026-10-02&to=2026-10-03')).body),
    ['Changed someone’s role', 'Cancelled a taster session'],
    'whole London days',
  );
  t.same(
    whats((await visitor.get('/audit?from=2026-10-04&to=2026-10-04')).body),
    ['Sign-in refused', 'Gave feedback'],
    'an event at 00:30 BST belongs to the 4th',
  );
  const none = await visitor.get('/audit?to=2026-10-31&person=nobody-at-all');
  t.match(none.body, /Nothing matches this search/);
  t.match((await visitor.get('/audit?person=%25')).body, /Nothing matches this search/, 'a % is searched for, not a wildcard');
});

t.test('long histories come in pages of 50, newest first', async (t) => {
  const start = Date.parse('2025-01-01T12:00:00Z');
  await db
    .insertInto('auditEvents')
    .values(
      Array.from({ length: 120 }, (_, i) => ({
        occurredAt: new Date(start + i * 60_000),
        actorId: coordinator.id,
        action: 'calendar_feed_reset',
        details: JSON.stringify({ n: i }),
      })),
    )
    .execute();
  const first = await visitor.get('/audit?action=calendar_feed_reset');
  t.equal(rows(first.body).length, 50);
  t.match(first.body, /Events 1 to 50/);
  const older = /<a class="nhsuk-pagination__link nhsuk-pagination__link--next" href="([^"]+)"/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
  t.equal(older, '/audit?action=calendar_feed_reset&page=2', 'the next page keeps the search');
  t.notMatch(first.body, /nhsuk-pagination__link--prev/);
  const third = await visitor.get('/audit?action=calendar_feed_reset&page=3');
  t.equal(rows(third.body).length, 20);
  t.match(third.body, /Events 101 to 120/);
  t.notMatch(third.body, /nhsuk-pagination__link--next/);
  t.match(rows(third.body).at(-1)![0]!, /1 January 2025 at 12pm/, 'the oldest last');
  t.equal((await visitor.get('/audit?action=calendar_feed_reset&page=banana')).statusCode, 200, 'a page number that is not one is the first page');
});

t.test('bad dates and choices are explained, never a 500', async (t) => {
  const bad = await visitor.get('/audit?from=2026-02-30&to=yesterday&action=DROP%20TABLE');
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /<title>Error: Audit trail/);
  t.same(errorSummary(bad.body), [
    'action: Select an action from the list',
    'from: Enter a real date, such as 2026-11-22',
    'to: Enter a real date, such as 2026-11-22',
  ]);
  t.match(bad.body, /value="yesterday"/, 'what was typed is kept');
  const reversed = await visitor.get('/audit?from=2026-10-05&to=2026-10-01');
  t.equal(reversed.statusCode, 400);
  t.same(errorSummary(reversed.body), ['to: The end date must be the same as or after the start date']);
  const long = await visitor.get(`/audit?person=${'x'.repeat(201)}`);
  t.equal(long.statusCode, 400);
});

t.test('only coordinators', async (t) => {
  for (const role of ['link_worker', 'provider'] as const) {
    const { visitor: other } = await signedIn(app, db, role);
    t.equal((await other.get('/audit')).statusCode, 403, role);
  }
});
