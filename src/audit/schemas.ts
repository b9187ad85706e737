import { DateTime } from 'luxon';
import { z } from 'zod';
import { plainText } from '../lib/forms.ts';
import { LONDON } from '../lib/view-helpers.ts';

const emptyAsMissing = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const isoDate = z.preprocess(
  emptyAsMissing,
  z
    .string()
    .trim()
    .refine((value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: LONDON }).isValid, {
      error: 'Enter a real date, such as 2026-11-22',
    })
    .refine((value) => value >= '2020-01-01' && value <= '2099-12-31', { error: 'Enter a date between 2020 and 2099' })
    .optional(),
);

const text = (label: string, max: number) =>
  z.preprocess(
    emptyAsMissing,
    plainText(z.string().trim(), label)
      .max(max, { error: `${label} must be ${max} characters or fewer` })
      .optional(),
  );

/** The audit trail's search form (a GET form: every field optional). */
export const auditSearchForm = z
  .object({
    person: text('Person', 200),
    session: text('Session', 200),
    action: z.preprocess(
      emptyAsMissing,
      z
        .string()
        .regex(/^[a-z_]{1,60}$/, { error: 'Select an action from the list' })
        .optional(),
    ),
    from: isoDate,
    to: isoDate,
    // Page links are made by the page itself: a page number that is not one is simply the first page.
    page: z.coerce.number().int().min(1).max(10_000).catch(1),
  })
  .refine((search) => !search.from || !search.to || search.from <= search.to, {
    error: 'The end date must be the same as or after the start date',
    path: ['to'],
  });

export type AuditSearch = z.output<typeof auditSearchForm>;

/** Midnight in London at the start of a day, and at the start of the next: whole London days. */
export function londonDayStart(isoDate: string, plusDays = 0): Date {
  return DateTime.fromISO(isoDate, { zone: LONDON }).plus({ days: plusDays }).startOf('day').toJSDate();
}
