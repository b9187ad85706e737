import { DateTime } from 'luxon';
import { z } from 'zod';
import { organisationKinds } from '../db/tables/organisations.ts';
import { offerCategories, weekdays } from '../db/tables/publishing.ts';
import { plainText } from '../lib/forms.ts';
import { LONDON } from '../lib/view-helpers.ts';

export const timesOfDay = ['morning', 'afternoon', 'evening'] as const;
export type TimeOfDay = (typeof timesOfDay)[number];
export const PAGE_SIZE = 20;
/**
 * Find counts matches up to this many and says "more than" beyond it: nobody pages through 50
 * pages, and stopping there lets the database read the soonest sessions from its index and stop,
 * instead of every upcoming session in the country for an exact count.
 */
export const MATCH_LIMIT = 1000;

// Empty selects and unticked boxes arrive as '' or not at all: both mean "any".
const anyOr = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z
    .string()
    .optional()
    .transform((value) => (value ? value : null))
    .pipe(z.enum(values, { error: message }).nullable());

// Repeated fields (day=MO&day=TU) arrive joined by newlines (see parseForm).
const listOf = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z
    .string()
    .optional()
    .transform((value) => (value ? value.split('\n').filter(Boolean) : []))
    .pipe(z.array(z.enum(values, { error: message })));

const dateMessage = 'Enter a real date, for example 2027-03-28';
const date = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : null))
  .pipe(
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: dateMessage })
      .refine((value) => DateTime.fromISO(value, { zone: LONDON }).isValid, { error: dateMessage })
      .nullable(),
  );

const districtPattern = /^[A-Z]{1,2}\d[A-Z\d]?$/;
const placeMessage = 'Enter a town, like Oxford, or the first part of a postcode, like OX1';

/** A town name or a postcode district ("OX1"), told apart by their shape. */
export type PlaceFilter = { kind: 'district'; value: string } | { kind: 'town'; value: string };

const place = plainText(z.string().trim(), 'Town or postcode')
  .max(60, { error: 'Town or postcode must be 60 characters or fewer' })
  .optional()
  .transform((value, ctx): PlaceFilter | null => {
    if (!value) return null;
    const compact = value.toUpperCase().replace(/\s+/g, '');
    if (districtPattern.test(compact)) return { kind: 'district', value: compact };
    if (/^[\p{L}][\p{L} .'\u2019-]*$/u.test(value)) return { kind: 'town', value: value.replace(/\s+/g, ' ') };
    ctx.addIssue({ code: 'custom', message: placeMessage });
    return z.NEVER;
  });

const yes = z
  .string()
  .optional()
  .transform((value) => value === 'yes');

/** The find page's filters, from the query string. Every message says what to do. */
export const findQuery = z
  .object({
    q: plainText(z.string().trim(), 'Search words')
      .max(100, { error: 'Search words must be 100 characters or fewer' })
      .optional()
      .transform((value) => (value ? value : null)),
    category: anyOr(offerCategories, 'Select a type of activity from the list'),
    kind: anyOr(organisationKinds, 'Select a type of organisation from the list'),
    from: date,
    to: date,
    day: listOf(weekdays, 'Select days of the week from the list'),
    time: listOf(timesOfDay, 'Select times of day from the list'),
    available: yes,
    stepFree: yes,
    place,
    // A broken page number is not worth a message: start at the first page.
    page: z.coerce
      .number()
      .int()
      .min(1)
      .max(MATCH_LIMIT / PAGE_SIZE)
      .catch(1),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { error: 'The end date must be the same as or after the start date', path: ['to'] });

export type FindFilters = z.output<typeof findQuery>;

/** The query string for these filters (and a page), so paging and sharing keep them. */
export function findQueryString(filters: FindFilters, page = 1): string {
  const params = new URLSearchParams();
  if (filters.q) params.set('q', filters.q);
  if (filters.category) params.set('category', filters.category);
  if (filters.kind) params.set('kind', filters.kind);
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  for (const day of filters.day) params.append('day', day);
  for (const time of filters.time) params.append('time', time);
  if (filters.available) params.set('available', 'yes');
  if (filters.stepFree) params.set('stepFree', 'yes');
  if (filters.place) params.set('place', filters.place.value);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function hasFilters(filters: FindFilters): boolean {
  return findQueryString({ ...filters, page: 1 }) !== '';
}
