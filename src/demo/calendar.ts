import { DateTime } from 'luxon';
import type { Weekday } from '../db/tables/publishing.ts';
import { addDays, isoDateOf, LONDON_ZONE } from '../lib/london-time.ts';

/** Calendar arithmetic on London dates ('YYYY-MM-DD'), free of clock changes: whole days only. */

const DAY = 86_400_000;

export function dayNumber(isoDate: string): number {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY;
}

export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

const weekdayNumber: Record<Weekday, number> = { MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6, SU: 7 };

/** The first date on or after `from` that falls on the weekday. */
export function onOrAfter(from: string, day: Weekday): string {
  const weekday = DateTime.fromISO(from, { zone: LONDON_ZONE }).weekday;
  return addDays(from, (weekdayNumber[day] - weekday + 7) % 7);
}

/** '2026-3' for a date in July to September 2026: reports and the demo's people both think in quarters. */
export function quarterOf(isoDate: string): string {
  const [y, m] = isoDate.split('-').map(Number) as [number, number];
  return `${y}-${Math.ceil(m / 3)}`;
}

/** The share of a date's quarter that falls on or after `from`: 1 for any later quarter. */
export function shareOfQuarterFrom(isoDate: string, from: string): number {
  const start = DateTime.fromISO(isoDate, { zone: LONDON_ZONE }).startOf('quarter');
  const end = start.plus({ quarters: 1 });
  const first = isoDateOf(start);
  const last = isoDateOf(end);
  if (from <= first) return 1;
  return Math.max(0, daysBetween(from, last) / daysBetween(first, last));
}

export function monthsBefore(isoDate: string, months: number): string {
  return isoDateOf(DateTime.fromISO(isoDate, { zone: LONDON_ZONE }).minus({ months }));
}
