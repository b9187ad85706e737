import t from 'tap';
import { queueDigests, queueFeedbackRequests, queueReferralPrompts, queueReminders, type ScheduleContext } from '../../src/delivery/scheduled.ts';
import { deliverMessage } from '../../src/delivery/worker.ts';
import { smtpMailer } from '../../src/messages/mailer.ts';
import type { OptionalMessage } from '../../src/preferences/schemas.ts';
import { getPreferences } from '../../src/preferences/service.ts';
import { readUnsubscribeToken, unsubscribePath } from '../../src/preferences/unsubscribe.ts';
import { erasePerson } from '../../src/privacy/erase.ts';
import { runAccountRequests } from '../fixtures/accounts.ts';
import { createBooking, createTaster, createUser, type TestUser } from '../fixtures/builders.ts';
import { databaseDigest } from '../fixtures/database.ts';
import { startSmtp } from '../fixtures/delivery.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, heading, Visitor } from '../helper.ts';

/**
 * RFC 8058 one-click unsubscribe. Every optional email (one a person can switch off under Email
 * choices) carries List-Unsubscribe with a signed link and List-Unsubscribe-Post; required emails
 * carry neither. A POST to the link, as a mail client sends it (no cookie, no CSRF token), switches
 * off that kind of email for that person only; GET only asks; a link changed in any way does nothing.
 */
const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());
const BASE_URL = 'https://tasters.test';
const app = await buildTestApp(t, database, { baseUrl: BASE_URL });
const SECRET = app.config.sessionSecret;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const smtp = await startSmtp(t);
const mailer = smtpMailer({ url: smtp.url, from: 'Tasters <no-reply@tasters.test>', baseUrl: BASE_URL });
t.teardown(() => mailer.close());

/** The headers of a raw message, names in lower case, folded lines unfolded (RFC 5322 2.2.3). */
function headersOf(raw: string): Map<string, string[]> {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string[]>();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return headers;
}

/** Sends every message not yet sent through the delivery worker's own function, to the test SMTP server. */
async function deliverWaiting() {
  const waiting = await db.selectFrom('outboxMessages').select(['id', 'kind', 'recipientId', 'recipientEmail']).where('sentAt', 'is', null).execute();
  const sent = [];
  for (const message of waiting) {
    await deliverMessage(db, mailer, message.id);
    const mail = smtp.accepted.find((m) => m.messageId === `<${message.id}@tasters.test>`);
    if (!mail) throw new Error(`message ${message.id} did not arrive`);
    sent.push({ ...message, raw: mail.raw, headers: headersOf(mail.raw) });
  }
  return sent;
}

const tokenOf = (url: string) => url.slice(`${BASE_URL}/unsubscribe/`.length);
const signedOut = () => new Visitor(app);
const oneClick = (url: string, body = 'List-Unsubscribe=One-Click', contentType = 'application/x-www-form-urlencoded') =>
  app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload: body });

async function preferenceRows(userId: string) {
  return db.selectFrom('messagePreferences').selectAll().where('userId', '=', userId).execute();
}

const optionalKinds: Record<string, OptionalMessage> = {
  reminder: 'reminders',
  feedback_request: 'feedbackRequests',
  referral_prompt: 'referralPrompts',
  digest: 'digests',
};

let linkWorker: TestUser;
let coordinator: TestUser;
const linkFor = new Map<string, string>();

t.test('each optional email carries List-Unsubscribe and List-Unsubscribe-Post, and its footer links to the same signed address', async (t) => {
  const now = new Date();
  const context: ScheduleContext = { db, baseUrl: BASE_URL, secret: SECRET, now };
  linkWorker = await createUser(db, 'link_worker', { name: 'Lin Worker' });
  coordinator = await createUser(db, 'coordinator', { name: 'Cora Ordinator' });
  // Tomorrow's taster (a reminder, and places left for the digest), one just ended (feedback), one four weeks ago (a referral question).
  const tomorrowAt = new Date(now.getTime() + 20 * HOUR);
  const tomorrow = await createTaster(db, { title: 'Pottery', startsAt: tomorrowAt, bookingClosesAt: new Date(now.getTime() + HOUR) });
  await createBooking(db, tomorrow.sessionId, linkWorker.id, { confirmedAt: new Date(now.getTime() - 7 * DAY) });
  const justEnded = await createTaster(db, {
    title: 'Singing',
    startsAt: new Date(now.getTime() - 4 * HOUR),
    endsAt: new Date(now.getTime() - 2 * HOUR),
    bookingClosesAt: new Date(now.getTime() - 30 * HOUR),
  });
  await createBooking(db, justEnded.sessionId, linkWorker.id, { attendance: 'attended' });
  const monthAgo = await createTaster(db, {
    title: 'Gardening',
    startsAt: new Date(now.getTime() - 29 * DAY - 2 * HOUR),
    endsAt: new Date(now.getTime() - 29 * DAY),
    bookingClosesAt: new Date(now.getTime() - 31 * DAY),
  });
  await createBooking(db, monthAgo.sessionId, linkWorker.id, { attendance: 'attended' });

  t.equal(await queueReminders({ ...context, now: new Date(tomorrowAt.getTime() - HOUR) }), 1);
  t.equal(await queueFeedbackRequests(context), 1);
  t.equal(await queueReferralPrompts(context), 1);
  t.equal(await queueDigests(context), 1);

  const sent = await deliverWaiting();
  t.same(sent.map((m) => m.kind).sort(), Object.keys(optionalKinds).sort(), 'one of each optional kind');
  for (const message of sent) {
    const choice = optionalKinds[message.kind]!;
    const recipient = message.kind === 'digest' ? coordinator : linkWorker;
    const listUnsubscribe = message.headers.get('list-unsubscribe') ?? [];
    t.equal(listUnsubscribe.length, 1, `${message.kind}: one List-Unsubscribe header`);
    const [, url] = /^<(https:\/\/tasters\.test\/unsubscribe\/[^>]+)>$/.exec(listUnsubscribe[0] ?? '') ?? [];
    t.ok(url, `${message.kind}: the header is an https address in angle brackets (${listUnsubscribe[0]})`);
    t.same(message.headers.get('list-unsubscribe-post'), ['List-Unsubscribe=One-Click'], `${message.kind}: one-click (RFC 8058)`);
    t.same(readUnsubscribeToken(SECRET, tokenOf(url!)), { userId: recipient.id, choice }, `${message.kind}: the link names the person and the kind`);
    t.equal(url, `${BASE_URL}${unsubscribePath(SECRET, recipient.id, choice)}`);
    const row = await db.selectFrom('outboxMessages').select(['textBody', 'htmlBody']).where('id', '=', message.id).executeTakeFirstOrThrow();
    t.ok(row.textBody!.includes(url!), `${message.kind}: the plain-text footer has the same link`);
    t.ok(row.htmlBody!.includes(`href="${url}"`), `${message.kind}: the HTML footer has the same link`);
    t.match(row.textBody!, /Stop getting /, `${message.kind}: the footer says what the link does`);
    linkFor.set(message.kind, url!);
  }
});

t.test('required emails carry no List-Unsubscribe', async (t) => {
  const before = new Set((await db.selectFrom('outboxMessages').select('id').execute()).map((m) => m.id));
  const taster = await createTaster(db, { title: 'Printmaking', startsAt: new Date(Date.now() + 5 * DAY), capacity: 5 });
  const booker = await signedIn(app, db, 'link_worker');
  const booked = await booker.visitor.post(`/sessions/${taster.sessionId}/book`, {});
  t.equal(booked.statusCode, 303, 'booked');
  const bookingId = String(booked.headers.location).split('/').pop()!;
  t.equal((await booker.visitor.post(`/bookings/${bookingId}/cancel`, {})).statusCode, 303, 'cancelled');
  const other = await signedIn(app, db, 'link_worker');
  t.equal((await other.visitor.post(`/sessions/${taster.sessionId}/book`, {})).statusCode, 303, 'another booking');
  const staff = await signedIn(app, db, 'provider', { organisationId: taster.organisationId });
  t.equal((await staff.visitor.post(`/sessions/${taster.sessionId}/cancel`, { reason: 'The tutor is ill' })).statusCode, 303, 'session cancelled');
  const boss = await signedIn(app, db, 'coordinator');
  t.equal(heading((await boss.visitor.post('/people/invite', { email: 'new-person@nhs.net', role: 'link_worker' })).body), 'Invitation created');
  const visitor = signedOut();
  await visitor.post('/reset-password', { email: linkWorker.email });
  await visitor.post('/sign-in/email-link', { email: other.user.email });
  await visitor.post('/register', {
    name: 'New Link Worker',
    email: 'registering@nhs.net',
    practice: 'A practice',
    pcn: 'A PCN',
    password: 'a long enough password',
    confirmPassword: 'a long enough password',
  });
  await runAccountRequests(db, BASE_URL);

  const sent = (await deliverWaiting()).filter((m) => !before.has(m.id));
  const kinds = new Set(sent.map((m) => m.kind));
  for (const kind of ['booking_confirmed', 'booking_cancelled', 'session_cancelled', 'invitation', 'password_reset', 'sign_in_link', 'email_confirmation']) {
    t.ok(kinds.has(kind), `a ${kind} email was sent`);
  }
  for (const message of sent) {
    t.notOk(message.kind in optionalKinds, `${message.kind} is a required email`);
    t.notOk(message.headers.has('list-unsubscribe'), `${message.kind}: no List-Unsubscribe`);
    t.notOk(message.headers.has('list-unsubscribe-post'), `${message.kind}: no List-Unsubscribe-Post`);
    t.notMatch(message.raw, /\/unsubscribe\//, `${message.kind}: no unsubscribe link anywhere`);
  }
});

t.test('GET shows the confirmation page and changes nothing', async (t) => {
  const before = await databaseDigest(db);
  const page = await signedOut().get(linkFor.get('reminder')!.slice(BASE_URL.length));
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Stop getting reminders?');
  t.match(page.body, /<form method="post" action="\/unsubscribe\/[^"]+">/, 'a button that posts to the same link');
  t.equal(page.headers['cache-control'], 'no-store');
  t.notOk(page.headers['set-cookie'], 'no cookie set');
  t.same(await databaseDigest(db), before, 'nothing changed');
});

t.test('the one-click POST, without cookie or CSRF token, switches that kind off for that person only, and is audited', async (t) => {
  const other = await createUser(db, 'link_worker');
  const response = await oneClick(linkFor.get('feedback_request')!.slice(BASE_URL.length));
  t.equal(response.statusCode, 200);
  t.equal(heading(response.body), 'You will no longer get feedback requests');
  t.match(response.body, /href="\/account\/preferences"/, 'a link to manage all email choices');
  t.notOk(response.headers['set-cookie'], 'no cookie set');
  t.same(
    await getPreferences(db, linkWorker.id),
    { reminders: true, feedbackRequests: false, referralPrompts: true, digests: true },
    'only feedback requests are off',
  );
  t.same(await getPreferences(db, other.id), { reminders: true, feedbackRequests: true, referralPrompts: true, digests: true }, 'nobody else changed');
  const audit = await db.selectFrom('auditEvents').select(['actorId', 'subjectId', 'details']).where('action', '=', 'message_preferences_changed').execute();
  t.same(
    audit,
    [{ actorId: linkWorker.id, subjectId: linkWorker.id, details: { feedbackRequests: false, via: 'email_link' } }],
    'audited as the person, from the email link',
  );

  const again = await oneClick(linkFor.get('feedback_request')!.slice(BASE_URL.length));
  t.equal(again.statusCode, 200, 'a second click says the same');
  t.equal((await db.selectFrom('auditEvents').select('id').where('action', '=', 'message_preferences_changed').execute()).length, 1, 'and records nothing new');

  const multipart = await oneClick(
    linkFor.get('digest')!.slice(BASE_URL.length),
    '--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--\r\n',
    'multipart/form-data; boundary=b',
  );
  t.equal(multipart.statusCode, 200, 'the one-click body may also come as multipart/form-data (RFC 8058)');
  t.equal((await getPreferences(db, coordinator.id)).digests, false, 'the coordinator’s digest is off');
});

t.test('the confirmation page’s button does the same', async (t) => {
  const path = linkFor.get('referral_prompt')!.slice(BASE_URL.length);
  const visitor = signedOut();
  await visitor.get(path);
  const done = await visitor.post(path, {}, { csrf: false });
  t.equal(done.statusCode, 200);
  t.equal(heading(done.body), 'You will no longer get referral questions');
  t.equal((await getPreferences(db, linkWorker.id)).referralPrompts, false);
  t.equal((await getPreferences(db, linkWorker.id)).reminders, true, 'reminders still on');
});

t.test('a link changed in any way does nothing', async (t) => {
  const path = linkFor.get('reminder')!.slice(BASE_URL.length);
  const token = path.slice('/unsubscribe/'.length);
  const [userId, choice, signature] = token.split('.') as [string, string, string];
  const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
  const stranger = await createUser(db, 'link_worker');
  const tampered = {
    'a character of the signature changed': `${userId}.${choice}.${flip(signature, 5)}`,
    'another kind of email': `${userId}.digests.${signature}`,
    'another person': `${stranger.id}.${choice}.${signature}`,
    'no signature': `${userId}.${choice}`,
    'signed with another secret': unsubscribePath('another-secret-that-is-long-enough-to-sign', userId, 'reminders').slice('/unsubscribe/'.length),
    'a made-up token': 'x'.repeat(43),
  };
  const before = await databaseDigest(db);
  for (const [what, bad] of Object.entries(tampered)) {
    const page = await signedOut().get(`/unsubscribe/${bad}`);
    t.equal(page.statusCode, 404, `${what}: GET is not found`);
    t.equal(heading(page.body), 'This link does not work', `${what}: a page that says so`);
    const post = await oneClick(`/unsubscribe/${bad}`);
    t.equal(post.statusCode, 404, `${what}: POST is not found`);
    t.equal(heading(post.body), 'This link does not work');
  }
  t.same(await databaseDigest(db), before, 'nothing changed');
  t.equal((await getPreferences(db, linkWorker.id)).reminders, true);
  t.same(await preferenceRows(stranger.id), [], 'no choices stored for the stranger');
});

t.test('a link for an erased or unknown person is not found, and stores nothing', async (t) => {
  const gone = await createUser(db, 'link_worker');
  await db.transaction().execute((tx) => erasePerson(tx, { id: coordinator.id }, gone.id));
  const nobody = '00000000-0000-4000-8000-000000000000';
  const before = await databaseDigest(db);
  for (const [what, userId] of [
    ['erased', gone.id],
    ['unknown', nobody],
  ] as const) {
    const path = unsubscribePath(SECRET, userId, 'reminders');
    const page = await signedOut().get(path);
    t.equal(page.statusCode, 404, `${what}: GET is not found`);
    t.equal(heading(page.body), 'This link does not work');
    const post = await oneClick(path);
    t.equal(post.statusCode, 404, `${what}: POST is not found`);
  }
  t.same(await databaseDigest(db), before, 'nothing changed');
  t.same(await preferenceRows(gone.id), [], 'no choices stored for the erased person');
});

t.test('the link is left out of the log', async (t) => {
  const { redactUrl } = await import('../../src/app.ts');
  const path = linkFor.get('reminder')!.slice(BASE_URL.length);
  t.equal(redactUrl(path), '/unsubscribe/[redacted]');
});
