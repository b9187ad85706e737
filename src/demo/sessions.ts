import type { Tx } from '../db/database.ts';
import { addDays, londonInstant, londonParts } from '../lib/london-time.ts';
import { lastFullQuarter } from '../reports/filters.ts';
import { daysBetween, monthsBefore, onOrAfter, quarterOf } from './calendar.ts';
import { must } from './must.ts';
import type { DemoOfferRecord } from './organisations.ts';

/**
 * The demo's taster sessions: seven months of past tasters and six weeks ahead, each offer on its
 * usual day every six to twelve weeks. The calendar is counted from a fixed Monday, not from today,
 * so a session on a given date is the same whichever day the demo is made.
 *
 * A few sessions carry the story: one at the museum today whose register is waiting to be taken, a
 * popular singing taster ahead with a waiting list, one in the last full quarter that filled up, a
 * cancelled one, and drafts the demo providers have not published yet. The garden ran no gardening
 * taster in the last full quarter: a gap for the coordinator's coverage report to show.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const EPOCH = '2024-01-01';
/** Nobody runs a taster on Christmas Day, Boxing Day or New Year's Day. */
const closedDays = ['12-25', '12-26', '01-01'];

export type SessionRole = 'today' | 'popularUpcoming' | 'popularPast';

export type SessionPlan = {
  offer: DemoOfferRecord;
  date: string;
  quarter: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  bookingClosesAt: Date;
  publishedAt: Date | null;
  status: 'draft' | 'published' | 'cancelled';
  cancelledAt: Date | null;
  /** Before today's date: who came is known. The register of today's sessions is still to take. */
  happened: boolean;
  role: SessionRole | null;
  id: string;
};

/**
 * Today's museum session: at 10am, or if the demo is made earlier in the day, an hour or so
 * before now, so that its register is open (it opens at the start) whenever someone first looks.
 */
function todaysStart(today: string, now: Date): Date {
  const ten = must(londonInstant(today, '10:00'), '10am today');
  if (now.getTime() >= ten.getTime() + HOUR) return ten;
  const midnight = must(londonInstant(today, '00:00'), 'midnight today');
  const halfHour = 30 * 60_000;
  return new Date(Math.max(midnight.getTime(), Math.floor((now.getTime() - HOUR) / halfHour) * halfHour));
}

export function planSessions(offers: DemoOfferRecord[], now: Date): SessionPlan[] {
  const today = londonParts(now).isoDate;
  const from = monthsBefore(today, 7);
  const to = addDays(today, 42);
  const quiet = lastFullQuarter(now);

  const plan = (offer: DemoOfferRecord, date: string, startsAt: Date, endsAt: Date, extra: Partial<SessionPlan> = {}): SessionPlan => ({
    offer,
    date,
    quarter: quarterOf(date),
    startsAt,
    endsAt,
    capacity: offer.places,
    bookingClosesAt: new Date(startsAt.getTime() - DAY),
    // Published five weeks ahead; the ones coming up were published a few days ago at the latest.
    publishedAt: new Date(Math.min(startsAt.getTime() - 35 * DAY, now.getTime() - 3 * DAY)),
    status: 'published',
    cancelledAt: null,
    happened: date < today,
    role: null,
    id: '',
    ...extra,
  });
  const at = (offer: DemoOfferRecord, date: string, extra: Partial<SessionPlan> = {}) =>
    plan(
      offer,
      date,
      must(londonInstant(date, offer.start), `${offer.title} starting on ${date}`),
      must(londonInstant(date, offer.end), `${offer.title} ending on ${date}`),
      extra,
    );

  const museum = must(
    offers.find((o) => o.title === 'Object handling and conversation'),
    'the museum offer',
  );
  const singing = must(
    offers.find((o) => o.title === 'Singing for wellbeing'),
    'the singing offer',
  );
  // What the two demo providers are preparing: a draft about four weeks ahead.
  const drafts = new Map(
    offers
      .filter((o) => o.title === 'Drawing in the galleries' || o.title === 'Garden volunteering placement')
      .map((o) => [o.id, onOrAfter(addDays(today, 28), o.day)]),
  );

  const sessions: SessionPlan[] = [];
  for (const [index, offer] of offers.entries()) {
    const step = offer.everyWeeks * 7;
    // Offers start their cycles in different weeks, so the tasters spread over the calendar.
    const first = addDays(onOrAfter(EPOCH, offer.day), ((index * 5) % offer.everyWeeks) * 7);
    const draft = drafts.get(offer.id);
    for (let date = addDays(first, Math.ceil(daysBetween(first, from) / step) * step); date <= to; date = addDays(date, step)) {
      if (offer.category === 'gardening_nature' && date >= quiet.from && date <= quiet.to) continue;
      if (offer === museum && date === today) continue;
      if (closedDays.includes(date.slice(5))) continue;
      if (draft && Math.abs(daysBetween(date, draft)) < 21) continue;
      sessions.push(at(offer, date));
    }
    if (draft) sessions.push(at(offer, draft, { status: 'draft', publishedAt: null }));
  }

  const start = todaysStart(today, now);
  sessions.push(plan(museum, today, start, new Date(start.getTime() + 90 * 60_000), { capacity: 10, role: 'today' }));

  const singingSessions = sessions.filter((s) => s.offer === singing && s.status === 'published');
  const upcoming = singingSessions.find((s) => s.date > today);
  if (upcoming) upcoming.role = 'popularUpcoming';
  const filled = singingSessions.findLast((s) => s.date >= quiet.from && s.date <= quiet.to);
  if (filled) filled.role = 'popularPast';

  // The seated dance leader was unwell at the last one more than a week ago.
  const cancelled = sessions.findLast((s) => s.offer.title === 'Seated dance' && s.happened && daysBetween(s.date, today) > 7);
  if (cancelled) {
    cancelled.status = 'cancelled';
    cancelled.cancelledAt = new Date(cancelled.startsAt.getTime() - 2 * DAY);
  }
  return sessions.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.offer.title.localeCompare(b.offer.title));
}

/** Inserts the sessions and notes each one's id. Registers of past sessions were completed at the end. */
export async function insertSessions(tx: Tx, sessions: SessionPlan[]): Promise<void> {
  const rows = await tx
    .insertInto('tasterSessions')
    .values(
      sessions.map((s) => ({
        offerId: s.offer.id,
        venueId: s.offer.venueId,
        isOnline: s.offer.online !== null,
        joiningInstructions: s.offer.online,
        startsAt: s.startsAt,
        endsAt: s.endsAt,
        capacity: s.capacity,
        bookingClosesAt: s.bookingClosesAt,
        whatToBring: s.offer.whatToBring,
        status: s.status,
        cancellationReason: s.status === 'cancelled' ? 'The session leader was unwell. Sorry for the short notice.' : null,
        cancelledAt: s.cancelledAt,
        publishedAt: s.publishedAt,
        registerCompletedAt: s.happened && s.status === 'published' ? s.endsAt : null,
      })),
    )
    .returning(['id', 'offerId', 'startsAt'])
    .execute();
  const idOf = new Map(rows.map((r) => [`${r.offerId} ${r.startsAt.toISOString()}`, r.id]));
  for (const s of sessions) s.id = must(idOf.get(`${s.offer.id} ${s.startsAt.toISOString()}`), 'an inserted session');
}
