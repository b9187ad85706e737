import { z } from 'zod';
import { requiredText } from '../../lib/forms.ts';
import { londonInstant, parseDateParts, parseTime } from '../../lib/london-time.ts';
import { notesText, optionalId, wholeNumber } from '../organisations/fields.ts';

export const MAX_REPEAT_WEEKS = 26;
export const DEFAULT_CLOSING_HOURS = 24;

const text = z
  .string()
  .optional()
  .transform((value) => value?.trim() ?? '');

const capacity = wholeNumber({
  missing: 'Enter how many places there are',
  invalid: 'Enter the number of places as a whole number, like 12',
  min: [1, 'There must be at least 1 place'],
  max: [1000, 'There can be at most 1,000 places'],
});

const rawSessionForm = z.object({
  dateDay: text,
  dateMonth: text,
  dateYear: text,
  startTime: text,
  endTime: text,
  where: z.enum(['venue', 'online'], { error: 'Select where the session takes place' }),
  venueId: optionalId,
  joiningInstructions: notesText(2000, 'Joining instructions must be 2,000 characters or fewer', { multiline: true }),
  capacity,
  closesDay: text,
  closesMonth: text,
  closesYear: text,
  closesTime: text,
  whatToBring: notesText(1000, 'What to bring must be 1,000 characters or fewer', { multiline: true }),
  accessNotes: notesText(2000, 'Access notes must be 2,000 characters or fewer', { multiline: true }),
  facilitatorNote: notesText(2000, 'Meet the facilitator must be 2,000 characters or fewer', { multiline: true }),
  repeatWeeks: z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value.trim() : '1'))
    .pipe(
      wholeNumber({
        missing: 'Enter how many weeks',
        invalid: `Enter how many weeks as a whole number, from 1 to ${MAX_REPEAT_WEEKS}`,
        min: [1, 'Enter 1 for a single session, or more for a weekly series'],
        max: [MAX_REPEAT_WEEKS, `A series can run for at most ${MAX_REPEAT_WEEKS} weeks`],
      }),
    ),
  // The dates of a series the provider chose to skip (bank holidays, closures), ticked on the
  // "check the dates" step, one London date per box; and which series those dates were shown for.
  skip: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'Select the dates to skip from the list' }))
        .max(MAX_REPEAT_WEEKS, { error: 'Select the dates to skip from the list' }),
    ),
  datesFor: z
    .string()
    .optional()
    .transform((value) => value?.trim() ?? '')
    .pipe(z.string().max(40, { error: 'Check the dates of the series again' })),
});

type RawSessionForm = z.output<typeof rawSessionForm>;

type Times = { startsAt: Date | null; endsAt: Date | null; closesAt: Date | null; closesGiven: boolean; issues: Array<[string, string]> };

/** The London wall-clock fields turned into instants, with a message for each one that does not work. */
function times(form: RawSessionForm): Times {
  const issues: Array<[string, string]> = [];
  const date = parseDateParts({ day: form.dateDay, month: form.dateMonth, year: form.dateYear });
  if (!date.ok) {
    issues.push([
      'date',
      date.problem === 'missing'
        ? 'Enter the date of the session'
        : date.problem === 'incomplete'
          ? 'The date must include a day, month and year'
          : 'The date must be a real date, like 28 10 2027',
    ]);
  }
  const start = form.startTime ? parseTime(form.startTime) : null;
  if (!form.startTime) issues.push(['startTime', 'Enter the start time, like 14:00 or 2pm']);
  else if (!start) issues.push(['startTime', 'Enter the start time in the correct format, like 14:00 or 2pm']);
  const end = form.endTime ? parseTime(form.endTime) : null;
  if (!form.endTime) issues.push(['endTime', 'Enter the end time, like 15:30 or 3:30pm']);
  else if (!end) issues.push(['endTime', 'Enter the end time in the correct format, like 15:30 or 3:30pm']);

  let startsAt: Date | null = null;
  let endsAt: Date | null = null;
  if (date.ok && start) {
    startsAt = londonInstant(date.isoDate, start);
    if (!startsAt) issues.push(['startTime', 'That time does not exist on this date, because the clocks go forward. Enter a time after 2am']);
  }
  if (date.ok && end) {
    endsAt = londonInstant(date.isoDate, end);
    if (!endsAt) issues.push(['endTime', 'That time does not exist on this date, because the clocks go forward. Enter a time after 2am']);
  }
  if (start && end && end <= start) issues.push(['endTime', 'The end time must be after the start time']);

  const closesFields = [form.closesDay, form.closesMonth, form.closesYear, form.closesTime];
  const closesGiven = closesFields.some((v) => v !== '');
  let closesAt: Date | null = null;
  if (closesGiven) {
    const closesDate = parseDateParts({ day: form.closesDay, month: form.closesMonth, year: form.closesYear });
    const closesTime = form.closesTime ? parseTime(form.closesTime) : null;
    if (!closesDate.ok) {
      issues.push([
        'bookingCloses',
        closesDate.problem === 'invalid'
          ? 'The date booking closes must be a real date'
          : 'Enter the date booking closes, with a day, month and year, or leave it all blank',
      ]);
    } else if (!form.closesTime) {
      issues.push(['bookingCloses', 'Enter the time booking closes, like 17:00, or leave it all blank']);
    } else if (!closesTime) {
      issues.push(['bookingCloses', 'Enter the time booking closes in the correct format, like 17:00 or 5pm']);
    } else {
      closesAt = londonInstant(closesDate.isoDate, closesTime);
      if (!closesAt) issues.push(['bookingCloses', 'That time does not exist on this date, because the clocks go forward']);
    }
  } else if (startsAt) {
    closesAt = new Date(startsAt.getTime() - DEFAULT_CLOSING_HOURS * 3_600_000);
  }
  return { startsAt, endsAt, closesAt, closesGiven, issues };
}

export type SessionFormOptions = {
  now: Date;
  /** When editing: a booking deadline that has already passed may stay as it was. */
  currentClosesAt?: Date | null;
  /** When editing: a session's time that was already set may stay (only a moved session must be in the future). */
  currentStartsAt?: Date | null;
};

/** One form for creating, copying and editing a taster session. Times are entered in London time. */
export function sessionForm(options: SessionFormOptions) {
  return rawSessionForm
    .superRefine((form, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      if (form.where === 'venue' && !form.venueId) issue('venueId', 'Select the venue');
      if (form.where === 'online' && !form.joiningInstructions) issue('joiningInstructions', 'Enter the joining instructions for the online session');
      const t = times(form);
      for (const [path, message] of t.issues) issue(path, message);
      const moved = !options.currentStartsAt || !t.startsAt || t.startsAt.getTime() !== options.currentStartsAt.getTime();
      if (t.startsAt && moved && t.startsAt <= options.now) issue('date', 'The session must start in the future');
      if (t.startsAt && t.closesAt) {
        if (t.closesAt >= t.startsAt) issue('bookingCloses', 'Booking must close before the session starts');
        else if (t.closesAt <= options.now && t.closesAt.getTime() !== options.currentClosesAt?.getTime()) {
          issue(
            'bookingCloses',
            t.closesGiven
              ? 'Booking must close in the future'
              : `Booking would close ${DEFAULT_CLOSING_HOURS} hours before the start, which has passed. Enter when booking closes`,
          );
        }
      }
    })
    .transform((form, ctx) => {
      // The refinement above has passed, so all three times are set; this only tells the types so.
      const { startsAt, endsAt, closesAt } = times(form);
      if (!startsAt || !endsAt || !closesAt) {
        ctx.addIssue({ code: 'custom', path: ['date'], message: 'Enter the date and times of the session' });
        return z.NEVER;
      }
      const online = form.where === 'online';
      return {
        startsAt,
        endsAt,
        bookingClosesAt: closesAt,
        isOnline: online,
        venueId: online ? null : form.venueId,
        joiningInstructions: online ? form.joiningInstructions : null,
        capacity: form.capacity,
        whatToBring: form.whatToBring,
        accessNotes: form.accessNotes,
        facilitatorNote: form.facilitatorNote,
        repeatWeeks: form.repeatWeeks,
        skipDates: form.skip,
        datesFor: form.datesFor,
      };
    });
}

export type SessionForm = z.output<ReturnType<typeof sessionForm>>;
/** A session's own fields, as creating and changing it use them (without the "check the dates" step's). */
export type SessionInput = Omit<SessionForm, 'skipDates' | 'datesFor'>;

export const cancelForm = z.object({
  reason: requiredText('Enter why the session is cancelled', 1000, 'The reason must be 1,000 characters or fewer', { multiline: true }),
});
