import { DateTime } from 'luxon';
import { z } from 'zod';
import { type Weekday, weekdays } from '../db/tables/publishing.ts';
import { plainText } from '../lib/forms.ts';

/** More than this many items per page are never returned, whatever per_page asks for. */
export const MAX_PER_PAGE = 100;
export const DEFAULT_PER_PAGE = 50;

const dayNames: Record<string, Weekday> = {
  monday: 'MO',
  tuesday: 'TU',
  wednesday: 'WE',
  thursday: 'TH',
  friday: 'FR',
  saturday: 'SA',
  sunday: 'SU',
};

const emptyAsMissing = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

function wholeNumber(message: string, min: number, max: number, fallback: number) {
  return z
    .preprocess(
      emptyAsMissing,
      z
        .string()
        .trim()
        .regex(/^\d{1,9}$/, { error: message })
        .transform(Number)
        .pipe(z.number().min(min, { error: message }).max(max, { error: message }))
        .optional(),
    )
    .transform((value) => value ?? fallback);
}

const age = (name: string) =>
  z.preprocess(
    emptyAsMissing,
    z
      .string()
      .trim()
      .regex(/^\d{1,3}(\.\d+)?$/, { error: `${name} must be an age in years, such as 18` })
      .transform(Number)
      .pipe(z.number().max(150, { error: `${name} must be an age in years, such as 18` }))
      .optional(),
  );

const time = (name: string) =>
  z.preprocess(
    emptyAsMissing,
    z
      .string()
      .trim()
      .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, { error: `${name} must be a time of day such as 14:00 or 14:00:00 (UK time)` })
      .transform((value) => (value.length === 5 ? `${value}:00` : value))
      .optional(),
  );

const text = (name: string, max: number) =>
  z.preprocess(
    emptyAsMissing,
    plainText(z.string().trim(), name)
      .max(max, { error: `${name} must be ${max} characters or fewer` })
      .optional(),
  );

const paging = {
  page: wholeNumber('page must be a whole number from 1 to 1000000', 1, 1_000_000, 1),
  // Asking for more than the cap is not an error: the page is simply capped.
  per_page: wholeNumber('per_page must be a whole number, 1 or more', 1, 1_000_000_000, DEFAULT_PER_PAGE).transform((value) => Math.min(value, MAX_PER_PAGE)),
};

export const pageQuery = z.object(paging);

const booleanParameter = (name: string) =>
  z.preprocess(
    emptyAsMissing,
    z
      .string()
      .trim()
      .toLowerCase()
      .refine((value) => value === 'true' || value === 'false', { error: `${name} must be true or false` })
      .transform((value) => value === 'true')
      .optional(),
  );

export const taxonomyQuery = z.object({ ...paging, search: text('search', 200) });

export const taxonomyTermQuery = z.object({
  ...paging,
  search: text('search', 200),
  taxonomy_id: text('taxonomy_id', 100),
  top_only: booleanParameter('top_only'),
  parent_id: text('parent_id', 100),
});

export const organizationQuery = z.object({
  ...paging,
  search: text('search', 200),
  taxonomy_term_id: text('taxonomy_term_id', 100),
  taxonomy_id: text('taxonomy_id', 100),
});

export const organizationItemQuery = z.object({ full_service: booleanParameter('full_service') });

export type OrganizationQuery = z.output<typeof organizationQuery>;
export type TaxonomyQuery = z.output<typeof taxonomyQuery>;
export type TaxonomyTermQuery = z.output<typeof taxonomyTermQuery>;

export const serviceQuery = z.object({
  ...paging,
  search: text('search', 200),
  taxonomy_term_id: text('taxonomy_term_id', 100),
  taxonomy_id: text('taxonomy_id', 100),
  organization_id: z.preprocess(emptyAsMissing, z.uuid({ error: 'organization_id must be the id (a UUID) of an organization' }).optional()),
  modified_after: z.preprocess(
    emptyAsMissing,
    z
      .string()
      .trim()
      // A "+01:00" offset arrives as " 01:00" when the caller did not encode the plus sign.
      .transform((value) => value.replace(/ (\d{2}(:?\d{2})?)$/, '+$1'))
      .transform((value, context) => {
        const parsed = DateTime.fromISO(value, { zone: 'Europe/London' });
        if (parsed.isValid) return parsed.toJSDate();
        context.addIssue({ code: 'custom', message: 'modified_after must be a date and time in ISO 8601 format, such as 2026-11-22T09:30:00Z' });
        return z.NEVER;
      })
      .optional(),
  ),
  minimum_age: age('minimum_age'),
  maximum_age: age('maximum_age'),
  day: z.preprocess(
    emptyAsMissing,
    z
      .string()
      .trim()
      .transform((value, context) => {
        const upper = value.toUpperCase();
        const day = (weekdays as readonly string[]).includes(upper) ? (upper as Weekday) : dayNames[value.toLowerCase()];
        if (day) return day;
        context.addIssue({ code: 'custom', message: 'day must be a day of the week: MO, TU, WE, TH, FR, SA or SU' });
        return z.NEVER;
      })
      .optional(),
  ),
  start_time: time('start_time'),
  end_time: time('end_time'),
});

export const serviceAtLocationQuery = serviceQuery
  .extend({
    postcode: z.preprocess(
      emptyAsMissing,
      z
        .string()
        .transform((value, context) => {
          const district = /^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})?$/.exec(value.replace(/\s+/g, '').toUpperCase())?.[1];
          if (district) return district;
          context.addIssue({ code: 'custom', message: 'postcode must be a UK postcode, such as OX1 3BG, or its first half, such as OX1' });
          return z.NEVER;
        })
        .optional(),
    ),
    // Checked with the postcode below: what is wrong with it depends on whether one was given.
    proximity: z.preprocess(emptyAsMissing, z.string().optional()),
  })
  .superRefine((query, context) => {
    if (query.proximity === undefined) return;
    // The spec measures proximity in metres from the centroid of the postcode given with it.
    const message =
      query.postcode === undefined
        ? 'proximity needs a postcode: it is a distance in metres from the centre of the postcode given with it. Add postcode, such as postcode=OX1 3BG'
        : 'proximity is not supported: this feed cannot find where a postcode is. Use postcode on its own to match a postcode district';
    context.addIssue({ code: 'custom', path: ['proximity'], message });
  });

export type ServiceQuery = z.output<typeof serviceQuery>;
export type ServiceAtLocationQuery = z.output<typeof serviceAtLocationQuery>;

export type QueryResult<T> = { ok: true; value: T } | { ok: false; parameter: string; message: string };

/** Parses query parameters; the first problem comes back as the parameter and a message for the caller. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): QueryResult<z.output<S>> {
  const values = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(values)) {
    if (Array.isArray(value)) return { ok: false, parameter: name, message: `Give ${name} once only` };
  }
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  return { ok: false, parameter: String(issue?.path[0] ?? ''), message: issue?.message ?? 'The query parameters are not valid' };
}
