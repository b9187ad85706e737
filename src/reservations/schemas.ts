import { z } from 'zod';
import { requiredText } from '../lib/forms.ts';

export const MAX_RELEASE_DAYS = 90;
export const DEFAULT_RELEASE_DAYS = 7;

const wholeNumber = (missing: string, format: string, min: number, max: number, range: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, { error: missing })
    .regex(/^-?\d{1,6}$/, { error: format })
    .transform(Number)
    .pipe(z.number().min(min, { error: range }).max(max, { error: range }));

/**
 * Offer places to a PCN. The PCN must be one link workers have given (`pcns`): a name typed
 * differently would match nobody and keep the places from everyone until the release.
 */
export function reservationForm(pcns: string[]) {
  const known = new Map(pcns.map((p) => [p.trim().toLowerCase(), p]));
  return z.object({
    sessionId: z.uuid({ error: 'Select the taster session' }),
    pcn: requiredText('Select the PCN', 200, 'PCN must be 200 characters or fewer')
      .refine((value) => known.has(value.toLowerCase()), { error: 'Select a PCN from the list' })
      .transform((value) => known.get(value.toLowerCase()) ?? value),
    places: wholeNumber('Enter how many places to keep', 'Enter the number of places as a whole number, like 4', 1, 1000, 'Keep from 1 to 1000 places'),
    releaseDays: wholeNumber(
      'Enter how many days before the session the places are released',
      'Enter the number of days as a whole number, like 7',
      0,
      MAX_RELEASE_DAYS,
      `Enter a number of days from 0 to ${MAX_RELEASE_DAYS}`,
    ),
    wholeSeries: z
      .string()
      .optional()
      .transform((value) => value === 'yes'),
  });
}

export type ReservationInput = z.output<ReturnType<typeof reservationForm>>;
