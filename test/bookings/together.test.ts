import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  RawNode,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import t from 'tap';
import { type BookingOutcome, bookPlace } from '../../src/bookings/service.ts';
import { MOST_AT_ONCE } from '../../src/bookings/together.ts';
import { DomainError, NotFoundError } from '../../src/lib/errors.ts';
import { createLinkWorkers, createTaster } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { createTestDatabase } from '../helper.ts';

/**
 * Issue 12, a burst on one session: people booking the same session through one process at the
 * same moment wait in the process, not on the session's lock in the database, and are booked
 * together by the next statement, in the order they asked, each by the same rules as alone.
 */
const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());

/** Counts the booking statements sent: book_place (one person) and book_places (several). */
class BookingStatements implements KyselyPlugin {
  alone = 0;
  /** For each statement for several, in the order sent: how many people it answered for (0: it failed). */
  together: number[] = [];
  private readonly sent = new WeakMap<object, number>();
  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (RawNode.is(node)) {
      const text = node.sqlFragments.join('');
      if (/\bbook_places\(/.test(text)) this.sent.set(queryId, this.together.push(0) - 1);
      else if (/\bbook_place\(/.test(text)) this.alone++;
    }
    return node;
  }
  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const index = this.sent.get(queryId);
    if (index !== undefined) this.together[index] = result.rows.length;
    return result;
  }
}

const options = { baseUrl: 'https://tasters.test', mailFrom: 'Tasters <tasters@example.org>' };
const actor = (id: string) => ({ id, address: '192.0.2.1' });

async function positionsOf(sessionId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('bookings')
    .select('userId')
    .where('tasterSessionId', '=', sessionId)
    .where('status', '=', 'waitlisted')
    .orderBy('waitlistedAt')
    .orderBy('id')
    .execute();
  return rows.map((row) => row.userId ?? 'erased');
}

t.test('twelve people asking at once for a 3-place session: two statements, places and positions in the order they asked', async (t) => {
  const taster = await createTaster(db, { capacity: 3 });
  const people = await createLinkWorkers(db, 12);
  const log = new BookingStatements();
  const observed = db.withPlugin(log);
  const outcomes = await Promise.all(people.map((person) => bookPlace(observed, actor(person.id), taster.sessionId, { confidenceBefore: 3 }, options)));

  t.equal(log.alone, 0, 'no booking statement for one person alone');
  t.same(log.together, [1, 11], 'the first goes at once, by itself; the eleven who asked meanwhile go together in the next statement');
  t.same(
    outcomes.map((outcome) => outcome.status),
    ['confirmed', 'confirmed', 'confirmed', ...Array(9).fill('waitlisted')],
    'the first three to ask have the places',
  );
  t.ok(
    outcomes.every((outcome) => outcome.created),
    'each booking is new',
  );
  t.same(
    await positionsOf(taster.sessionId),
    people.slice(3).map((person) => person.id),
    'the waiting list is in the order they asked',
  );
  const facts = await db
    .selectFrom('outboxMessages')
    .select(['recipientId', 'kind', 'facts'])
    .where('kind', '=', 'booking_waitlisted')
    .where(
      'recipientId',
      'in',
      people.map((person) => person.id),
    )
    .execute();
  const positionOf = new Map(facts.map((row) => [row.recipientId, (row.facts as { booking: { position: number } }).booking.position]));
  t.same(
    people.slice(3).map((person) => positionOf.get(person.id)),
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
    'each waiting-list email says the position the person had when they booked',
  );
  const audit = await db
    .selectFrom('auditEvents')
    .select(['actorId', 'action', 'address'])
    .where(
      'actorId',
      'in',
      people.map((person) => person.id),
    )
    .execute();
  t.equal(audit.length, 12, 'one audit entry each');
  t.ok(
    audit.every((event) => event.address === '192.0.2.1'),
    'with the address each asked from',
  );
  const stored = await db.selectFrom('bookings').select(['userId', 'confidenceBefore']).where('tasterSessionId', '=', taster.sessionId).execute();
  t.ok(
    stored.every((booking) => booking.confidenceBefore === 3),
    'with what each said of their confidence',
  );
});

t.test('the same person twice in one statement (a double click) has one booking', async (t) => {
  const taster = await createTaster(db, { capacity: 5 });
  const [first, ada] = await createLinkWorkers(db, 2);
  const outcomes = await Promise.all(
    [first!, ada!, ada!].map((person) => bookPlace(db, actor(person.id), taster.sessionId, { confidenceBefore: null }, options)),
  );
  t.equal(outcomes[1]!.bookingId, outcomes[2]!.bookingId, 'the second click answers with the booking the first made');
  t.same(
    outcomes.map((outcome) => outcome.created),
    [true, true, false],
  );
  const live = await db.selectFrom('bookings').select('id').where('tasterSessionId', '=', taster.sessionId).where('userId', '=', ada!.id).execute();
  t.equal(live.length, 1, 'one booking stored');
});

t.test('when the statement for several fails, nobody is lost: each is then booked on their own', async (t) => {
  const taster = await createTaster(db, { capacity: 2 });
  const people = await createLinkWorkers(db, 4);
  // An account that does not exist (erased in the meantime, say): its booking breaks the statement.
  const ghost = '00000000-0000-4000-8000-000000000000';
  const asking = [people[0]!.id, people[1]!.id, ghost, people[2]!.id, people[3]!.id];
  const log = new BookingStatements();
  const observed = db.withPlugin(log);
  const settled = await Promise.allSettled(asking.map((id) => bookPlace(observed, actor(id), taster.sessionId, { confidenceBefore: null }, options)));

  t.equal(settled[2]!.status, 'rejected', 'the one who cannot be booked gets an error');
  const booked = settled.filter((result): result is PromiseFulfilledResult<BookingOutcome> => result.status === 'fulfilled');
  t.same(
    booked.map((result) => result.value.status),
    ['confirmed', 'confirmed', 'waitlisted', 'waitlisted'],
    'the other four are booked, in the order they asked',
  );
  t.same(log.together, [1, 0], 'the first went by itself; the statement for the four who asked meanwhile failed, and answered nothing');
  t.equal(log.alone, 4, 'then each of the four went on their own');
  t.same(await positionsOf(taster.sessionId), [people[2]!.id, people[3]!.id]);
});

t.test('a closed, cancelled or missing session: each person asking together gets the reason, as alone', async (t) => {
  const closed = await createTaster(db, { capacity: 5, bookingClosesAt: at(-1, 9) });
  const cancelled = await createTaster(db, { capacity: 5, status: 'cancelled' });
  const people = await createLinkWorkers(db, 3);
  for (const [sessionId, expected] of [
    [closed.sessionId, 'booking_closed'],
    [cancelled.sessionId, 'session_cancelled'],
  ] as const) {
    const settled = await Promise.allSettled(people.map((person) => bookPlace(db, actor(person.id), sessionId, { confidenceBefore: null }, options)));
    t.ok(
      settled.every((result) => result.status === 'rejected' && result.reason instanceof DomainError && result.reason.code === expected),
      `all three are told ${expected}`,
    );
  }
  const missing = await Promise.allSettled(
    people.map((person) => bookPlace(db, actor(person.id), '11111111-1111-4111-8111-111111111111', { confidenceBefore: null }, options)),
  );
  t.ok(
    missing.every((result) => result.status === 'rejected' && result.reason instanceof NotFoundError),
    'a session that does not exist is not found, for each',
  );
  const stored = await db.selectFrom('bookings').select('id').where('tasterSessionId', 'in', [closed.sessionId, cancelled.sessionId]).execute();
  t.equal(stored.length, 0, 'nothing is stored');
});

t.test(`at most ${MOST_AT_ONCE} in one statement, so one statement never holds the lock for long`, async (t) => {
  const taster = await createTaster(db, { capacity: 10 });
  const people = await createLinkWorkers(db, MOST_AT_ONCE + 12);
  const log = new BookingStatements();
  const observed = db.withPlugin(log);
  const outcomes = await Promise.all(people.map((person) => bookPlace(observed, actor(person.id), taster.sessionId, { confidenceBefore: null }, options)));
  t.same(log.together, [1, MOST_AT_ONCE, 11], `the first by itself, then ${MOST_AT_ONCE}, then the 11 left`);
  t.equal(outcomes.filter((outcome) => outcome.status === 'confirmed').length, 10, 'exactly the 10 places');
  t.same(
    await positionsOf(taster.sessionId),
    people.slice(10).map((person) => person.id),
    'and everyone else waiting, in the order they asked',
  );
});

t.test('people booking different sessions at once are not held up by each other', async (t) => {
  const one = await createTaster(db, { capacity: 1 });
  const other = await createTaster(db, { capacity: 1 });
  const [ada, bo] = await createLinkWorkers(db, 2);
  const log = new BookingStatements();
  const observed = db.withPlugin(log);
  const outcomes = await Promise.all([
    bookPlace(observed, actor(ada!.id), one.sessionId, { confidenceBefore: null }, options),
    bookPlace(observed, actor(bo!.id), other.sessionId, { confidenceBefore: null }, options),
  ]);
  t.same(log.together, [1, 1], 'each session’s first booking goes at once, by itself');
  t.same(
    outcomes.map((outcome) => outcome.status),
    ['confirmed', 'confirmed'],
  );
});
