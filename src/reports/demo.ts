import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Tx } from '../db/database.ts';
import { addDays, londonInstant, londonParts } from '../lib/london-time.ts';
import { lastFullQuarter } from './filters.ts';

/**
 * What happened at the demo area's past tasters, so the reports tell a story on first start: a
 * history of sessions over the last seven months, who came and who did not, what they thought,
 * how their confidence changed, and the referrals they went on to make. Two gaps are left for the
 * coordinator to find: one PCN's link workers attended nothing, and the garden ran no gardening
 * taster in the last full quarter.
 *
 * A fixed-seed random sequence makes the same story every time. Plain inserts: nobody did these.
 */

const demoLinkWorkers: Array<{ name: string; practice: string; pcn: string }> = [
  { name: 'Priya Patel', practice: 'Jericho Health Centre', pcn: 'Central Oxford PCN' },
  { name: 'Tom Baker', practice: 'Summertown Health Centre', pcn: 'Central Oxford PCN' },
  { name: 'Grace Owusu', practice: 'St Bartholomew’s Surgery', pcn: 'Central Oxford PCN' },
  { name: 'Lucy Chen', practice: 'Cowley Road Surgery', pcn: 'East Oxford PCN' },
  { name: 'Mohammed Ali', practice: 'Temple Cowley Health Centre', pcn: 'East Oxford PCN' },
  { name: 'Ellie Morgan', practice: 'Hollow Way Medical Centre', pcn: 'East Oxford PCN' },
  { name: 'Daniel Kowalski', practice: 'Bury Knowle Health Centre', pcn: 'Headington PCN' },
  { name: 'Sara Nilsson', practice: 'Manor Surgery', pcn: 'Headington PCN' },
  { name: 'James Okoro', practice: 'Kidlington Surgery', pcn: 'North Oxford PCN' },
  { name: 'Hannah Reid', practice: 'Woodstock Surgery', pcn: 'North Oxford PCN' },
  // Banbury's link workers have not tried any taster yet: the coverage view shows it.
  { name: 'Olivia Hughes', practice: 'Horsefair Surgery', pcn: 'Banbury PCN' },
  { name: 'Ben Carter', practice: 'West Bar Surgery', pcn: 'Banbury PCN' },
];

const comments = [
  'Warm welcome, and the group made space for a newcomer straight away.',
  'I could picture several of my patients here.',
  'The room was a little hard to find from the bus stop.',
  'More relaxed than I expected. I will mention it at our team meeting.',
  'A short leaflet I could hand to patients would help.',
  'Lovely facilitator; very good with people who were nervous.',
];
const easier = [
  'A named contact I can ring before someone’s first visit.',
  'A leaflet with dates and how to get there.',
  'Knowing someone will meet my patient at the door.',
  'A taster date each month I can book patients onto.',
];
const missedReasons = ['work', 'unwell', 'travel', 'forgot'] as const;

/** mulberry32: small, fast, and the same sequence from the same seed. */
function randomFrom(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
    shuffle: <T>(items: T[]) => items.map((item) => ({ item, key: next() })).sort((a, b) => a.key - b.key).map((x) => x.item),
  };
}

const weekdayNumber: Record<string, number> = { MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6, SU: 7 };

export async function seedOutcomesDemo(tx: Tx, now = new Date()): Promise<void> {
  const random = randomFrom(20261122);
  const today = londonParts(now).isoDate;

  await tx
    .insertInto('users')
    .values(
      demoLinkWorkers.map((p, i) => ({
        email: `demo.linkworker${String(i + 1).padStart(2, '0')}@nhs.net`,
        name: p.name,
        role: 'link_worker' as const,
        practice: p.practice,
        pcn: p.pcn,
        passwordHash: null,
        status: 'active' as const,
      })),
    )
    .execute();
  const people = (await tx.selectFrom('users').select(['id', 'pcn']).where('role', '=', 'link_worker').where('status', '=', 'active').execute()).filter(
    (p) => p.pcn !== 'Banbury PCN',
  );
  if (people.length === 0) return;

  // Seven months of history before the published programme's six weeks, every other week.
  const quarter = lastFullQuarter(now);
  const offers = await tx
    .selectFrom('offers')
    .select(['id', 'category', 'scheduleDays', 'scheduleStartTime', 'scheduleEndTime', 'usualVenueId', 'isFree'])
    .where('status', '=', 'active')
    .execute();
  const history = [];
  for (const offer of offers) {
    const day = offer.scheduleDays[0];
    if (!day || !offer.scheduleStartTime || !offer.scheduleEndTime) continue;
    const first = addDays(today, -7 * 30);
    const offset = (weekdayNumber[day]! - DateTime.fromISO(first, { zone: 'Europe/London' }).weekday + 7) % 7;
    for (let date = addDays(first, offset); date < addDays(today, -44); date = addDays(date, 14)) {
      // The gap the coordinator should notice: no gardening tasters last quarter.
      if (offer.category === 'gardening_nature' && date >= quarter.from && date <= quarter.to) continue;
      const startsAt = londonInstant(date, offer.scheduleStartTime.slice(0, 5));
      const endsAt = londonInstant(date, offer.scheduleEndTime.slice(0, 5));
      if (!startsAt || !endsAt) continue;
      history.push({
        offerId: offer.id,
        venueId: offer.usualVenueId,
        isOnline: offer.usualVenueId === null,
        joiningInstructions: offer.usualVenueId === null ? 'Join on Microsoft Teams: the link is in your booking confirmation.' : null,
        startsAt,
        endsAt,
        capacity: random.pick([8, 10, 12, 12, 15]),
        bookingClosesAt: new Date(startsAt.getTime() - 86_400_000),
        status: 'published' as const,
        publishedAt: new Date(startsAt.getTime() - 28 * 86_400_000),
      });
    }
  }
  if (history.length) await tx.insertInto('tasterSessions').values(history).execute();

  const past = await tx
    .selectFrom('tasterSessions as s')
    .innerJoin('offers as o', 'o.id', 's.offerId')
    .select(['s.id', 's.offerId', 's.capacity', 's.startsAt', 's.endsAt', 'o.isFree'])
    .where('s.status', '=', 'published')
    .where('s.endsAt', '<', now)
    .orderBy('s.startsAt')
    .execute();
  const currentMonth = DateTime.fromJSDate(now, { zone: 'Europe/London' }).startOf('month');
  const existing = past.length
    ? await tx.selectFrom('bookings').select(['tasterSessionId', 'userId']).where('tasterSessionId', 'in', past.map((p) => p.id)).execute()
    : [];

  // Who booked, waited, came and missed: one insert for the lot.
  const rows = [];
  for (const session of past) {
    const taken = new Set(existing.filter((b) => b.tasterSessionId === session.id).map((b) => b.userId));
    const pool = random.shuffle(people.filter((p) => !taken.has(p.id)));
    const booked = Math.min(pool.length, Math.round(session.capacity * (0.35 + random.next() * 0.7)));
    const waiting = booked >= session.capacity ? Math.max(0, Math.min(pool.length - session.capacity, random.int(1, 3))) : 0;
    const confirmed = pool.slice(0, Math.min(booked, session.capacity));
    const walkIn = random.chance(0.15) ? pool[confirmed.length + waiting] : undefined;
    const recordedAt = new Date(session.startsAt.getTime() + 10 * 60_000);
    for (const person of confirmed) {
      rows.push({
        tasterSessionId: session.id,
        userId: person.id,
        status: 'confirmed' as const,
        requestedAt: new Date(session.startsAt.getTime() - random.int(3, 20) * 86_400_000),
        confirmedAt: new Date(session.startsAt.getTime() - 3 * 86_400_000),
        waitlistedAt: null,
        isWalkIn: false,
        attendance: random.chance(0.84) ? ('attended' as const) : ('no_show' as const),
        attendanceRecordedAt: recordedAt,
        confidenceBefore: random.chance(0.75) ? random.int(1, 6) : null,
        updatedAt: recordedAt,
      });
    }
    for (const person of pool.slice(confirmed.length, confirmed.length + waiting)) {
      const at = new Date(session.startsAt.getTime() - 2 * 86_400_000);
      rows.push({ tasterSessionId: session.id, userId: person.id, status: 'waitlisted' as const, requestedAt: at, confirmedAt: null, waitlistedAt: at, isWalkIn: false, attendance: null, attendanceRecordedAt: null, confidenceBefore: null, updatedAt: at });
    }
    if (walkIn) {
      rows.push({ tasterSessionId: session.id, userId: walkIn.id, status: 'confirmed' as const, requestedAt: recordedAt, confirmedAt: recordedAt, waitlistedAt: null, isWalkIn: true, attendance: 'attended' as const, attendanceRecordedAt: recordedAt, confidenceBefore: null, updatedAt: recordedAt });
    }
  }
  const bookings = [];
  for (let i = 0; i < rows.length; i += 500) {
    bookings.push(
      ...(await tx
        .insertInto('bookings')
        .values(rows.slice(i, i + 500))
        .returning(['id', 'tasterSessionId', 'userId', 'attendance', 'confidenceBefore'])
        .execute()),
    );
  }
  if (past.length) {
    await tx
      .updateTable('tasterSessions')
      .set({ registerCompletedAt: sql<Date>`starts_at + interval '10 minutes'` })
      .where('id', 'in', past.map((p) => p.id))
      .execute();
  }

  // What they thought, what got in the way, and the referrals that followed.
  const sessionById = new Map(past.map((p) => [p.id, p]));
  const feedback = [];
  const missed = [];
  const referrals: Array<{ userId: string; offerId: string; month: string; referralCount: number }> = [];
  const referred = new Set<string>();
  for (const booking of bookings) {
    const session = sessionById.get(booking.tasterSessionId)!;
    if (booking.attendance === 'no_show' && random.chance(0.4)) missed.push({ bookingId: booking.id, reason: random.pick(missedReasons), details: null });
    if (booking.attendance !== 'attended' || !random.chance(0.72)) continue;
    const before = booking.confidenceBefore;
    const rating = random.pick([3, 4, 4, 5, 5, 5]);
    const score = () => (random.chance(0.12) ? null : Math.min(5, Math.max(1, rating + random.int(-1, 1))));
    feedback.push({
      bookingId: booking.id,
      confidenceAfter: Math.min(10, (before ?? random.int(3, 5)) + random.int(0, 5)),
      rating,
      accessible: score(),
      appropriate: score(),
      adequate: score(),
      affordable: session.isFree ? score() : random.pick([2, 3, 3, null]),
      available: score(),
      intendsToRefer: rating >= 4 ? random.pick(['yes', 'yes', 'maybe'] as const) : random.pick(['maybe', 'no'] as const),
      referringEasier: random.chance(0.35) ? random.pick(easier) : null,
      comments: random.chance(0.45) ? random.pick(comments) : null,
      submittedAt: new Date(session.endsAt.getTime() + random.int(1, 5) * 86_400_000),
      updatedAt: new Date(session.endsAt.getTime() + 5 * 86_400_000),
    });
    // Some go on to refer patients in the following months: counts only, once per offer.
    const key = `${booking.userId}:${session.offerId}`;
    if (!booking.userId || referred.has(key) || !random.chance(rating >= 4 ? 0.55 : 0.2)) continue;
    const month = DateTime.fromJSDate(session.startsAt, { zone: 'Europe/London' }).startOf('month').plus({ months: random.int(0, 2) });
    if (month > currentMonth) continue;
    referred.add(key);
    referrals.push({ userId: booking.userId, offerId: session.offerId, month: month.toISODate()!, referralCount: random.int(1, 4) });
  }
  for (let i = 0; i < feedback.length; i += 500) await tx.insertInto('feedback').values(feedback.slice(i, i + 500)).execute();
  if (missed.length) await tx.insertInto('missedSessionReasons').values(missed).execute();
  if (referrals.length) await tx.insertInto('referralReports').values(referrals).execute();
}
