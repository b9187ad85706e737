import { z } from 'zod';

export type FieldErrors = Record<string, string>;

export type FormResult<T> =
  | { ok: true; value: T }
  | { ok: false; errors: FieldErrors; values: Record<string, string> };

/**
 * Parses a submitted form with its schema. Messages in the schema are written for people
 * ("Enter your email address"); the first message per field is kept, so one field shows one
 * instruction. The raw values come back so the page can show what the person typed.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const values = formValues(body);
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, value: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (!errors[field]) errors[field] = issue.message;
  }
  return { ok: false, errors, values };
}

/** Flattens a form body to strings (a repeated field keeps all its values, joined by the schema). */
export function formValues(body: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body)) {
      if (key === '_csrf') continue;
      if (typeof value === 'string') values[key] = value;
      else if (Array.isArray(value)) values[key] = value.filter((v) => typeof v === 'string').join('\n');
    }
  }
  return values;
}

/** A required text field: trimmed, empty means missing, with a maximum length. */
export function requiredText(missing: string, max: number, tooLong: string) {
  return z
    .string({ error: missing })
    .trim()
    .min(1, { error: missing })
    .max(max, { error: tooLong });
}

/** An optional text field: trimmed; empty becomes null. */
export function optionalText(max: number, tooLong: string) {
  return z
    .string()
    .trim()
    .max(max, { error: tooLong })
    .optional()
    .transform((value) => (value ? value : null));
}

export const emailAddress = (missing = 'Enter your email address') =>
  z
    .string({ error: missing })
    .trim()
    .min(1, { error: missing })
    .max(254, { error: 'Email address must be 254 characters or fewer' })
    .pipe(z.email({ error: 'Enter an email address in the correct format, like name@nhs.net' }))
    .transform((email) => email.toLowerCase());
