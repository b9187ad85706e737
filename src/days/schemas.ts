import { z } from 'zod';
import { requiredText } from '../lib/forms.ts';
import { londonInstant, parseDateParts, parseTime } from '../lib/london-time.ts';
import { checkbox, notesText, optionalId, wholeNumber } from '../publishing/organisations/fields.ts';

/**
 * The forms of taster days: the day, a programme item, a taster in a slot, and registering (with
 * one choice per slot). Times are typed as London wall-clock times; a day happens on one date.
 */

const text = z
  .string()
  .optional()
  .transform((value) => value?.trim() ?? '');

const places = (who: string) =>
  wholeNumber({
    missing: `Enter how many places there are for ${who}`,
    invalid: `Enter the places for ${who} as a whole number, like 25`,
    min: [0, `Places for ${who} cannot be below 0`],
    max: [1000, `There can be at most 1,000 places for ${who}`],
  });

const rawDayForm = z.object({
  title: requiredText('Enter the title of the day', 120, 'Title must be 120 characters or fewer'),
  description: notesText(4000, 'Description must be 4,000 characters or fewer', { multiline: true }),
  venueId: optionalId,
  dateDay: text,
  dateMonth: text,
  dateYear: text,
  startTime: text,
  endTime: text,
  closesDay: text,
  closesMonth: text,
  closesYear: text,
  closesTime: text,
  linkWorkerPlaces: places('link workers'),
  culturalPlaces: places('cultural-sector staff'),
});

type Issue = [field: string, message: string];

/**
 * Cross-field checks run even when a field of their own failed (a missing title), so the page
 * lists every problem at once; they read only the fields that cannot fail (trimmed text, ids).
 */
const always = { when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null };

function timeOn(isoDate: string | null, value: string, field: string, what: string, example: string, issues: Issue[]): Date | null {
  if (!value) {
    issues.push([field, `Enter the ${what}, like ${example}`]);
    return null;
  }
  const time = parseTime(value);
  if (!time) {
    issues.push([field, `Enter the ${what} in the correct format, like ${example}`]);
    return null;
  }
  if (!isoDate) return null;
  const instant = londonInstant(isoDate, time);
  if (!instant) issues.push([field, 'That time does not exist on this date, because the clocks go forward. Enter a time after 2am']);
  return instant;
}

function dayTimes(form: z.output<typeof rawDayForm>) {
  const issues: Issue[] = [];
  const date = parseDateParts({ day: form.dateDay, month: form.dateMonth, year: form.dateYear });
  if (!date.ok) {
    issues.push([
      'date',
      date.problem === 'missing'
        ? 'Enter the date of the day'
        : date.problem === 'incomplete'
          ? 'The date must include a day, month and year'
          : 'The date must be a real date, like 12 3 2027',
    ]);
  }
  const isoDate = date.ok ? date.isoDate : null;
  const startsAt = timeOn(isoDate, form.startTime, 'startTime', 'start time', '9:30 or 9:30am', issues);
  const endsAt = timeOn(isoDate, form.endTime, 'endTime', 'end time', '16:30 or 4:30pm', issues);
  if (startsAt && endsAt && endsAt <= startsAt) issues.push(['endTime', 'The end time must be after the start time']);
  const closesDate = parseDateParts({ day: form.closesDay, month: form.closesMonth, year: form.closesYear });
  let closesAt: Date | null = null;
  if (!closesDate.ok) {
    issues.push([
      'bookingCloses',
      closesDate.problem === 'invalid' ? 'The date registration closes must be a real date' : 'Enter the date registration closes, with a day, month and year',
    ]);
  } else {
    closesAt = timeOn(closesDate.isoDate, form.closesTime, 'bookingCloses', 'time registration closes', '17:00 or 5pm', issues);
  }
  return { isoDate, startsAt, endsAt, closesAt, issues };
}

/**
 * The day itself, created or changed by a coordinator. When changing it, a deadline left as it was
 * (deadlineWas) may already have passed: only a new deadline must be in the future.
 */
export function dayForm(now: Date, options: { deadlineWas?: Date } = {}) {
  return rawDayForm
    .superRefine((form, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      if (!form.venueId) issue('venueId', 'Select the venue');
      const t = dayTimes(form);
      for (const [path, message] of t.issues) issue(path, message);
      if (t.startsAt && t.startsAt <= now) issue('date', 'The day must be in the future');
      if (t.startsAt && t.closesAt) {
        if (t.closesAt > t.startsAt) issue('bookingCloses', 'Registration must close before the day starts');
        else if (t.closesAt <= now && t.closesAt.getTime() !== options.deadlineWas?.getTime()) issue('bookingCloses', 'Registration must close in the future');
      }
      if (form.linkWorkerPlaces === 0 && form.culturalPlaces === 0)
        issue('linkWorkerPlaces', 'Enter at least 1 place for link workers or cultural-sector staff');
    }, always)
    .transform((form, ctx) => {
      const { startsAt, endsAt, closesAt } = dayTimes(form);
      if (!startsAt || !endsAt || !closesAt || !form.venueId) {
        ctx.addIssue({ code: 'custom', path: ['date'], message: 'Enter the date and times of the day' });
        return z.NEVER;
      }
      return {
        title: form.title,
        description: form.description,
        venueId: form.venueId,
        startsAt,
        endsAt,
        bookingClosesAt: closesAt,
        linkWorkerPlaces: form.linkWorkerPlaces,
        culturalPlaces: form.culturalPlaces,
      };
    });
}

export type DayInput = z.output<ReturnType<typeof dayForm>>;

const rawItemForm = z.object({
  kind: z.enum(['plenary', 'slot'], { error: 'Select whether this is for everyone or a choice of tasters' }),
  title: requiredText('Enter the title of the item', 120, 'Title must be 120 characters or fewer'),
  description: notesText(2000, 'Description must be 2,000 characters or fewer', { multiline: true }),
  startTime: text,
  endTime: text,
});

/** A programme item, on the day's date (given as its ISO date in London), within the day's hours. */
export function itemForm(day: { isoDate: string; startsAt: Date; endsAt: Date }) {
  const times = (form: z.output<typeof rawItemForm>) => {
    const issues: Issue[] = [];
    const startsAt = timeOn(day.isoDate, form.startTime, 'startTime', 'start time', '14:00 or 2pm', issues);
    const endsAt = timeOn(day.isoDate, form.endTime, 'endTime', 'end time', '15:30 or 3:30pm', issues);
    if (startsAt && endsAt && endsAt <= startsAt) issues.push(['endTime', 'The end time must be after the start time']);
    if (startsAt && (startsAt < day.startsAt || startsAt >= day.endsAt)) issues.push(['startTime', 'The item must start during the day']);
    if (endsAt && (endsAt > day.endsAt || endsAt <= day.startsAt)) issues.push(['endTime', 'The item must end by the end of the day']);
    return { startsAt, endsAt, issues };
  };
  return rawItemForm
    .superRefine((form, ctx) => {
      for (const [path, message] of times(form).issues) ctx.addIssue({ code: 'custom', path: [path], message });
    }, always)
    .transform((form, ctx) => {
      const { startsAt, endsAt } = times(form);
      if (!startsAt || !endsAt) {
        ctx.addIssue({ code: 'custom', path: ['startTime'], message: 'Enter the start and end times' });
        return z.NEVER;
      }
      return { kind: form.kind, title: form.title, description: form.description, startsAt, endsAt };
    });
}

export type ItemInput = z.output<ReturnType<typeof itemForm>>;

export const tasterForm = z.object({
  organisationId: optionalId.refine((id) => id !== null, { error: 'Select the organisation running the taster' }).transform((id) => id ?? ''),
  title: requiredText('Enter the title of the taster', 120, 'Title must be 120 characters or fewer'),
  description: notesText(2000, 'Description must be 2,000 characters or fewer', { multiline: true }),
  capacity: wholeNumber({
    missing: 'Enter how many places the taster has',
    invalid: 'Enter the number of places as a whole number, like 10',
    min: [1, 'There must be at least 1 place'],
    max: [1000, 'There can be at most 1,000 places'],
  }),
  room: notesText(120, 'Room must be 120 characters or fewer'),
  whatToBring: notesText(1000, 'What to bring must be 1,000 characters or fewer', { multiline: true }),
});

export type TasterInput = z.output<typeof tasterForm>;

/** The name of a slot's field on the registration and choices forms. */
export const slotField = (itemId: string) => `slot-${itemId}`;

const slotChoice = z
  .string()
  .optional()
  .transform((value) => value?.trim() ?? '');

const needs = (label: string) => notesText(1000, `${label} must be 1,000 characters or fewer`, { multiline: true });

/**
 * Registering for a day: needs, the participant list, and one choice per slot. The slots are the
 * day's, so the schema is built for the day; whether a choice is required, allowed and free is the
 * service's to say (it knows the audience and the places, under the day's lock).
 */
export function registrationForm(slotIds: string[]) {
  return z.object({
    accessNeeds: needs('Access needs'),
    dietaryNeeds: needs('Dietary needs'),
    participantList: checkbox,
    ...Object.fromEntries(slotIds.map((id) => [slotField(id), slotChoice])),
  });
}

/** Changing the choices: one per slot, nothing else. */
export function choicesForm(slotIds: string[]) {
  return z.object(Object.fromEntries(slotIds.map((id) => [slotField(id), slotChoice])));
}

/** The choices a form carries, slot by slot ('' for none). */
export function choicesOf(value: Record<string, unknown>, slotIds: string[]): Map<string, string> {
  return new Map(slotIds.map((id) => [id, String(value[slotField(id)] ?? '')]));
}

export const participantListForm = z.object({
  participantList: z.enum(['yes', 'no'], { error: 'Select whether to appear on the participant list' }),
});

/** Cancelling a day: the reason goes in the email to everyone registered. */
export const cancelDayForm = z.object({
  reason: notesText(500, 'Reason must be 500 characters or fewer', { multiline: true }),
});
