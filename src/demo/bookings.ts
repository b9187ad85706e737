import type { Tx } from '../db/database.ts';
import type { Attendance, BookingStatus } from '../db/tables/bookings.ts';
import { londonParts } from '../lib/london-time.ts';
import { daysBetween, monthsBefore, shareOfQuarterFrom } from './calendar.ts';
import { must } from './must.ts';
import type { DemoLinkWorker } from './people.ts';
import type { Random } from './random.ts';
import type { SessionPlan } from './sessions.ts';

/**
 * Who booked which taster, who waited, who came and who did not. Each link worker books a few
 * tasters a quarter (their own number, one to five), tries each offer once, and goes to one taster
 * a day at most; sessions fill to about their offer's usual demand, the ones further ahead less so.
 * The sessions that carry the story are filled first, so they are full whatever the date.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export type BookingPlan = {
  session: SessionPlan;
  person: DemoLinkWorker;
  status: BookingStatus;
  requestedAt: Date;
  waitlistedAt: Date | null;
  confirmedAt: Date | null;
  cancelledAt: Date | null;
  promotedAt: Date | null;
  isWalkIn: boolean;
  attendance: Attendance | null;
  attendanceRecordedAt: Date | null;
  confidenceBefore: number | null;
  id: string;
};

type Seat = { person: DemoLinkWorker; waiting: boolean };

export function planBookings(sessions: SessionPlan[], people: DemoLinkWorker[], random: Random, now: Date): BookingPlan[] {
  const today = londonParts(now).isoDate;
  const from = monthsBefore(today, 7);
  const dev = must(
    people.find((p) => p.email === 'dev.linkworker@nhs.net'),
    'Dev, the demo link worker',
  );
  const sam = must(
    people.find((p) => p.email === 'sam.linkworker@nhs.net'),
    'Sam, the demo link worker',
  );

  // Each person's tasters for each quarter; fewer in the quarter the history starts part-way through.
  const left = new Map<string, number>();
  const dateInQuarter = new Map(sessions.map((s) => [s.quarter, s.date]));
  for (const [quarter, date] of [...dateInQuarter].sort()) {
    for (const person of people) left.set(`${person.id} ${quarter}`, random.round(person.perQuarter * shareOfQuarterFrom(date, from)));
  }
  // "person offer" and "person date": what each has tried, and the days they are already out.
  const tried = new Set<string>();
  const busy = new Set<string>();
  const seats = new Map<SessionPlan, Seat[]>(sessions.map((s) => [s, []]));
  const seatsOf = (s: SessionPlan) => seats.get(s) ?? [];

  const quota = (p: DemoLinkWorker, s: SessionPlan) => left.get(`${p.id} ${s.quarter}`) ?? 0;
  const eligible = (p: DemoLinkWorker, s: SessionPlan) => quota(p, s) > 0 && !tried.has(`${p.id} ${s.offer.id}`) && !busy.has(`${p.id} ${s.date}`);
  const take = (p: DemoLinkWorker, s: SessionPlan, waiting = false) => {
    left.set(`${p.id} ${s.quarter}`, quota(p, s) - 1);
    tried.add(`${p.id} ${s.offer.id}`);
    busy.add(`${p.id} ${s.date}`);
    seats.set(s, [...seatsOf(s), { person: p, waiting }]);
  };
  const pickFor = (s: SessionPlan, except: DemoLinkWorker[] = []) =>
    random.pickWeighted(people, (p) => (except.includes(p) || !eligible(p, s) ? 0 : quota(p, s) * (p.likes.includes(s.offer.category) ? 3 : 1)));
  const fill = (s: SessionPlan, count: number, waiting = false, except: DemoLinkWorker[] = []) => {
    for (let i = 0; i < count; i++) {
      const person = pickFor(s, except);
      if (!person) return;
      take(person, s, waiting);
    }
  };
  const confirmed = (s: SessionPlan) => seatsOf(s).filter((seat) => !seat.waiting).length;

  // The story first. Today at the museum: Dev and a few others, not yet marked.
  const todays = must(
    sessions.find((s) => s.role === 'today'),
    "today's museum session",
  );
  take(dev, todays);
  fill(todays, 5);
  // The singing taster coming up is full, and Dev is first on its waiting list.
  const upcoming = sessions.find((s) => s.role === 'popularUpcoming');
  if (upcoming) {
    fill(upcoming, upcoming.capacity, false, [dev]);
    if (eligible(dev, upcoming)) take(dev, upcoming, true);
    fill(upcoming, 2, true);
  }
  // The one last quarter filled up too: three waited (see the promotion and walk-in below).
  const popular = sessions.find((s) => s.role === 'popularPast');
  if (popular) {
    fill(popular, popular.capacity);
    fill(popular, 3, true);
  }
  // Sam missed one last quarter; Dev went to one in the last fortnight and has yet to give feedback.
  const missed = sessions.find((s) => s.happened && s.status === 'published' && s.role === null && s.quarter === popular?.quarter && eligible(sam, s));
  if (missed) take(sam, missed);
  const devsLatest = sessions.findLast(
    (s) => s.happened && s.status === 'published' && s.role === null && daysBetween(s.date, today) <= 14 && eligible(dev, s),
  );
  if (devsLatest) take(dev, devsLatest);

  // Everything else, a place at a time round the sessions, so people spread across them.
  const target = new Map<SessionPlan, number>();
  for (const s of sessions) {
    if (s.role !== null || s.status === 'draft') continue;
    const ahead = daysBetween(today, s.date);
    const lead = s.happened ? 1 : ahead <= 7 ? 0.75 : ahead <= 21 ? 0.5 : 0.25;
    target.set(s, Math.min(s.capacity, Math.round(s.capacity * s.offer.demand * lead * (0.75 + random.next() * 0.5))));
  }
  const order = random.shuffle([...target]);
  for (let progress = true; progress; ) {
    progress = false;
    for (const [s, wanted] of order) {
      if (confirmed(s) >= wanted) continue;
      const person = pickFor(s);
      if (!person) continue;
      take(person, s);
      progress = true;
    }
  }

  const plans: BookingPlan[] = [];
  for (const s of sessions) {
    const taken = seatsOf(s);
    if (!taken.length) continue;
    // Requests arrive between publishing and the booking deadline (or now, for what is still ahead).
    const open = (s.publishedAt ?? s.startsAt).getTime();
    const span = Math.max(HOUR, Math.min(s.bookingClosesAt.getTime(), now.getTime() - HOUR) - open);
    const times = (n: number, lo: number, hi: number) =>
      Array.from({ length: n }, () => new Date(open + Math.floor((lo + random.next() * (hi - lo)) * span))).sort((a, b) => a.getTime() - b.getTime());
    const booked = taken.filter((seat) => !seat.waiting);
    const waiting = taken.filter((seat) => seat.waiting);
    const requested = [...times(booked.length, 0, 0.8), ...times(waiting.length, 0.8, 0.9)];
    const recordedAt = new Date(s.startsAt.getTime() + 10 * MINUTE);
    [...booked, ...waiting].forEach((seat, i) => {
      const requestedAt = must(requested[i], 'a request time for each seat');
      const plan: BookingPlan = {
        session: s,
        person: seat.person,
        status: seat.waiting ? 'waitlisted' : 'confirmed',
        requestedAt,
        waitlistedAt: seat.waiting ? requestedAt : null,
        confirmedAt: seat.waiting ? null : requestedAt,
        cancelledAt: null,
        promotedAt: null,
        isWalkIn: false,
        attendance: null,
        attendanceRecordedAt: null,
        // Asked when booking, and optional: most answer.
        confidenceBefore: random.chance(0.7) ? random.int(2, 7) : null,
        id: '',
      };
      if (s.status === 'cancelled') Object.assign(plan, { status: 'cancelled', cancelledAt: s.cancelledAt });
      plans.push(plan);
    });
    const mine = plans.slice(plans.length - taken.length);
    if (s === popular) {
      // Someone gave up their place two days before; the first on the waiting list got it, the
      // second turned up anyway and was let in at the door, the third never got a place.
      const cancelledAt = new Date(open + Math.floor(0.95 * span));
      Object.assign(
        must(
          mine.find((b) => b.status === 'confirmed' && b.person !== dev),
          'a place to give up on the full session',
        ),
        { status: 'cancelled', cancelledAt },
      );
      const [promoted, walkIn] = mine.filter((b) => b.status === 'waitlisted');
      if (promoted) Object.assign(promoted, { status: 'confirmed', confirmedAt: cancelledAt, promotedAt: cancelledAt });
      if (walkIn) Object.assign(walkIn, { status: 'confirmed', confirmedAt: recordedAt, isWalkIn: true, confidenceBefore: null });
    }
    if (s.happened && s.status === 'published') {
      for (const b of mine.filter((b) => b.status === 'confirmed')) {
        const noShow = (s === missed && b.person === sam) || (!(s === devsLatest && b.person === dev) && !b.isWalkIn && random.chance(0.06));
        Object.assign(b, { attendance: noShow ? 'no_show' : 'attended', attendanceRecordedAt: recordedAt });
      }
    }
  }
  return plans;
}

export async function insertBookings(tx: Tx, plans: BookingPlan[]): Promise<void> {
  const idOf = new Map<string, string>();
  for (let i = 0; i < plans.length; i += 500) {
    const rows = await tx
      .insertInto('bookings')
      .values(
        plans.slice(i, i + 500).map((b) => ({
          tasterSessionId: b.session.id,
          userId: b.person.id,
          status: b.status,
          requestedAt: b.requestedAt,
          waitlistedAt: b.waitlistedAt,
          confirmedAt: b.confirmedAt,
          cancelledAt: b.cancelledAt,
          promotedAt: b.promotedAt,
          isWalkIn: b.isWalkIn,
          attendance: b.attendance,
          attendanceRecordedAt: b.attendanceRecordedAt,
          confidenceBefore: b.confidenceBefore,
          updatedAt: new Date(Math.max(...[b.requestedAt, b.confirmedAt, b.cancelledAt, b.attendanceRecordedAt].map((d) => d?.getTime() ?? 0))),
        })),
      )
      .returning(['id', 'tasterSessionId', 'userId'])
      .execute();
    for (const row of rows) idOf.set(`${row.tasterSessionId} ${row.userId}`, row.id);
  }
  for (const b of plans) b.id = must(idOf.get(`${b.session.id} ${b.person.id}`), 'an inserted booking');
}
