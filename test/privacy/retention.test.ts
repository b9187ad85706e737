import { sql } from 'kysely';
import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { applyRetention } from '../../src/privacy/retention.ts';
import { reportQuery } from '../../src/reports/filters.ts';
import * as reports from '../../src/reports/queries.ts';
import { createUser } from '../fixtures/builders.ts';
import { buildTestApp, createTestDatabase } from '../helper.ts';
import { buildWorld } from './world.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);
const world = await buildWorld(app, db);

const policy = { feedbackCommentsMonths: 24, auditMonths: 24, inactiveAccountMonths: 24, signInAttemptsDays: 90 };
const now = new Date();
const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);
const MONTHS_25 = 25 * 31;
const MONTHS_23 = 23 * 30;

async function figures() {
  const filters = reportQuery(now).parse({ ...world.period });
  return Promise.all((['total', 'pcn', 'organisation', 'category'] as const).map((d) => reports.funnelBy(db, filters, d)));
}

t.test('the retention periods come from the environment, with defaults', async (t) => {
  const defaults = loadConfig({ DATA_DIR: './data-test' });
  t.same(defaults.retention, policy);
  t.same(defaults.twoStepRequiredRoles, ['coordinator'], 'two-step sign-in is required of coordinators by default');
  const set = loadConfig({
    DATA_DIR: './data-test',
    RETENTION_FEEDBACK_COMMENTS_MONTHS: '12',
    RETENTION_AUDIT_MONTHS: '36',
    RETENTION_INACTIVE_ACCOUNT_MONTHS: '18',
    RETENTION_SIGN_IN_ATTEMPTS_DAYS: '30',
    TWO_STEP_REQUIRED_ROLES: 'coordinator, provider',
  });
  t.same(set.retention, { feedbackCommentsMonths: 12, auditMonths: 36, inactiveAccountMonths: 18, signInAttemptsDays: 30 });
  t.same(set.twoStepRequiredRoles, ['coordinator', 'provider']);
  const refusal = (environment: Record<string, string>) => {
    try {
      loadConfig({ DATA_DIR: './data-test', ...environment });
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    return 'no error';
  };
  t.equal(refusal({ RETENTION_AUDIT_MONTHS: '0' }), 'Configuration error: RETENTION_AUDIT_MONTHS must be a whole number from 1 to 120');
  t.equal(refusal({ RETENTION_SIGN_IN_ATTEMPTS_DAYS: 'ninety' }), 'Configuration error: RETENTION_SIGN_IN_ATTEMPTS_DAYS must be a whole number from 1 to 3650');
  t.equal(refusal({ TWO_STEP_REQUIRED_ROLES: 'provider' }), 'Configuration error: TWO_STEP_REQUIRED_ROLES must include coordinator');
  t.equal(
    refusal({ TWO_STEP_REQUIRED_ROLES: 'coordinator,admin' }),
    'Configuration error: TWO_STEP_REQUIRED_ROLES must be a comma-separated list of provider, link_worker, coordinator',
  );
});

t.test('data past its period is removed or anonymised; everything else, and every report figure, stays', async (t) => {
  // Old and recent, side by side.
  await sql`update feedback set submitted_at = ${ago(MONTHS_25)} where booking_id = ${world.bookings.attended.id}`.execute(db);
  await sql`update missed_session_reasons set created_at = ${ago(MONTHS_25)} where booking_id = ${world.bookings.missed.id}`.execute(db);
  await sql`insert into audit_events (occurred_at, action, details) values (${ago(MONTHS_25)}, 'old_entry', '{}'), (${ago(MONTHS_23)}, 'recent_entry', '{}')`.execute(
    db,
  );
  await sql`insert into sign_in_attempts (email, address, succeeded, attempted_at) values ('old@nhs.net', '192.0.2.1', false, ${ago(91)}), ('recent@nhs.net', '192.0.2.1', false, ${ago(89)})`.execute(
    db,
  );
  await sql`insert into outbox_messages (dedupe_key, kind, recipient_email, subject, text_body, sent_at) values
    ('old-sent', 'test', 'a@nhs.net', 'Old', 'Old', ${ago(MONTHS_25)}), ('recent-sent', 'test', 'a@nhs.net', 'Recent', 'Recent', ${ago(MONTHS_23)}),
    ('never-sent', 'test', 'a@nhs.net', 'Unsent', 'Unsent', null)`.execute(db);
  await sql`insert into login_sessions (id_hash, data, idle_expires_at, absolute_expires_at) values ('expired-session', '{}', ${ago(1)}, ${ago(-1)})`.execute(
    db,
  );
  await sql`insert into account_links (purpose, token_hash, email, expires_at) values ('invitation', 'old-link', 'invited@nhs.net', ${ago(31)}), ('invitation', 'recent-link', 'invited2@nhs.net', ${ago(29)})`.execute(
    db,
  );
  await sql`insert into account_requests (kind, email, created_at) values ('password_reset', 'stale@nhs.net', ${ago(8)}), ('password_reset', 'waiting@nhs.net', ${ago(6)})`.execute(
    db,
  );
  const dormant = await createUser(db, 'link_worker', { name: 'Dora Dormant', practice: 'Dormant Practice' });
  await sql`update users set last_signed_in_at = ${ago(MONTHS_25)}, created_at = ${ago(MONTHS_25 * 2)} where id = ${dormant.id}`.execute(db);
  const neverUsed = await createUser(db, 'provider', { name: 'Neville Neverused' });
  await sql`update users set last_signed_in_at = null, created_at = ${ago(MONTHS_25)} where id = ${neverUsed.id}`.execute(db);
  const recentlyUsed = await createUser(db, 'link_worker', { name: 'Rita Recent' });
  await sql`update users set last_signed_in_at = ${ago(MONTHS_23)}, created_at = ${ago(MONTHS_25 * 2)} where id = ${recentlyUsed.id}`.execute(db);
  // Every coordinator dormant: all but one are erased, so someone can still run the service.
  await sql`update users set last_signed_in_at = ${ago(MONTHS_25)}, created_at = ${ago(MONTHS_25)} where role = 'coordinator'`.execute(db);
  const coordinatorsBefore = await db.selectFrom('users').select('id').where('role', '=', 'coordinator').where('status', '=', 'active').execute();
  t.ok(coordinatorsBefore.length >= 2);
  const before = await figures();

  const result = await applyRetention(db, now, policy);
  t.match(result, {
    feedbackCommentsRemoved: 1,
    missedSessionDetailsRemoved: 1,
    auditEntriesDeleted: 1,
    sentMessagesDeleted: 1,
    signInAttemptsDeleted: 1,
    expiredSessionsDeleted: 1,
    oldLinksDeleted: 1,
    staleAccountRequestsDeleted: 1,
    accountsErased: 2 + coordinatorsBefore.length - 1,
  });

  const old = await db
    .selectFrom('feedback')
    .select(['comments', 'referringEasier', 'rating'])
    .where('bookingId', '=', world.bookings.attended.id)
    .executeTakeFirstOrThrow();
  t.same(old, { comments: null, referringEasier: null, rating: 5 }, 'old comments removed, scores kept');
  t.ok(await db.selectFrom('feedback').select('comments').where('comments', 'like', 'Priya%').executeTakeFirst(), 'recent comments kept');
  const missed = await db
    .selectFrom('missedSessionReasons')
    .select(['reason', 'details'])
    .where('bookingId', '=', world.bookings.missed.id)
    .executeTakeFirstOrThrow();
  t.same(missed, { reason: 'work', details: null }, 'the reason stays, the words go');
  const actions = (await db.selectFrom('auditEvents').select('action').execute()).map((a) => a.action);
  t.notOk(actions.includes('old_entry'), 'old audit entries deleted');
  t.ok(actions.includes('recent_entry'), 'recent audit entries kept');
  const attempts = (await db.selectFrom('signInAttempts').select('email').execute()).map((a) => a.email);
  t.notOk(attempts.includes('old@nhs.net'));
  t.ok(attempts.includes('recent@nhs.net'));
  const messages = (await db.selectFrom('outboxMessages').select('dedupeKey').execute()).map((m) => m.dedupeKey);
  t.notOk(messages.includes('old-sent'), 'old sent emails deleted');
  t.ok(messages.includes('recent-sent') && messages.includes('never-sent'), 'recent and unsent emails kept');
  const links = (await db.selectFrom('accountLinks').select('tokenHash').execute()).map((l) => l.tokenHash);
  t.notOk(links.includes('old-link'));
  t.ok(links.includes('recent-link'));
  const requests = (await db.selectFrom('accountRequests').select('email').execute()).map((r) => r.email);
  t.same(
    requests.filter((e) => e.endsWith('@nhs.net') && ['stale@nhs.net', 'waiting@nhs.net'].includes(e)),
    ['waiting@nhs.net'],
    'an account request the job never handled goes after a week',
  );
  t.notOk(await db.selectFrom('loginSessions').select('idHash').where('idHash', '=', 'expired-session').executeTakeFirst());

  const names = async (id: string) => await db.selectFrom('users').select(['name', 'erasedAt']).where('id', '=', id).executeTakeFirstOrThrow();
  t.match(await names(dormant.id), { name: 'Erased person' }, 'an account unused for 25 months is erased');
  t.match(await names(neverUsed.id), { name: 'Erased person' }, 'an account never used in 25 months is erased');
  t.match(await names(recentlyUsed.id), { name: 'Rita Recent', erasedAt: null }, 'an account used 23 months ago stays');
  const coordinatorsAfter = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'coordinator')
    .where('status', '=', 'active')
    .where('erasedAt', 'is', null)
    .execute();
  t.equal(coordinatorsAfter.length, 1, 'the last active coordinator is kept');
  const erasures = await db.selectFrom('auditEvents').select(['actorId']).where('action', '=', 'person_erased').execute();
  t.ok(erasures.length >= 2 && erasures.every((e) => e.actorId === null), 'erasures by the retention job are audited, with no person as the actor');
  t.same(await figures(), before, 'every report figure is the same');

  const second = await applyRetention(db, now, policy);
  t.same(
    second,
    {
      feedbackCommentsRemoved: 0,
      missedSessionDetailsRemoved: 0,
      auditEntriesDeleted: 0,
      sentMessagesDeleted: 0,
      accountsErased: 0,
      signInAttemptsDeleted: 0,
      expiredSessionsDeleted: 0,
      oldLinksDeleted: 0,
      staleAccountRequestsDeleted: 0,
      dayNeedsRemoved: 0,
    },
    'running it again changes nothing',
  );
});
