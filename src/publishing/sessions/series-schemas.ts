import { z } from 'zod';
import { requiredText } from '../../lib/forms.ts';
import { parseTime } from '../../lib/london-time.ts';
import { notesText, optionalId, wholeNumber } from '../organisations/fields.ts';

const time = (missing: string, malformed: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, { error: missing })
    .max(20, { error: malformed })
    .transform((value, ctx) => {
      const parsed = parseTime(value);
      if (!parsed) {
        ctx.addIssue({ code: 'custom', message: malformed });
        return z.NEVER;
      }
      return parsed;
    });

/**
 * "This session and all later ones in the series": the times of day (each session keeps its own
 * date), the place, the places and the details. Every field applies to every one of them, so the
 * form starts from this session's values.
 */
export const seriesChangeForm = z
  .object({
    startTime: time('Enter the start time, like 14:00 or 2pm', 'Enter the start time in the correct format, like 14:00 or 2pm'),
    endTime: time('Enter the end time, like 15:30 or 3:30pm', 'Enter the end time in the correct format, like 15:30 or 3:30pm'),
    where: z.enum(['venue', 'online'], { error: 'Select where the sessions take place' }),
    venueId: optionalId,
    joiningInstructions: notesText(2000, 'Joining instructions must be 2,000 characters or fewer', { multiline: true }),
    capacity: wholeNumber({
      missing: 'Enter how many places each session has',
      invalid: 'Enter the number of places as a whole number, like 12',
      min: [1, 'There must be at least 1 place'],
      max: [1000, 'There can be at most 1,000 places'],
    }),
    whatToBring: notesText(1000, 'What to bring must be 1,000 characters or fewer', { multiline: true }),
    accessNotes: notesText(2000, 'Access notes must be 2,000 characters or fewer', { multiline: true }),
    facilitatorNote: notesText(2000, 'Meet the facilitator must be 2,000 characters or fewer', { multiline: true }),
  })
  .superRefine((form, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (form.where === 'venue' && !form.venueId) issue('venueId', 'Select the venue');
    if (form.where === 'online' && !form.joiningInstructions) issue('joiningInstructions', 'Enter the joining instructions for the online sessions');
    if (form.endTime <= form.startTime) issue('endTime', 'The end time must be after the start time');
  })
  .transform((form) => {
    const online = form.where === 'online';
    return {
      startTime: form.startTime,
      endTime: form.endTime,
      isOnline: online,
      venueId: online ? null : form.venueId,
      joiningInstructions: online ? form.joiningInstructions : null,
      capacity: form.capacity,
      whatToBring: form.whatToBring,
      accessNotes: form.accessNotes,
      facilitatorNote: form.facilitatorNote,
    };
  });

export type SeriesChange = z.output<typeof seriesChangeForm>;

export const seriesCancelForm = z.object({
  reason: requiredText('Enter why the sessions are cancelled', 1000, 'The reason must be 1,000 characters or fewer', { multiline: true }),
});
