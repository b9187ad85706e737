import { DateTime } from 'luxon';
import type { Tx } from '../db/database.ts';
import type { Intention } from '../db/tables/feedback.ts';
import { isoDateOf, LONDON_ZONE } from '../lib/london-time.ts';
import type { BookingPlan } from './bookings.ts';
import type { Random } from './random.ts';

/**
 * What came of the tasters: feedback from most (not all) of those who attended, a reason from some
 * who missed one, and referrals recorded in the months after by the link workers who refer. Ratings
 * lean towards good without all being five; confidence mostly rises a little, sometimes not at all.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const comments = [
  'Warm welcome, and the group made space for a newcomer straight away.',
  'I could picture several of my patients here.',
  'The room was a little hard to find from the bus stop.',
  'More relaxed than I expected. I will mention it at our team meeting.',
  'A short leaflet I could hand to patients would help.',
  'Lovely facilitator; very good with people who were nervous.',
  'Good, but the pace would be quick for some of the people I see.',
  'Noisier than I expected; not for everyone.',
];
const easier = [
  'A named contact I can ring before someone’s first visit.',
  'A leaflet with dates and how to get there.',
  'Knowing someone will meet my patient at the door.',
  'A taster date each month I can book patients onto.',
];
const missedReasons = ['work', 'work', 'unwell', 'travel', 'forgot'] as const;
/** Whether they mean to refer, by the rating they gave: mostly yes after a five, never after a two. */
const ratings = [5, 5, 5, 4, 4, 4, 4, 3, 3, 2] as const;
const intentionsAfter: Record<(typeof ratings)[number], Intention[]> = {
  5: ['yes', 'yes', 'yes', 'maybe'],
  4: ['yes', 'yes', 'maybe'],
  3: ['maybe', 'no'],
  2: ['no'],
};

type Given = Array<{ booking: BookingPlan; intendsToRefer: Intention }>;

export async function insertOutcomes(tx: Tx, bookings: BookingPlan[], random: Random, now: Date): Promise<void> {
  const attended = bookings.filter((b) => b.attendance === 'attended');
  // Dev's latest taster still waits for feedback, so the demo link worker can give some.
  const devsLatest = attended.findLast((b) => b.person.email === 'dev.linkworker@nhs.net');

  const feedback: Given = [];
  const feedbackRows = [];
  for (const booking of attended) {
    const endsAt = booking.session.endsAt.getTime();
    // Feedback comes in over the days after; for the last week's tasters, much of it has not yet.
    const recent = now.getTime() - endsAt < 10 * DAY;
    const submittedAt = new Date(endsAt + random.int(2, 24 * 6) * HOUR);
    if (booking === devsLatest || !random.chance(recent ? 0.45 : 0.75) || submittedAt >= now) continue;
    const rating = random.pick(ratings);
    const before = booking.confidenceBefore;
    const change = rating >= 4 ? random.pick([0, 1, 1, 2, 2, 3, 3, 4]) : rating === 3 ? random.pick([-1, 0, 0, 1, 1]) : random.pick([-1, -1, 0]);
    const intendsToRefer = random.pick(intentionsAfter[rating]);
    const score = () => (random.chance(0.12) ? null : Math.min(5, Math.max(1, rating + random.int(-1, 1))));
    feedback.push({ booking, intendsToRefer });
    feedbackRows.push({
      bookingId: booking.id,
      confidenceAfter: Math.min(10, Math.max(0, before === null ? random.int(3, 8) : before + change)),
      rating,
      accessible: score(),
      appropriate: score(),
      adequate: score(),
      affordable: booking.session.offer.isFree ? score() : random.pick([2, 3, 3, 4, null]),
      available: score(),
      intendsToRefer,
      referringEasier: random.chance(0.3) ? random.pick(easier) : null,
      comments: random.chance(0.4) ? random.pick(comments) : null,
      submittedAt,
      updatedAt: submittedAt,
    });
  }
  for (let i = 0; i < feedbackRows.length; i += 500)
    await tx
      .insertInto('feedback')
      .values(feedbackRows.slice(i, i + 500))
      .execute();

  const missed = bookings
    .filter((b) => b.attendance === 'no_show' && random.chance(0.5))
    .map((b) => {
      const at = new Date(b.session.endsAt.getTime() + random.int(1, 3) * DAY);
      return { bookingId: b.id, reason: random.pick(missedReasons), details: null, createdAt: at, updatedAt: at };
    })
    .filter((m) => m.createdAt < now);
  if (missed.length) await tx.insertInto('missedSessionReasons').values(missed).execute();

  const referrals = planReferrals(attended, feedback, random, now);
  if (referrals.length) await tx.insertInto('referralReports').values(referrals).execute();
}

/**
 * Referral counts in the months after a link worker's first taster of an offer: likelier after a
 * taster they rated well, never from the ones who do not record referrals.
 */
function planReferrals(attended: BookingPlan[], feedback: Given, random: Random, now: Date) {
  const thisMonth = DateTime.fromJSDate(now, { zone: LONDON_ZONE }).startOf('month');
  const intention = new Map(feedback.map((f) => [f.booking, f.intendsToRefer]));
  const seen = new Set<string>();
  const rows = [];
  for (const booking of attended) {
    const key = `${booking.person.id} ${booking.session.offer.id}`;
    if (!booking.person.refers || seen.has(key)) continue;
    seen.add(key);
    const intends = intention.get(booking);
    if (!random.chance(intends === 'yes' ? 0.75 : intends === 'maybe' ? 0.4 : intends === 'no' ? 0.05 : 0.35)) continue;
    let month = DateTime.fromJSDate(booking.session.startsAt, { zone: LONDON_ZONE })
      .startOf('month')
      .plus({ months: random.int(0, 2) });
    for (let count = random.int(1, 3); month <= thisMonth; month = month.plus({ months: 1 }), count = random.int(1, 2)) {
      // Recorded early the next month, or as it happens in the month that is still going.
      const recorded = new Date(Math.min(month.plus({ months: 1, days: random.int(0, 9) }).toMillis(), now.getTime() - HOUR));
      const { person, session } = booking;
      rows.push({ userId: person.id, offerId: session.offer.id, month: isoDateOf(month), referralCount: count, createdAt: recorded, updatedAt: recorded });
      if (!random.chance(0.3)) break;
    }
  }
  return rows;
}
