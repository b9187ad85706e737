import { Eta } from 'eta';
import { ICalCalendar } from 'ical-generator';
import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  RawNode,
  type RootOperationNode,
  SelectQueryNode,
  type UnknownRow,
} from 'kysely';
import t from 'tap';
import { bookingsCalendar } from '../../src/bookings/calendar/ics.ts';
import { book, cancel } from '../../src/bookings/service.ts';
import type { Tx } from '../../src/db/database.ts';
import { compose } from '../../src/messages/compose.ts';
import { sendSessionMessage } from '../../src/publishing/sessions/message-service.ts';
import type { SessionInput } from '../../src/publishing/sessions/schemas.ts';
import { cancelSeries, changeSeries } from '../../src/publishing/sessions/series-service.ts';
import { cancelSession, updateSession } from '../../src/publishing/sessions/service.ts';
import { createBooking, createSession, createTaster, createUser, createVenue } from '../fixtures/builders.ts';
import { at } from '../fixtures/time.ts';
import { createTestDatabase } from '../helper.ts';

/**
 * Rule 1: the session's row lock is held for SQL only. Every change that takes it (booking,
 * cancelling, the promotion that follows, a capacity change, a new time or place, cancelling the
 * session) runs database statements and nothing else until it commits: no email template, no
 * calendar file. And a booking is few round trips: the lock, then one statement.
 */
const database = await createTestDatabase();
const { db } = database;
t.teardown(() => database.close());

/**
 * Counts, anywhere in this process, Eta templates rendered (each render looks its compiled template
 * up in the instance's cache, a Cacher shared by every Eta) and iCalendar files built.
 */
function countRendering(t: { teardown: (fn: () => unknown) => void }): () => number {
  let count = 0;
  const cacher = Object.getPrototypeOf(new Eta().templatesSync) as { get: (...args: unknown[]) => unknown };
  const get = cacher.get;
  cacher.get = function (this: unknown, ...args: unknown[]) {
    count++;
    return get.apply(this, args);
  };
  const toText = ICalCalendar.prototype.toString;
  ICalCalendar.prototype.toString = function (this: ICalCalendar) {
    count++;
    return toText.call(this);
  };
  t.teardown(() => {
    cacher.get = get;
    ICalCalendar.prototype.toString = toText;
  });
  return () => count;
}

/** Records each statement sent to the database: "lock" for the session lock, the opening words of raw SQL, or the kind of query. */
class StatementLog implements KyselyPlugin {
  statements: string[] = [];
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    this.statements.push(describe(node));
    return node;
  }
  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }
  /** The statements from the session lock on (the lock included). */
  fromLock(): string[] {
    // book_place (migration 0806) takes the session's lock inside the database.
    const at = this.statements.findIndex((statement) => statement === 'lock' || statement === 'book_place');
    return at < 0 ? [] : this.statements.slice(at);
  }
}

function describe(node: RootOperationNode): string {
  if (SelectQueryNode.is(node) && node.endModifiers?.some((m) => m.modifier === 'ForNoKeyUpdate')) return 'lock';
  if (RawNode.is(node)) {
    const text = node.sqlFragments.join('…');
    if (/\bbook_place\(/.test(text)) return 'book_place';
    return text.trim().split(/\s+/).slice(0, 3).join(' ');
  }
  return node.kind;
}

/** Runs `work` in one transaction, recording its statements and whether anything was rendered while it was open. */
async function observed<T>(rendered: () => number, work: (tx: Tx) => Promise<T>) {
  const log = new StatementLog();
  const before = rendered();
  const result = await db.withPlugin(log).transaction().execute(work);
  return { result, renderedInside: rendered() - before, underLock: log.fromLock() };
}

const provider = async (organisationId: string) => {
  const user = await createUser(db, 'provider', { organisationId });
  return { id: user.id, role: user.role, organisationId };
};

t.test('the counter sees what rendering an email and a calendar file does', async (t) => {
  const rendered = countRendering(t);
  compose({ subject: 'A test', blocks: [] });
  t.ok(rendered() >= 1, 'an email template');
  const now = rendered();
  bookingsCalendar([], { name: 'Test', baseUrl: 'https://tasters.test', feed: false, now: new Date() });
  t.equal(rendered(), now + 1, 'a calendar file');
});

t.test('booking, waiting, cancelling, promotion, a new capacity, time and place, cancelling the session: SQL only under the lock', async (t) => {
  const rendered = countRendering(t);
  const taster = await createTaster(db, { capacity: 1 });
  const people = await Promise.all(['Ada', 'Bo', 'Cy', 'Di', 'Ed'].map((name) => createUser(db, 'link_worker', { name })));
  const [ada, bo, cy] = people;
  const options = { baseUrl: 'https://tasters.test' };
  const bookAs = (person: { id: string }) => observed(rendered, (tx) => book(tx, { id: person.id }, taster.sessionId, { confidenceBefore: null }, options));

  const confirmed = await bookAs(ada!);
  t.equal(confirmed.result.status, 'confirmed');
  t.equal(confirmed.renderedInside, 0, 'no template or calendar file while booking a place');
  t.same(
    confirmed.underLock,
    ['book_place'],
    'one call to book_place: the lock, then one statement (count, insert, audit entry and the email’s facts), inside the database',
  );
  const waiting = await bookAs(bo!);
  t.equal(waiting.result.status, 'waitlisted');
  t.equal(waiting.renderedInside, 0, 'nor while joining the waiting list');
  t.same(waiting.underLock, ['book_place']);
  const again = await bookAs(ada!);
  t.same(again.result, { ...confirmed.result, created: false }, 'booking twice gives the booking back');
  t.same(again.underLock, ['book_place']);
  const later = await Promise.all(people.slice(2).map(async (person) => (await bookAs(person)).result.bookingId));

  const left = await observed(rendered, (tx) => cancel(tx, { id: cy!.id }, later[0]!, options));
  t.equal(left.renderedInside, 0, 'nor while leaving the waiting list');
  t.same(left.underLock, ['lock', 'with target as'], 'the lock, then one statement: the cancellation, its audit entry and facts');

  const freed = await observed(rendered, (tx) => cancel(tx, { id: ada!.id }, confirmed.result.bookingId, options));
  t.equal(freed.result.promoted, 1);
  t.equal(freed.renderedInside, 0, 'nor while cancelling a place and giving it to the person waiting longest');
  t.same(
    freed.underLock,
    ['lock', 'with target as', 'select booking_id as'],
    'then one statement for the promotion (promote_waiting, migration 20261204_0501)',
  );

  const actor = await provider(taster.organisationId);
  const venue = await createVenue(db, taster.organisationId, { name: 'The Print Room' });
  const current = await db.selectFrom('tasterSessions').selectAll().where('id', '=', taster.sessionId).executeTakeFirstOrThrow();
  const moved: SessionInput = {
    venueId: venue.id,
    isOnline: false,
    joiningInstructions: null,
    startsAt: new Date(current.startsAt.getTime() + 86_400_000),
    endsAt: new Date(current.endsAt.getTime() + 86_400_000),
    bookingClosesAt: current.bookingClosesAt,
    capacity: 3,
    whatToBring: '',
    accessNotes: '',
    facilitatorNote: '',
    repeatWeeks: 1,
  };
  const changed = await observed(rendered, (tx) => updateSession(tx, actor, taster.sessionId, moved, options));
  t.equal(changed.result.promoted, 2, 'two more places, two people promoted');
  t.equal(changed.renderedInside, 0, 'nor while changing the capacity, the time and the place');
  t.ok(
    changed.underLock.includes('with event as') && changed.underLock.includes('select booking_id as'),
    'everyone told in one statement, the promotions in one more',
  );

  const ended = await observed(rendered, (tx) => cancelSession(tx, actor, taster.sessionId, 'The press is broken', options));
  t.equal(ended.renderedInside, 0, 'nor while cancelling the session');

  // Every email of all that is facts, written after the commit by whoever needs it first.
  const outbox = await db
    .selectFrom('outboxMessages')
    .select(['kind', 'subject', 'textBody', 'htmlBody', 'attachments', 'facts'])
    .where(
      'recipientId',
      'in',
      people.map((p) => p!.id),
    )
    .execute();
  t.same([...new Set(outbox.map((m) => m.kind))].sort(), [
    'booking_cancelled',
    'booking_confirmed',
    'booking_promoted',
    'booking_waitlisted',
    'session_cancelled',
    'session_changed',
  ]);
  t.ok(
    outbox.every((m) => m.facts !== null && m.subject === null && m.textBody === null && m.htmlBody === null && m.attachments.length === 0),
    'queued as facts, nothing written',
  );
});

t.test('changing and cancelling the rest of a series, and messaging the people on a session: SQL only under the locks', async (t) => {
  const rendered = countRendering(t);
  const taster = await createTaster(db, { capacity: 1 });
  const actor = await provider(taster.organisationId);
  const seriesId = crypto.randomUUID();
  await db.updateTable('tasterSessions').set({ seriesId }).where('id', '=', taster.sessionId).execute();
  const second = await createSession(db, taster.offerId, { venueId: taster.venueId, seriesId, capacity: 1, startsAt: at(14, 14) });
  const [ada, bo] = await Promise.all(['Ada', 'Bo'].map((name) => createUser(db, 'link_worker', { name })));
  for (const id of [taster.sessionId, second.id]) {
    await createBooking(db, id, ada!.id);
    await createBooking(db, id, bo!.id, { status: 'waitlisted' });
  }
  const options = { baseUrl: 'https://tasters.test', mailFrom: 'Tasters <tasters@service.example.org>' };
  const change = {
    startTime: '10:00',
    endTime: '11:00',
    isOnline: true,
    venueId: null,
    joiningInstructions: 'Join on Teams',
    capacity: 2,
    whatToBring: '',
    accessNotes: '',
    facilitatorNote: '',
  };
  const changed = await observed(rendered, (tx) => changeSeries(tx, actor, taster.sessionId, change, options));
  t.same(changed.result, { changed: 2, promoted: 2, told: 2 }, 'two sessions, a promotion on each, one email for each person');
  t.equal(changed.renderedInside, 0, 'no template or calendar file while changing the series');
  t.equal(changed.underLock.filter((s) => s === 'lock').length, 2, 'each session locked');

  const message = await observed(rendered, (tx) => sendSessionMessage(tx, actor, second.id, { audience: 'booked', message: 'Bring an apron' }, options));
  t.equal(message.result.recipients, 2);
  t.equal(message.renderedInside, 0, 'nor while messaging everyone booked');

  const cancelled = await observed(rendered, (tx) => cancelSeries(tx, actor, taster.sessionId, 'The room is flooded', options));
  t.same(cancelled.result, { cancelled: 2, deleted: 0, told: 2 });
  t.equal(cancelled.renderedInside, 0, 'nor while cancelling the series');
  const kinds = await db.selectFrom('outboxMessages').select(['kind', 'subject']).where('recipientId', 'in', [ada!.id, bo!.id]).execute();
  t.ok(
    kinds.filter((m) => ['series_changed', 'series_cancelled', 'session_broadcast'].includes(m.kind)).every((m) => m.subject === null),
    'queued as facts, nothing written',
  );
});
