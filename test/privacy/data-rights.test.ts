import t from 'tap';
import { reportQuery } from '../../src/reports/filters.ts';
import * as reports from '../../src/reports/queries.ts';
import { PASSWORD } from '../fixtures/builders.ts';
import { everyRecordEndsWithCrlf } from '../fixtures/csv.ts';
import { buildTestApp, createTestDatabase, errorSummary, heading, Visitor } from '../helper.ts';
import { allTables, buildWorld, findText, rowsMentioning } from './world.ts';

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database);
const world = await buildWorld(app, db);
const { subject } = world;

const coordinator = new Visitor(app);
await coordinator.signIn(world.coordinator.email, PASSWORD);

// Where each table's rows about a person appear in the download. A table that can hold rows about
// a person but has no entry here fails the test: add it to the download, then here.
const sectionFor: Record<string, string> = {
  users: 'account',
  bookings: 'bookings',
  feedback: 'feedback',
  missed_session_reasons: 'missedSessionAnswers',
  referral_reports: 'referralReports',
  audit_events: 'auditEntries',
  sign_in_attempts: 'signInAttempts',
  login_sessions: 'loginSessions',
  account_links: 'accountLinks',
  outbox_messages: 'messages',
  calendar_feeds: 'calendarFeed',
  sign_in_identities: 'signInProviders',
  two_step_credentials: 'twoStep',
  message_preferences: 'message_preferences.user_id',
};
// Summarised rather than listed: the codes themselves are secrets.
const summarised = new Set(['two_step_recovery_codes']);

type Download = { exportedAt: string; personId: string; sections: Record<string, { title: string; rows: Array<Record<string, unknown>> }> };

t.test('a person downloads everything held about them, from every table, as JSON', async (t) => {
  // Counted before the download, which adds an entry of its own to the audit trail.
  const bookingIds = Object.values(world.bookings).map((b) => b.id);
  const mentions = [subject.id, subject.email, ...bookingIds];
  const counts = new Map<string, number>();
  for (const table of await allTables(db)) {
    // Emails to other people that name them are those people's mail: the download has the person's own.
    const count =
      table === 'outbox_messages'
        ? await rowsMentioning(db, table, mentions.slice(0, 2), ['recipient_id', 'recipient_email'])
        : await rowsMentioning(db, table, mentions);
    if (count > 0) counts.set(table, count);
  }

  const response = await world.visitor.get('/account/data.json');
  t.equal(response.statusCode, 200);
  t.match(String(response.headers['content-type']), /^application\/json/);
  t.match(String(response.headers['content-disposition']), /^attachment; filename="tasters-personal-data-[a-z0-9-]+\.json"$/);
  t.equal(response.headers['cache-control'], 'no-store');
  const download = JSON.parse(response.body) as Download;
  t.equal(download.personId, subject.id);

  const tablesWithData = [...counts.keys()];
  for (const [table, count] of counts) {
    if (summarised.has(table)) continue;
    const section = sectionFor[table];
    if (!section) {
      t.fail(`${table} holds ${count} rows about the person but is not in the download`);
      continue;
    }
    t.equal(download.sections[section]?.rows.length, count, `${table}: all ${count} rows in "${section}"`);
  }
  for (const expected of [
    'users',
    'bookings',
    'feedback',
    'missed_session_reasons',
    'referral_reports',
    'audit_events',
    'sign_in_attempts',
    'login_sessions',
    'account_links',
    'outbox_messages',
    'calendar_feeds',
    'sign_in_identities',
    'two_step_credentials',
    'two_step_recovery_codes',
    'message_preferences',
  ]) {
    t.ok(tablesWithData.includes(expected), `the person really has data in ${expected}`);
  }

  const account = download.sections.account!.rows[0]!;
  t.match(account, { name: 'Zebedee Quartermaine', email: subject.email, practice: 'Marlowe Road Surgery', pcn: 'Riverside PCN', role: 'link_worker' });
  t.same(
    download.sections.twoStep!.rows.map((r) => r.recoveryCodesLeft),
    [10],
    'two-step: on, with the count of recovery codes left',
  );
  t.same(download.sections.bookings!.rows.map((r) => r.status).sort(), ['cancelled', 'confirmed', 'confirmed', 'confirmed']);
  t.match(download.sections.feedback!.rows[0], { rating: 5, comments: /lovely group/ });
  t.match(download.sections.missedSessionAnswers!.rows[0], { reason: 'work', details: /overran/ });
  t.match(download.sections.referralReports!.rows[0], { offer: 'Singing for wellbeing', referralCount: 3 });
  const actions = download.sections.auditEntries!.rows.map((r) => r.action);
  for (const action of ['invitation_created', 'booking_created', 'role_changed', 'signed_in', 'two_step_enabled'])
    t.ok(actions.includes(action), `audit: ${action}`);

  // Secrets are never part of a download.
  const hash = await db.selectFrom('users').select('passwordHash').where('id', '=', subject.id).executeTakeFirstOrThrow();
  const credential = await db.selectFrom('twoStepCredentials').select('secretEncrypted').where('userId', '=', subject.id).executeTakeFirstOrThrow();
  const codes = await db.selectFrom('twoStepRecoveryCodes').select('codeHash').where('userId', '=', subject.id).execute();
  const feed = await db.selectFrom('calendarFeeds').select('tokenHash').where('userId', '=', subject.id).executeTakeFirstOrThrow();
  const session = await db.selectFrom('loginSessions').select('idHash').where('userId', '=', subject.id).executeTakeFirstOrThrow();
  for (const [what, secret] of [
    ['password hash', hash.passwordHash!],
    ['two-step secret', credential.secretEncrypted],
    ['recovery code hash', codes[0]!.codeHash],
    ['calendar token hash', feed.tokenHash],
    ['session id hash', session.idHash],
  ] as const) {
    t.notOk(response.body.includes(secret), `no ${what}`);
  }
  t.notMatch(response.body, /passwordHash|secretEncrypted|codeHash|tokenHash|idHash/);
});

t.test('the same download as a CSV: one value a line, formulas neutralised', async (t) => {
  const response = await world.visitor.get('/account/data.csv');
  t.equal(response.statusCode, 200);
  t.match(String(response.headers['content-type']), /^text\/csv/);
  t.match(String(response.headers['content-disposition']), /^attachment; filename="tasters-personal-data-[a-z0-9-]+\.csv"$/);
  t.equal(response.headers['cache-control'], 'no-store');
  t.ok(everyRecordEndsWithCrlf(response.body), 'every record ends with CRLF');
  const lines = response.body.replace(/^\uFEFF/, '').split(/\r?\n/);
  t.equal(lines[0], 'Section,Record,Field,Value');
  for (const title of [
    'Your account',
    'Bookings and attendance',
    'Feedback',
    'Referral reports',
    'Audit trail entries by you or about you',
    'Sign-in attempts with your email address',
    'Emails sent to you',
  ]) {
    t.ok(
      lines.some((l) => l.startsWith(`${title},`)),
      `a section for ${title}`,
    );
  }
  t.ok(
    lines.some((l) => l.includes(subject.email)),
    'their email address',
  );
  t.ok(
    lines.some((l) => l.startsWith('Your account,1,practice,Marlowe Road Surgery')),
    'their practice',
  );
  t.notOk(
    lines.some((l) => /,=HYPERLINK/.test(l)),
    'no cell starts with a formula',
  );
  t.ok(
    lines.some((l) => l.includes('Zebedee Quartermaine says')),
    'their comments',
  );
});

t.test('a coordinator downloads the same for a person who asks, and it is audited', async (t) => {
  const page = await coordinator.get(`/people/${subject.id}/data`);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Data held about Zebedee Quartermaine');
  // The coordinator reads about someone else: no "you" that would mean the coordinator.
  t.notMatch(page.body, /Your account|by you or about you|with your email address|sent to you|you missed/);
  t.match(page.body, 'Their account');
  t.match(page.body, 'Audit trail entries by them or about them');
  t.match(page.body, new RegExp(`href="/people/${subject.id}/data.csv"`));
  const own = JSON.parse((await world.visitor.get('/account/data.json')).body) as Download;
  const response = await coordinator.get(`/people/${subject.id}/data.json`);
  t.equal(response.statusCode, 200);
  t.equal(response.headers['cache-control'], 'no-store');
  const theirs = JSON.parse(response.body) as Download;
  t.same(Object.keys(theirs.sections), Object.keys(own.sections), 'the same sections');
  t.same(theirs.sections.bookings, own.sections.bookings);
  const audited = await db
    .selectFrom('auditEvents')
    .selectAll()
    .where('action', '=', 'personal_data_downloaded')
    .where('subjectId', '=', subject.id)
    .where('actorId', '=', world.coordinator.id)
    .execute();
  t.equal(audited.length, 1, 'the download is in the audit trail');
  const csv = await coordinator.get(`/people/${subject.id}/data.csv`);
  t.equal(csv.statusCode, 200);
  t.ok(everyRecordEndsWithCrlf(csv.body), 'every record ends with CRLF');
  t.equal((await world.visitor.get(`/people/${subject.id}/data.json`)).statusCode, 403, 'a link worker cannot use the coordinator route');
});

async function reportFigures() {
  const filters = reportQuery(new Date()).parse({ ...world.period });
  const figures: Record<string, unknown> = {};
  for (const dimension of ['total', 'month', 'organisation', 'category', 'offer', 'pcn'] as const) {
    figures[dimension] = await reports.funnelBy(db, filters, dimension);
    figures[`${dimension}-riverside`] = await reports.funnelBy(db, { ...filters, pcn: 'Riverside PCN' }, dimension);
  }
  figures.referrals = await reports.referralsRecordedSincePeriodStart(db, filters);
  figures.pcnsWithout = await reports.pcnsWithoutAttendance(db, filters);
  figures.categories = await reports.categoriesWithSessions(db, filters);
  figures.choices = await reports.filterChoices(db);
  figures.providerSessions = await reports.sessionAttendance(db, world.museum.id, new Date());
  figures.providerReferrals = await reports.referralsToOffers(db, world.museum.id);
  return figures;
}

async function reportPage() {
  const response = await coordinator.get(`/reports?from=${world.period.from}&to=${world.period.to}`);
  return response.body.replace(/name="_csrf" value="[^"]*"/g, '').replace(/"x-csrf-token": "[^"]*"/g, '');
}

t.test('erasing a person: confirmation first, then no trace of who they were, and every report figure the same', async (t) => {
  const figuresBefore = await reportFigures();
  const pageBefore = await reportPage();
  t.match(pageBefore, /Riverside PCN/);
  const colleagueBefore = await db.selectFrom('users').selectAll().where('id', '=', world.colleague.id).executeTakeFirstOrThrow();
  const bookingsBefore = await db.selectFrom('bookings').select(['id', 'status', 'attendance', 'userId']).orderBy('id').execute();

  const confirm = await coordinator.get(`/people/${subject.id}/erase`);
  t.equal(confirm.statusCode, 200);
  t.equal(heading(confirm.body), 'Erase Zebedee Quartermaine?');
  const unconfirmed = await coordinator.post(`/people/${subject.id}/erase`, {});
  t.equal(unconfirmed.statusCode, 400);
  t.match(unconfirmed.body, /<title>Error: /);
  t.same(errorSummary(unconfirmed.body), [
    'confirm: Confirm that this person asked for their data to be erased, and that you have downloaded it if they want a copy',
  ]);
  t.equal((await world.visitor.get('/account')).statusCode, 200, 'nothing happened yet');

  const done = await coordinator.post(`/people/${subject.id}/erase`, { confirm: 'yes' });
  t.equal(done.statusCode, 200);
  t.equal(heading(done.body), 'Their data has been erased');
  t.notMatch(done.body, /Let them know/, 'no suggestion to contact someone whose address is gone');
  const people = await coordinator.get('/people');
  t.notMatch(people.body, 'Erased person', 'not listed among the people with an account');
  t.notMatch(people.body, '@invalid');
  t.match(people.body, '1 erased person is not listed.');

  t.equal((await world.visitor.get('/account')).statusCode, 302, 'their session has ended');
  for (const trace of ['Zebedee', 'Quartermaine', subject.email, 'Marlowe Road Surgery']) {
    t.same(await findText(db, trace), [], `no "${trace}" anywhere in the database`);
  }
  const again = await new Visitor(app).post('/sign-in', { email: subject.email, password: PASSWORD });
  t.equal(again.statusCode, 400, 'they cannot sign in (checked after the scan: the attempt itself records the address typed)');
  const row = await db.selectFrom('users').selectAll().where('id', '=', subject.id).executeTakeFirstOrThrow();
  t.match(row, { name: 'Erased person', practice: null, passwordHash: null, status: 'disabled', pcn: 'Riverside PCN', role: 'link_worker' });
  t.match(row.email, /^erased-[0-9a-f-]{36}@invalid$/);
  t.ok(row.erasedAt);
  for (const table of ['loginSessions', 'calendarFeeds', 'twoStepCredentials', 'twoStepRecoveryCodes'] as const) {
    const left = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('userId', '=', subject.id)
      .executeTakeFirstOrThrow();
    t.equal(Number(left.n), 0, `${table}: none left`);
  }
  const addresses = await db.selectFrom('auditEvents').select('address').where('actorId', '=', subject.id).where('action', '<>', 'person_erased').execute();
  t.ok(addresses.length > 0 && addresses.every((a) => a.address === null), 'their network addresses are gone from the audit trail');
  const erasure = await db
    .selectFrom('auditEvents')
    .selectAll()
    .where('action', '=', 'person_erased')
    .where('subjectId', '=', subject.id)
    .executeTakeFirstOrThrow();
  t.equal(erasure.actorId, world.coordinator.id, 'the erasure itself is audited');

  t.same(
    await db.selectFrom('bookings').select(['id', 'status', 'attendance', 'userId']).orderBy('id').execute(),
    bookingsBefore,
    'every booking stays, as an anonymous row',
  );
  const theirFeedback = await db
    .selectFrom('feedback')
    .select(['rating', 'comments', 'referringEasier'])
    .where('bookingId', '=', world.bookings.attended.id)
    .executeTakeFirstOrThrow();
  t.same(theirFeedback, { rating: 5, comments: null, referringEasier: null }, 'feedback scores stay; the words go');
  t.same(await reportFigures(), figuresBefore, 'every report figure is the same');
  t.equal(await reportPage(), pageBefore, 'the report page is the same');

  t.same(
    await db.selectFrom('users').selectAll().where('id', '=', world.colleague.id).executeTakeFirstOrThrow(),
    colleagueBefore,
    "a colleague's account is untouched",
  );
  t.ok((await findText(db, 'Priya thought it was great')).length > 0, "a colleague's comments stay");
  const providerMessage = await db
    .selectFrom('outboxMessages')
    .select(['subject', 'textBody'])
    .where('recipientId', '=', world.provider.id)
    .executeTakeFirstOrThrow();
  t.equal(providerMessage.subject, 'Erased person booked Singing for wellbeing', 'a message to someone else keeps its sense without the name');
  t.match(providerMessage.textBody, /Also booked: Priya Colleague/);

  const person = await coordinator.get(`/people/${subject.id}`);
  t.equal(heading(person.body), 'Erased person');
  t.notMatch(person.body, /Disable account|Enable account|Change role/, 'no actions on an erased person');
  const list = await coordinator.get('/people');
  t.notMatch(list.body, /Zebedee/);

  // The buttons are gone, but a stale page or a crafted post must not bring the account back.
  const erasedRow = () => db.selectFrom('users').select(['status', 'role', 'organisationId']).where('id', '=', subject.id).executeTakeFirstOrThrow();
  const before = await erasedRow();
  const enable = await coordinator.post(`/people/${subject.id}/enable`, {});
  t.equal(enable.statusCode, 400);
  t.match(enable.body, /their account cannot be enabled again/);
  const role = await coordinator.post(`/people/${subject.id}/role`, { role: 'coordinator' });
  t.equal(role.statusCode, 400);
  t.match(role.body, /their account cannot be used again/);
  t.same(await erasedRow(), before, 'the erased account stays as it was');
});

t.test('what cannot be erased: twice, yourself, the only active coordinator', async (t) => {
  const twice = await coordinator.post(`/people/${subject.id}/erase`, { confirm: 'yes' });
  t.equal(twice.statusCode, 409);
  t.equal((await coordinator.get(`/people/${subject.id}/erase`)).statusCode, 409);
  const self = await coordinator.post(`/people/${world.coordinator.id}/erase`, { confirm: 'yes' });
  t.equal(self.statusCode, 409);
  t.match(self.body, /You cannot erase your own account/);
  t.equal((await coordinator.post(`/people/${world.secondCoordinator.id}/erase`, { confirm: 'yes' })).statusCode, 200, 'another coordinator can be');
  const second = new Visitor(app);
  await db.updateTable('users').set({ status: 'active' }).where('id', '=', world.coordinator.id).execute();
  const activeCoordinators = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'coordinator')
    .where('status', '=', 'active')
    .where('erasedAt', 'is', null)
    .execute();
  t.same(
    activeCoordinators.map((c) => c.id),
    [world.coordinator.id],
    'one active coordinator left',
  );
  await second.signIn(world.provider.email, PASSWORD);
  t.equal((await second.post(`/people/${world.coordinator.id}/erase`, { confirm: 'yes' })).statusCode, 403, 'provider staff cannot erase anyone');
  t.equal((await coordinator.post(`/people/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/erase`, { confirm: 'yes' })).statusCode, 404);
});
