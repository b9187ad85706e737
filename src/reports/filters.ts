import { DateTime } from 'luxon';
import { z } from 'zod';
import { type OrganisationKind, organisationKinds } from '../db/tables/organisations.ts';
import { type OfferCategory, offerCategories } from '../db/tables/publishing.ts';
import { plainText } from '../lib/forms.ts';
import { isoDateOf } from '../lib/london-time.ts';

export const LONDON = 'Europe/London';
const MAX_YEARS = 5;

export const organisationKindNames: Record<OrganisationKind, string> = {
  gallery: 'Gallery',
  library: 'Library',
  garden: 'Garden',
  museum: 'Museum',
  arts: 'Arts',
  heritage: 'Heritage',
  community: 'Community',
  other: 'Other',
};

/**
 * What a report is about. The period is whole London days: `start` is midnight in London on the
 * first day and `end` midnight after the last, so a session at 00:30 on 1 April (BST, which is
 * 23:30 UTC on 31 March) falls in April.
 */
export type ReportFilters = {
  from: string;
  to: string;
  start: Date;
  end: Date;
  /** First and last months of the period, 'YYYY-MM-01', for monthly referral reports. */
  fromMonth: string;
  toMonth: string;
  organisationId: string | null;
  kind: OrganisationKind | null;
  category: OfferCategory | null;
  pcn: string | null;
};

/** The last full calendar quarter before today, in London. */
export function lastFullQuarter(now: Date): { from: string; to: string } {
  const thisQuarter = DateTime.fromJSDate(now, { zone: LONDON }).startOf('quarter');
  const from = thisQuarter.minus({ quarters: 1 });
  return { from: isoDateOf(from), to: isoDateOf(thisQuarter.minus({ days: 1 })) };
}

const emptyAsMissing = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const isoDate = (message: string) =>
  z.preprocess(
    emptyAsMissing,
    z
      .string()
      .trim()
      .refine((value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: LONDON }).isValid, { error: message })
      .refine((value) => value >= '2020-01-01' && value <= '2099-12-31', { error: 'Enter a date between 2020 and 2099' })
      .optional(),
  );

const optionalChoice = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.preprocess(emptyAsMissing, z.enum(values, { error: message }).optional());

/** The report's query string: a GET form, so every view of a report is a link that can be shared. */
export function reportQuery(now: Date) {
  return z
    .object({
      from: isoDate('Enter the start date as a real date, like 1 January 2027'),
      to: isoDate('Enter the end date as a real date, like 31 March 2027'),
      organisation: z.preprocess(emptyAsMissing, z.uuid({ error: 'Select an organisation from the list' }).optional()),
      // Not "kind": the CSV export uses that word for what to export.
      organisationKind: optionalChoice(organisationKinds, 'Select a kind of organisation from the list'),
      category: optionalChoice(offerCategories, 'Select a category from the list'),
      pcn: z.preprocess(emptyAsMissing, plainText(z.string().trim(), 'PCN').max(200, { error: 'Select a PCN from the list' }).optional()),
    })
    .transform((query, ctx): ReportFilters => {
      const fallback = lastFullQuarter(now);
      const from = query.from ?? fallback.from;
      const to = query.to ?? (query.from ? isoDateOf(DateTime.fromJSDate(now, { zone: LONDON })) : fallback.to);
      if (to < from) {
        ctx.addIssue({ code: 'custom', message: 'The end date must be the same as or after the start date', path: ['to'] });
        return z.NEVER;
      }
      const start = DateTime.fromISO(from, { zone: LONDON });
      const last = DateTime.fromISO(to, { zone: LONDON });
      if (last > start.plus({ years: MAX_YEARS })) {
        ctx.addIssue({ code: 'custom', message: `Choose a period of ${MAX_YEARS} years or less`, path: ['to'] });
        return z.NEVER;
      }
      return {
        from,
        to,
        start: start.toJSDate(),
        end: last.plus({ days: 1 }).toJSDate(),
        fromMonth: isoDateOf(start.startOf('month')),
        toMonth: isoDateOf(last.startOf('month')),
        organisationId: query.organisation ?? null,
        kind: query.organisationKind ?? null,
        category: query.category ?? null,
        pcn: query.pcn ?? null,
      };
    });
}

/** The filters as a query string, for links that keep them (the CSV exports). */
export function filterQueryString(f: ReportFilters): string {
  const params = new URLSearchParams({ from: f.from, to: f.to });
  if (f.organisationId) params.set('organisation', f.organisationId);
  if (f.kind) params.set('organisationKind', f.kind);
  if (f.category) params.set('category', f.category);
  if (f.pcn) params.set('pcn', f.pcn);
  return params.toString();
}

/** The London months a period covers, 'YYYY-MM', in order. */
export function monthsOf(f: ReportFilters): string[] {
  const months: string[] = [];
  let month = DateTime.fromISO(f.fromMonth, { zone: LONDON });
  const last = DateTime.fromISO(f.toMonth, { zone: LONDON });
  while (month <= last && months.length < 1200) {
    months.push(month.toFormat('yyyy-MM'));
    month = month.plus({ months: 1 });
  }
  return months;
}
