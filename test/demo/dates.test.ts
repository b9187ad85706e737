import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import t, { type Test } from 'tap';
import type { Queryable } from '../../src/db/database.ts';
import { fillDemoArea } from '../../src/demo/seed.ts';
import { londonParts } from '../../src/lib/london-time.ts';
import { reportQuery } from '../../src/reports/filters.ts';
import * as reports from '../../src/reports/queries.ts';
import { createTestDatabase } from '../helper.ts';

// The demo is made for whatever day someone first starts the app: it must tell the same story on
// a clock-change night, at Christmas, on the first and last day of a quarter, and the same story
// every time for the same day, so tests that use it are stable.

const database = await createTestDatabase();
t.teardown(() => database.close());
const { db } = database;

/** The demo as it would be made at `now`, looked at, then rolled back. */
async function madeAt<T>(now: Date, look: (tx: Queryable) => Promise<T>): Promise<T> {
  const tx = await db.startTransaction().execute();
  try {
    await fillDemoArea(tx, now, 'a password hash nobody signs in with');
    return await look(tx);
  } finally {
    await tx.rollback().execute();
  }
}

/** Everything the demo says, without the generated ids. */
async function fingerprint(q: Queryable): Promise<{ facts: number; hash: string }> {
  const sessions = await q
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .select(['o.title', 's.startsAt', 's.endsAt', 's.capacity', 's.status', 's.publishedAt', 's.registerCompletedAt'])
    .execute();
  const bookings = await q
    .selectFrom('bookings as b')
    .innerJoin('users as u', 'u.id', 'b.userId')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .leftJoin('feedback as f', 'f.bookingId', 'b.id')
    .select(['u.email', 'o.title', 's.startsAt', 'b.status', 'b.requestedAt', 'b.attendance', 'b.isWalkIn', 'b.confidenceBefore'])
    .select(['f.rating', 'f.confidenceAfter', 'f.intendsToRefer', 'f.comments'])
    .execute();
  const referrals = await q
    .selectFrom('referralReports as r')
    .innerJoin('users as u', 'u.id', 'r.userId')
    .innerJoin('offers as o', 'o.id', 'r.offerId')
    .select(['u.email', 'o.title', 'r.month', 'r.referralCount'])
    .execute();
  const lines = [...sessions, ...bookings, ...referrals].map((row) => JSON.stringify(row)).sort();
  return { facts: lines.length, hash: createHash('sha256').update(lines.join('\n')).digest('hex') };
}

t.test('the same day gives the same demo', async (t) => {
  const now = new Date('2027-02-10T15:00:00Z');
  const first = await madeAt(now, fingerprint);
  t.ok(first.facts > 300, `${first.facts} sessions, bookings and referral reports`);
  t.same(await madeAt(now, fingerprint), first, 'made again: the same');
  t.not((await madeAt(new Date('2027-02-11T15:00:00Z'), fingerprint)).hash, first.hash, 'and a day later, a day later');
});

async function believable(t: Test, q: Queryable, now: Date) {
  const today = londonParts(now).isoDate;
  const attended = await q
    .selectFrom('bookings as b')
    .innerJoin('users as u', 'u.id', 'b.userId')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .select(['u.id', 's.startsAt', 'b.attendance'])
    .where('b.attendance', 'is not', null)
    .execute();
  const perQuarter = new Map<string, number>();
  for (const b of attended.filter((b) => b.attendance === 'attended')) {
    const key = `${b.id} ${DateTime.fromJSDate(b.startsAt, { zone: 'Europe/London' }).toFormat('yyyy-q')}`;
    perQuarter.set(key, (perQuarter.get(key) ?? 0) + 1);
  }
  t.ok(Math.max(...perQuarter.values()) <= 6, `at most ${Math.max(...perQuarter.values())} tasters in a quarter`);
  t.ok(
    attended.some((b) => b.attendance === 'no_show'),
    'a no-show',
  );
  const referrers = new Set((await q.selectFrom('referralReports').select('userId').execute()).map((r) => r.userId));
  t.ok(
    attended.some((b) => b.attendance === 'attended' && !referrers.has(b.id)),
    'someone who tried tasters and never referred',
  );

  const sessions = await q
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .innerJoin('organisations as org', 'org.id', 'o.organisationId')
    .select(['s.id', 's.startsAt', 's.status', 'org.name'])
    .execute();
  const todays = sessions.filter((s) => s.name === 'Riverside Museum' && londonParts(s.startsAt).isoDate === today);
  t.equal(todays.length, 1, 'the museum has a session today');
  t.ok(todays[0]!.startsAt <= now, `it started at ${londonParts(todays[0]!.startsAt).time}, London time`);
  const todaysBookings = await q.selectFrom('bookings').select(['status', 'attendance']).where('tasterSessionId', '=', todays[0]!.id).execute();
  t.ok(todaysBookings.length >= 3 && todaysBookings.every((b) => b.status === 'confirmed' && b.attendance === null), 'booked, not yet marked');
  for (const name of new Set(sessions.map((s) => s.name))) {
    const own = sessions.filter((s) => s.name === name);
    t.ok(own.some((s) => s.startsAt > now && s.status === 'published') && own.some((s) => s.startsAt < now), `${name}: tasters past and to come`);
  }
  const waiting = await q
    .selectFrom('bookings as b')
    .innerJoin('tasterSessions as s', 's.id', 'b.tasterSessionId')
    .select('s.id')
    .distinct()
    .where('b.status', '=', 'waitlisted')
    .where('s.startsAt', '>', now)
    .execute();
  t.ok(waiting.length >= 1 && waiting.length <= 2, `${waiting.length} upcoming sessions with a waiting list`);

  const f = reportQuery(now).parse({});
  const [total] = await reports.funnelBy(q, f, 'total');
  t.ok(total && total.attended > 0 && total.noShows > 0 && total.waitingDemand > 0 && total.referrals > 0, 'the last full quarter has a story');
  t.same(
    (await reports.pcnsWithoutAttendance(q, f)).map((p) => p.pcn),
    ['Banbury PCN'],
    'one PCN to follow up',
  );
}

for (const [when, instant] of [
  ['just after midnight on the night the clocks go forward', '2027-03-28T00:20:00Z'],
  ['in the hour the clocks go back', '2026-10-25T00:30:00Z'],
  ['at Christmas', '2026-12-25T12:00:00Z'],
  ['early on the first day of a quarter', '2027-04-01T07:00:00Z'],
  ['late on the last day of a quarter', '2027-06-30T21:30:00Z'],
] as const) {
  t.test(`believable when made ${when}`, async (t) => {
    const now = new Date(instant);
    await madeAt(now, (q) => believable(t, q, now));
  });
}
