import t from 'tap';
import { signIn } from '../../src/accounts/service.ts';
import { markAttendance } from '../../src/attendance/service.ts';
import { book, cancel } from '../../src/bookings/service.ts';
import type { Tx } from '../../src/db/database.ts';
import { saveFeedback } from '../../src/feedback/service.ts';
import { changeRole } from '../../src/people/service.ts';
import { cancelSession } from '../../src/publishing/sessions/service.ts';
import { createBooking, createTaster, createUser, PASSWORD } from '../fixtures/builders.ts';
import { databaseDigest } from '../fixtures/database.ts';
import { startedHoursAgo } from '../fixtures/time.ts';
import { signedIn } from '../fixtures/visitors.ts';
import { buildTestApp, createTestDatabase, Visitor } from '../helper.ts';

const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());
const app = await buildTestApp(t, database);

async function lastId(): Promise<number> {
  const row = await db
    .selectFrom('auditEvents')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** The audit entries an action wrote: everything after `since`. */
async function entriesAfter(since: number) {
  return db.selectFrom('auditEvents').select(['action', 'actorId', 'subjectType', 'subjectId']).where('id', '>', since).orderBy('id').execute();
}

const feedback = {
  confidenceAfter: '8',
  rating: '5',
  accessible: '5',
  appropriate: '4',
  adequate: '4',
  affordable: '3',
  available: '4',
  intendsToRefer: 'yes',
};

t.test('each action leaves exactly one entry of its own, saying who, what and about what', async (t) => {
  const taster = await createTaster(db, { capacity: 1, title: 'Audited clay' });
  const first = await createUser(db, 'link_worker');
  const second = await createUser(db, 'link_worker');
  const { visitor: firstVisitor } = await signedIn(app, db, first);
  const { visitor: secondVisitor } = await signedIn(app, db, second);

  let since = await lastId();
  const booked = await firstVisitor.post(`/sessions/${taster.sessionId}/book`, {});
  const firstBooking = String(booked.headers.location).split('/').pop()!;
  t.same(await entriesAfter(since), [{ action: 'booking_confirmed', actorId: first.id, subjectType: 'booking', subjectId: firstBooking }], 'booking');

  since = await lastId();
  const waiting = await secondVisitor.post(`/sessions/${taster.sessionId}/book`, {});
  const secondBooking = String(waiting.headers.location).split('/').pop()!;
  t.same(
    await entriesAfter(since),
    [{ action: 'booking_waitlisted', actorId: second.id, subjectType: 'booking', subjectId: secondBooking }],
    'joining the waiting list',
  );

  since = await lastId();
  await secondVisitor.post(`/sessions/${taster.sessionId}/book`, {});
  t.same(await entriesAfter(since), [], 'booking again (a double click) records nothing');

  since = await lastId();
  await firstVisitor.post(`/bookings/${firstBooking}/cancel`, {});
  t.same(
    await entriesAfter(since),
    [
      { action: 'booking_cancelled', actorId: first.id, subjectType: 'booking', subjectId: firstBooking },
      { action: 'booking_promoted', actorId: first.id, subjectType: 'booking', subjectId: secondBooking },
    ],
    'a cancellation, and the promotion it caused: one each',
  );

  since = await lastId();
  await firstVisitor.post(`/bookings/${firstBooking}/cancel`, {});
  t.same(await entriesAfter(since), [], 'cancelling twice records nothing the second time');

  // Attendance and feedback, on a session that has happened.
  const past = await createTaster(db, { ...startedHoursAgo(3), title: 'Audited singing' });
  const pastBooking = await createBooking(db, past.sessionId, first.id);
  const coordinator = await createUser(db, 'coordinator');
  const { visitor: coordinatorVisitor } = await signedIn(app, db, coordinator);
  since = await lastId();
  await coordinatorVisitor.get(`/sessions/${past.sessionId}/register`);
  const marked = await coordinatorVisitor.post(`/sessions/${past.sessionId}/register/${pastBooking.id}`, { attendance: 'attended' });
  t.equal(marked.statusCode, 303);
  t.same(
    await entriesAfter(since),
    [{ action: 'attendance_recorded', actorId: coordinator.id, subjectType: 'booking', subjectId: pastBooking.id }],
    'attendance',
  );

  since = await lastId();
  await firstVisitor.get(`/bookings/${pastBooking.id}/feedback`);
  const given = await firstVisitor.post(`/bookings/${pastBooking.id}/feedback`, feedback);
  t.equal(given.statusCode, 303);
  t.same(await entriesAfter(since), [{ action: 'feedback_given', actorId: first.id, subjectType: 'booking', subjectId: pastBooking.id }], 'feedback');

  since = await lastId();
  await coordinatorVisitor.get(`/people/${second.id}`);
  await coordinatorVisitor.post(`/people/${second.id}/role`, { role: 'coordinator', organisationId: '' });
  t.same(await entriesAfter(since), [{ action: 'role_changed', actorId: coordinator.id, subjectType: 'user', subjectId: second.id }], 'role change');

  const provider = await createUser(db, 'provider', { organisationId: taster.organisationId });
  const { visitor: providerVisitor } = await signedIn(app, db, provider);
  since = await lastId();
  await providerVisitor.get(`/sessions/${taster.sessionId}/cancel`);
  await providerVisitor.post(`/sessions/${taster.sessionId}/cancel`, { reason: 'The tutor is unwell' });
  t.same(
    await entriesAfter(since),
    [{ action: 'session_cancelled', actorId: provider.id, subjectType: 'taster_session', subjectId: taster.sessionId }],
    'session cancelled by the provider',
  );
});

t.test('signing in leaves one entry, and so does a refused attempt', async (t) => {
  const person = await createUser(db, 'link_worker');
  let since = await lastId();
  const visitor = new Visitor(app);
  await visitor.signIn(person.email, PASSWORD);
  t.same(await entriesAfter(since), [{ action: 'signed_in', actorId: person.id, subjectType: 'user', subjectId: person.id }]);

  since = await lastId();
  const stranger = new Visitor(app);
  await stranger.get('/sign-in');
  await stranger.post('/sign-in', { email: person.email, password: 'not the right password at all' });
  const refused = await entriesAfter(since);
  t.same(
    refused.map((e) => [e.action, e.actorId]),
    [['sign_in_refused', null]],
  );

  // The right password for an account that may not sign in is a refused sign-in too.
  for (const status of ['disabled', 'unconfirmed'] as const) {
    const blocked = await createUser(db, 'link_worker', { status });
    since = await lastId();
    await stranger.post('/sign-in', { email: blocked.email, password: PASSWORD });
    t.same(await entriesAfter(since), [{ action: 'sign_in_refused', actorId: null, subjectType: 'user', subjectId: blocked.id }], `${status} account`);
  }
});

t.test('an action that rolls back leaves no entry', async (t) => {
  const taster = await createTaster(db, { capacity: 1 });
  const past = await createTaster(db, startedHoursAgo(3));
  const person = await createUser(db, 'link_worker');
  const other = await createUser(db, 'link_worker');
  const third = await createUser(db, 'link_worker');
  const coordinator = await createUser(db, 'coordinator');
  const provider = await createUser(db, 'provider', { organisationId: taster.organisationId });
  const booked = await db.transaction().execute((tx) => book(tx, { id: person.id }, taster.sessionId, { confidenceBefore: null }));
  await db.transaction().execute((tx) => book(tx, { id: other.id }, taster.sessionId, { confidenceBefore: null }));
  const attended = await createBooking(db, past.sessionId, person.id, { attendance: 'attended' });
  const unmarked = await createBooking(db, past.sessionId, other.id);

  const actions: Array<[string, (tx: Tx) => Promise<unknown>]> = [
    ['booking', (tx) => book(tx, { id: third.id }, taster.sessionId, { confidenceBefore: null })],
    ['cancellation and promotion', (tx) => cancel(tx, { id: person.id }, booked.bookingId)],
    ['attendance', (tx) => markAttendance(tx, { id: coordinator.id }, past.sessionId, unmarked.id, 'attended')],
    [
      'feedback',
      (tx) =>
        saveFeedback(tx, { id: person.id }, attended.id, {
          confidenceAfter: 7,
          rating: 4,
          accessible: 4,
          appropriate: 4,
          adequate: 4,
          affordable: 4,
          available: 4,
          intendsToRefer: 'yes',
          referringEasier: null,
          comments: null,
        }),
    ],
    ['role change', (tx) => changeRole(tx, { id: coordinator.id }, other.id, 'coordinator', null)],
    ['session cancelled', (tx) => cancelSession(tx, { id: provider.id, role: 'provider', organisationId: taster.organisationId }, taster.sessionId, 'Flooded')],
    ['sign-in', (tx) => signIn(tx, { email: person.email, password: PASSWORD, address: '192.0.2.1' })],
  ];
  for (const [what, action] of actions) {
    const before = await databaseDigest(db);
    const since = await lastId();
    await t.rejects(
      db.transaction().execute(async (tx) => {
        await action(tx);
        t.ok((await tx.selectFrom('auditEvents').select('id').where('id', '>', since).execute()).length > 0, `${what}: written inside the transaction`);
        throw new Error('something later in the same transaction failed');
      }),
      /something later/,
    );
    t.same(await entriesAfter(since), [], `${what}: no entry after the rollback`);
    t.same(await databaseDigest(db), before, `${what}: nothing else either`);
  }
});
