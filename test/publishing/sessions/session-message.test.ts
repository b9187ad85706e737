import t from 'tap';
import { renderPendingMessages } from '../../../src/delivery/render.ts';
import { MESSAGES_PER_SESSION } from '../../../src/publishing/sessions/message-service.ts';
import { createBooking, createOffer, createSession, createUser, createVenue, type TestUser } from '../../fixtures/builders.ts';
import { HOSTILE, HOSTILE_MARKUP } from '../../fixtures/hostile.ts';
import { signedIn } from '../../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, errorSummary, fieldError, heading } from '../../helper.ts';

/** Issue 16, item 5: a provider's message to everyone booked, or everyone waiting, on a session. */
const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;
const app = await buildTestApp(t, database, { baseUrl: 'https://tasters.test' });
const provider = await signedIn(app, db, 'provider');
const organisationId = provider.user.organisationId!;
await db.updateTable('organisations').set({ contactEmail: 'learning@museum.example.org' }).where('id', '=', organisationId).execute();
const venue = await createVenue(db, organisationId, { name: 'The Long Gallery' });
const offer = await createOffer(db, organisationId, { title: 'Printmaking taster' });

async function messagesTo(person: TestUser) {
  await renderPendingMessages(db);
  return db.selectFrom('outboxMessages').selectAll().where('kind', '=', 'session_broadcast').where('recipientId', '=', person.id).execute();
}
const broadcasts = (sessionId: string) => db.selectFrom('sessionBroadcasts').selectAll().where('tasterSessionId', '=', sessionId).execute();

async function sessionWithPeople() {
  const session = await createSession(db, offer.id, { venueId: venue.id, capacity: 2 });
  const booked = [await createUser(db, 'link_worker', { name: 'Ana Booked' }), await createUser(db, 'link_worker', { name: 'Bo Booked' })];
  const waiting = await createUser(db, 'link_worker', { name: 'Cy Waiting' });
  const left = await createUser(db, 'link_worker', { name: 'Di Cancelled' });
  for (const person of booked) await createBooking(db, session.id, person.id);
  await createBooking(db, session.id, waiting.id, { status: 'waitlisted' });
  await createBooking(db, session.id, left.id, { status: 'cancelled' });
  return { session, booked, waiting, left };
}

t.test('a message to everyone booked reaches each of them once, not the waiting list, and is on the history and the audit trail', async (t) => {
  const { session, booked, waiting, left } = await sessionWithPeople();
  const page = await provider.visitor.get(`/sessions/${session.id}/message`);
  t.equal(page.statusCode, 200);
  t.equal(heading(page.body), 'Message the people on this session');
  t.match(page.body, /up to 3 messages about a session in any 24 hours/);
  t.match(page.body, /No messages have been sent/);

  const sent = await provider.visitor.post(`/sessions/${session.id}/message`, {
    audience: 'booked',
    message: 'We are in the Print Room today.\n\nBring an apron.',
  });
  t.equal(sent.statusCode, 303);
  t.equal(sent.headers.location, `/sessions/${session.id}/message?done=message-sent`);
  for (const person of booked) {
    const messages = await messagesTo(person);
    t.equal(messages.length, 1, `${person.name} gets it once`);
    t.match(messages[0]!.subject, /A message from .+ about Printmaking taster/);
    t.match(messages[0]!.textBody, /We are in the Print Room today\.\n\nBring an apron\./);
    t.match(messages[0]!.textBody, /learning@museum\.example\.org/);
    t.match(messages[0]!.textBody, /https:\/\/tasters\.test\/bookings\//);
  }
  t.equal((await messagesTo(waiting)).length, 0, 'not for the waiting list');
  t.equal((await messagesTo(left)).length, 0, 'not for a cancelled booking');

  const stored = await broadcasts(session.id);
  t.equal(stored.length, 1);
  t.same([stored[0]!.audience, stored[0]!.recipients, stored[0]!.sentBy], ['booked', 2, provider.user.id]);
  const audit = await db
    .selectFrom('auditEvents')
    .select(['action', 'actorId'])
    .where('subjectId', '=', session.id)
    .where('action', '=', 'session_message_sent')
    .execute();
  t.equal(audit.length, 1, 'audited');

  const history = await provider.visitor.get(`/sessions/${session.id}`);
  t.match(history.body, /Messages sent/);
  t.match(history.body, /We are in the Print Room today/);
  t.match(history.body, /to everyone booked \(2 people\)/);

  const toWaiting = await provider.visitor.post(`/sessions/${session.id}/message`, { audience: 'waiting', message: 'A place may free up.' });
  t.equal(toWaiting.statusCode, 303);
  t.equal((await messagesTo(waiting)).length, 1, 'the waiting list separately');
  t.equal((await messagesTo(booked[0]!)).length, 1, 'and not those booked');
  t.match((await messagesTo(waiting))[0]!.textBody, /on the waiting list for a taster session/);
});

t.test('the limit per session: the next message is refused with when it can be sent, and nothing is queued', async (t) => {
  const { session, booked } = await sessionWithPeople();
  for (let i = 1; i <= MESSAGES_PER_SESSION; i++) {
    const response = await provider.visitor.post(`/sessions/${session.id}/message`, { audience: i === 2 ? 'waiting' : 'booked', message: `Update ${i}` });
    t.equal(response.statusCode, 303, `message ${i} is sent`);
  }
  const refused = await provider.visitor.post(`/sessions/${session.id}/message`, { audience: 'booked', message: 'One too many' });
  t.equal(refused.statusCode, 400);
  t.match(fieldError(refused.body, 'message'), /^You have sent 3 messages about this session in the last 24 hours\. You can send another from .+/);
  t.match(refused.body, /One too many/, 'what was typed is kept');
  t.equal((await broadcasts(session.id)).length, MESSAGES_PER_SESSION);
  t.equal((await messagesTo(booked[0]!)).length, 2, 'the refused one is not queued');

  // The window moves on: once the oldest is more than a day old, one more may go.
  await db
    .updateTable('sessionBroadcasts')
    .set({ sentAt: new Date(Date.now() - 25 * 3_600_000) } as never)
    .where('tasterSessionId', '=', session.id)
    .where('body', '=', 'Update 1')
    .execute();
  const later = await provider.visitor.post(`/sessions/${session.id}/message`, { audience: 'booked', message: 'A day later' });
  t.equal(later.statusCode, 303);

  const other = await sessionWithPeople();
  const elsewhere = await provider.visitor.post(`/sessions/${other.session.id}/message`, { audience: 'booked', message: 'Another session' });
  t.equal(elsewhere.statusCode, 303, 'the limit is per session');
});

t.test('a message to nobody is refused clearly', async (t) => {
  const session = await createSession(db, offer.id, { venueId: venue.id });
  const refused = await provider.visitor.post(`/sessions/${session.id}/message`, { audience: 'booked', message: 'Hello?' });
  t.equal(refused.statusCode, 400);
  t.equal(fieldError(refused.body, 'audience'), 'Nobody has a place on this session, so there is nobody to send it to');
  const waiting = await provider.visitor.post(`/sessions/${session.id}/message`, { audience: 'waiting', message: 'Hello?' });
  t.equal(fieldError(waiting.body, 'audience'), 'Nobody is on the waiting list, so there is nobody to send it to');
  t.equal((await broadcasts(session.id)).length, 0, 'nothing stored');
  t.equal(
    (await db.selectFrom('auditEvents').select('id').where('subjectId', '=', session.id).where('action', '=', 'session_message_sent').execute()).length,
    0,
  );
});

t.test('missing, too long, malformed and hostile values: a message beside the field, and nothing sent', async (t) => {
  const { session, booked } = await sessionWithPeople();
  const cases: Array<[Record<string, string>, string, string | RegExp]> = [
    [{ audience: 'booked', message: '   ' }, 'message', 'Enter your message'],
    [{ audience: 'booked' }, 'message', 'Enter your message'],
    [{ audience: 'booked', message: 'x'.repeat(2001) }, 'message', 'Your message must be 2,000 characters or fewer'],
    [{ message: 'Hello' }, 'audience', 'Select who the message is for'],
    [{ audience: 'everyone', message: 'Hello' }, 'audience', 'Select who the message is for'],
    [{ audience: 'booked', message: 'a\u0000b' }, 'message', /./],
  ];
  for (const [body, field, message] of cases) {
    const response = await provider.visitor.post(`/sessions/${session.id}/message`, body);
    t.equal(response.statusCode, 400, `${JSON.stringify(body).slice(0, 50)} is refused`);
    t.ok(errorSummary(response.body).length > 0, 'with an error summary');
    if (typeof message === 'string') t.equal(fieldError(response.body, field), message);
    else t.match(fieldError(response.body, field) ?? '', message);
  }
  t.equal((await broadcasts(session.id)).length, 0, 'nothing stored');
  t.equal((await messagesTo(booked[0]!)).length, 0, 'nothing sent');

  const hostile = await provider.visitor.post(`/sessions/${session.id}/message`, { audience: 'booked', message: HOSTILE });
  t.equal(hostile.statusCode, 303, 'markup is sent as text');
  const [email] = await messagesTo(booked[0]!);
  t.match(email!.textBody, HOSTILE, 'word for word in the text');
  for (const markup of HOSTILE_MARKUP) t.notOk(email!.htmlBody!.includes(markup), 'never markup in the HTML');
  const page = await provider.visitor.get(`/sessions/${session.id}/message`);
  for (const markup of HOSTILE_MARKUP) t.notOk(page.body.includes(markup), 'never markup on the history');
});

t.test("who may send: the session's organisation and coordinators", async (t) => {
  const { session, booked } = await sessionWithPeople();
  const other = await signedIn(app, db, 'provider');
  t.equal((await other.visitor.get(`/sessions/${session.id}/message`)).statusCode, 404);
  t.equal((await other.visitor.post(`/sessions/${session.id}/message`, { audience: 'booked', message: 'Not ours' })).statusCode, 404);
  const worker = await signedIn(app, db, booked[0]!);
  t.equal((await worker.visitor.post(`/sessions/${session.id}/message`, { audience: 'booked', message: 'Hello all' })).statusCode, 403);
  t.equal((await broadcasts(session.id)).length, 0);
  const coordinator = await signedIn(app, db, 'coordinator');
  t.equal((await coordinator.visitor.post(`/sessions/${session.id}/message`, { audience: 'booked', message: 'From the programme' })).statusCode, 303);
  t.equal((await broadcasts(session.id))[0]!.sentBy, coordinator.user.id);
});
