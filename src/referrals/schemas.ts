import { DateTime } from 'luxon';
import { z } from 'zod';

export const MAX_REFERRALS = 500;
export const EARLIEST_YEAR = 2020;

export const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * The referral form. "Now" decides what counts as a future month, in London: on the evening of
 * 31 March (BST) it is still March, even though UTC has moved on.
 */
export function referralForm(now: Date) {
  const current = DateTime.fromJSDate(now, { zone: 'Europe/London' }).startOf('month');
  return z
    .object({
      offerId: z.uuid({ error: 'Select the activity you referred people to' }),
      month: z
        .string({ error: 'Select the month you made the referrals' })
        .regex(/^(1[0-2]|0?[1-9])$/, { error: 'Select the month you made the referrals' })
        .transform(Number),
      year: z
        .string({ error: 'Enter the year you made the referrals, like 2027' })
        .trim()
        .regex(/^\d{4}$/, { error: 'Enter the year as 4 digits, like 2027' })
        .transform(Number),
      count: z
        .string({ error: 'Enter how many people you referred' })
        .trim()
        .min(1, { error: 'Enter how many people you referred' })
        .regex(/^-?\d+$/, { error: 'Enter how many people you referred as a whole number, like 3' })
        .transform(Number)
        .pipe(
          z
            .number()
            .min(1, { error: 'The number of people must be 1 or more' })
            .max(MAX_REFERRALS, { error: `The number of people must be ${MAX_REFERRALS} or fewer` }),
        ),
    })
    .transform((form, ctx) => {
      const month = DateTime.fromObject({ year: form.year, month: form.month, day: 1 }, { zone: 'Europe/London' });
      if (form.year < EARLIEST_YEAR) {
        ctx.addIssue({ code: 'custom', message: `The month must be January ${EARLIEST_YEAR} or later`, path: ['year'] });
        return z.NEVER;
      }
      if (month > current) {
        ctx.addIssue({ code: 'custom', message: 'The month must be this month or earlier', path: ['month'] });
        return z.NEVER;
      }
      return { offerId: form.offerId, month: month.toFormat('yyyy-MM-01'), count: form.count };
    });
}

export type ReferralValues = { offerId: string; month: string; count: number };
