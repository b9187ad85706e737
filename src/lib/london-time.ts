import { DateTime } from 'luxon';

/**
 * Dates and times as people enter them: wall-clock time in Europe/London. Stored values are UTC
 * instants; these helpers turn one into the other, so 2pm stays 2pm on both sides of a clock change.
 */
export const LONDON_ZONE = 'Europe/London';

/**
 * The calendar date of a DateTime, 'YYYY-MM-DD'. Luxon answers null for an invalid DateTime; every
 * caller builds its DateTime from a checked date or an instant, so an invalid one is a bug, and it
 * fails here by name instead of travelling on as a null typed as a string.
 */
export function isoDateOf(value: DateTime): string {
  const date = value.toISODate();
  if (date === null) throw new Error(`Not a valid date: ${value.invalidExplanation ?? value.invalidReason}`);
  return date;
}

export type DateParts = { day?: string | undefined; month?: string | undefined; year?: string | undefined };

export type ParsedDate = { ok: true; isoDate: string } | { ok: false; problem: 'missing' | 'incomplete' | 'invalid' };

/** A date typed into the three boxes of a date input (day, month, year). */
export function parseDateParts(parts: DateParts): ParsedDate {
  const values = [parts.day, parts.month, parts.year].map((v) => (v ?? '').trim());
  if (values.every((v) => v === '')) return { ok: false, problem: 'missing' };
  if (values.some((v) => v === '')) return { ok: false, problem: 'incomplete' };
  const [day, month, year] = values as [string, string, string];
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return { ok: false, problem: 'invalid' };
  const date = DateTime.fromObject({ year: Number(year), month: Number(month), day: Number(day) }, { zone: LONDON_ZONE });
  if (!date.isValid) return { ok: false, problem: 'invalid' };
  return { ok: true, isoDate: isoDateOf(date) };
}

/**
 * A time of day as people write it: "14:00", "14.30", "2pm", "2:30 pm", "9am". Returns "HH:MM"
 * (24-hour clock), or null when it is not a time.
 */
export function parseTime(input: string): string | null {
  const match = /^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/i.exec(input.trim());
  if (!match) return null;
  let hours = Number(match[1]);
  const minutes = match[2] === undefined ? 0 : Number(match[2]);
  const suffix = match[3]?.toLowerCase().replace(/\./g, '');
  if (minutes > 59) return null;
  if (suffix) {
    if (hours < 1 || hours > 12) return null;
    if (suffix === 'pm' && hours !== 12) hours += 12;
    if (suffix === 'am' && hours === 12) hours = 0;
  } else if (match[2] === undefined) {
    // A bare number ("14") is an hour on the 24-hour clock; "2" alone is too ambiguous to guess.
    if (hours < 13) return null;
  }
  if (hours > 23) return null;
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/**
 * The instant at which a London wall-clock time happens on a date. Returns null for a time that does
 * not exist in London (the hour skipped when the clocks go forward on the last Sunday of March).
 * A time that happens twice (the hour repeated on the last Sunday of October) is taken as the first,
 * in British Summer Time.
 */
export function londonInstant(isoDate: string, time: string): Date | null {
  const value = DateTime.fromISO(`${isoDate}T${time}`, { zone: LONDON_ZONE });
  if (!value.isValid) return null;
  // Luxon moves a skipped time forward an hour; a moved time is one that never happens.
  const wanted = `${isoDate} ${time}`;
  if (value.toFormat('yyyy-MM-dd HH:mm') !== wanted) return null;
  // In the repeated hour Luxon answers the second (GMT) one; an hour earlier reads the same in BST.
  const earlier = value.minus({ hours: 1 });
  return (earlier.toFormat('yyyy-MM-dd HH:mm') === wanted ? earlier : value).toJSDate();
}

/** The London date and time of an instant, as the form fields show them. */
export function londonParts(value: Date): { isoDate: string; day: string; month: string; year: string; time: string } {
  const london = DateTime.fromJSDate(value, { zone: LONDON_ZONE });
  return {
    isoDate: isoDateOf(london),
    day: String(london.day),
    month: String(london.month),
    year: String(london.year),
    time: london.toFormat('HH:mm'),
  };
}

/** The ISO date a number of days after another, counted on the calendar (no clock involved). */
export function addDays(isoDate: string, days: number): string {
  return isoDateOf(DateTime.fromISO(isoDate, { zone: LONDON_ZONE }).plus({ days }));
}

/**
 * The same London wall-clock time a number of weeks later. Adding 7 × 24 hours would turn a 2pm
 * session into 1pm or 3pm after a clock change; adding calendar weeks in London keeps it at 2pm.
 */
export function addLondonWeeks(value: Date, weeks: number): Date | null {
  const parts = londonParts(value);
  return londonInstant(addDays(parts.isoDate, weeks * 7), parts.time);
}

/** Whole minutes between two instants. */
export function minutesBetween(from: Date, to: Date): number {
  return Math.round((to.getTime() - from.getTime()) / 60_000);
}
