import { DateTime } from 'luxon';
import { type ScheduleFrequency, type Weekday, weekdays } from '../db/tables/publishing.ts';
import { derivedId } from './ids.ts';

export type ScheduleFields = {
  id: string;
  scheduleFrequency: ScheduleFrequency | null;
  scheduleDays: readonly string[];
  scheduleWeekOfMonth: number | null;
  /** 'HH:MM:SS', wall-clock time in Europe/London. */
  scheduleStartTime: string | null;
  scheduleEndTime: string | null;
  scheduleNote: string;
};

export type ScheduleContext = {
  /** Where the offer's upcoming tasters are listed. */
  scheduleLink: string;
  /** 'In person', 'Online', 'In person or online', or null when nothing says. */
  attendingType: string | null;
  /** The next published taster, used as the first date of a fortnightly pattern. */
  nextSessionStart: Date | null;
};

export type OrukSchedule = {
  id: string;
  service_id: string;
  freq?: 'WEEKLY' | 'MONTHLY';
  interval?: number;
  byday?: string;
  dtstart?: string;
  opens_at?: string;
  closes_at?: string;
  description: string;
  schedule_link: string;
  attending_type?: string;
  notes?: string;
};

const dayNames: Record<Weekday, string> = {
  MO: 'Monday',
  TU: 'Tuesday',
  WE: 'Wednesday',
  TH: 'Thursday',
  FR: 'Friday',
  SA: 'Saturday',
  SU: 'Sunday',
};

const weekNames: Record<string, string> = { '1': 'first', '2': 'second', '3': 'third', '4': 'fourth', '5': 'fifth', '-1': 'last' };

/**
 * The offer's usual pattern as an Open Referral UK schedule (iCalendar RRULE parts). Times stay
 * London wall-clock times without an offset: a fixed offset would be wrong for half the year,
 * so the notes say which clock they follow. Null when the offer says nothing about when it runs.
 */
export function mapSchedule(offer: ScheduleFields, context: ScheduleContext): OrukSchedule | null {
  const note = offer.scheduleNote.trim();
  if (!offer.scheduleFrequency && !note && !offer.scheduleStartTime) return null;
  const days = weekdays.filter((day) => offer.scheduleDays.includes(day));
  const opensAt = normaliseTime(offer.scheduleStartTime);
  const closesAt = normaliseTime(offer.scheduleEndTime);
  const schedule: OrukSchedule = {
    id: derivedId(`offer/${offer.id}/schedule`),
    service_id: offer.id,
    description: '',
    schedule_link: context.scheduleLink,
  };

  const frequency = offer.scheduleFrequency;
  if (frequency === 'weekly' || frequency === 'fortnightly') {
    schedule.freq = 'WEEKLY';
    schedule.interval = frequency === 'fortnightly' ? 2 : 1;
    if (days.length) schedule.byday = days.join(',');
    // "Every other week" needs a first date to count from; the next taster on one of the days gives it.
    const first = frequency === 'fortnightly' ? firstDateOn(context.nextSessionStart, days) : null;
    if (first) schedule.dtstart = first;
  } else if (frequency === 'monthly') {
    schedule.freq = 'MONTHLY';
    schedule.interval = 1;
    // Without a week of the month, MONTHLY;BYDAY=FR would mean every Friday: leave the days to the description.
    if (days.length && offer.scheduleWeekOfMonth) schedule.byday = days.map((day) => `${offer.scheduleWeekOfMonth}${day}`).join(',');
  }
  if (opensAt) schedule.opens_at = opensAt;
  if (closesAt) schedule.closes_at = closesAt;
  schedule.description = [describePattern(frequency, days, offer.scheduleWeekOfMonth, opensAt, closesAt), note]
    .filter(Boolean)
    .map((sentence) => (/[.!?]$/.test(sentence) ? sentence : `${sentence}.`))
    .join(' ');
  if (context.attendingType) schedule.attending_type = context.attendingType;
  if (opensAt || closesAt) schedule.notes = 'Times are UK time (Europe/London).';
  return schedule;
}

function describePattern(
  frequency: ScheduleFrequency | null,
  days: Weekday[],
  weekOfMonth: number | null,
  opensAt: string | null,
  closesAt: string | null,
): string {
  const plural = listOf(days.map((day) => `${dayNames[day]}s`));
  const singular = listOf(days.map((day) => dayNames[day]));
  let pattern = '';
  if (frequency === 'weekly') pattern = days.length ? `Weekly on ${plural}` : 'Weekly';
  if (frequency === 'fortnightly') pattern = days.length ? `Fortnightly on ${plural}` : 'Fortnightly';
  if (frequency === 'monthly') {
    const week = weekOfMonth ? weekNames[String(weekOfMonth)] : undefined;
    if (days.length && week) pattern = `The ${week} ${singular} of each month`;
    else if (days.length)
      pattern = `Once a month, on a ${listOf(
        days.map((day) => dayNames[day]),
        'or',
      )}`;
    else pattern = 'Once a month';
  }
  const times = opensAt && closesAt ? `${spokenTime(opensAt)} to ${spokenTime(closesAt)}` : opensAt ? `from ${spokenTime(opensAt)}` : '';
  if (!pattern) return times ? times.charAt(0).toUpperCase() + times.slice(1) : '';
  return times ? `${pattern}, ${times}` : pattern;
}

function listOf(items: string[], conjunction = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;
}

/** 'HH:MM' or 'HH:MM:SS' as 'HH:MM:SS'; null for anything else. */
export function normaliseTime(value: string | null): string | null {
  const match = value ? /^(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value) : null;
  return match ? `${match[1]}:${match[2]}:${match[3] ?? '00'}` : null;
}

/** '14:00:00' → '2pm', '15:30:00' → '3:30pm'. */
export function spokenTime(value: string): string {
  const [hours, minutes] = value.split(':').map(Number) as [number, number];
  const suffix = hours < 12 ? 'am' : 'pm';
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  return minutes ? `${hour12}:${String(minutes).padStart(2, '0')}${suffix}` : `${hour12}${suffix}`;
}

function firstDateOn(start: Date | null, days: Weekday[]): string | null {
  if (!start) return null;
  const local = DateTime.fromJSDate(start).setZone('Europe/London');
  const code = weekdays[local.weekday - 1];
  return code !== undefined && days.includes(code) ? local.toISODate() : null;
}
