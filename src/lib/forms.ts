import { z } from 'zod';
import { HostileInputError } from './errors.ts';
import { MAX_UNCHECKED_VALUE_LENGTH, textProblem, withoutHiddenCharacters } from './input-safety.ts';

export type FieldErrors = Record<string, string>;

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors; values: Record<string, string> };

/**
 * Parses a submitted form with its schema. Messages in the schema are written for people
 * ("Enter your email address"); the first message per field is kept, so one field shows one
 * instruction. The values come back so the page can show what the person typed (with any hidden
 * character shown as �, never sent back as it came).
 *
 * The shared fields below refuse hidden characters with a message beside the field. A hidden
 * character or an over-long value in a field the schema does not check (a field the form does not
 * have, a password confirmation) is refused here as a whole, before the route does anything.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const values = formValues(body);
  const result = schema.safeParse(values);
  const errors: FieldErrors = {};
  if (!result.success) {
    for (const issue of result.error.issues) {
      const field = String(issue.path[0] ?? 'form');
      if (!errors[field]) errors[field] = issue.message;
    }
  }
  for (const [field, value] of Object.entries(values)) {
    if (errors[field]) continue;
    // Trimmed as the fields are: a stray form feed at the end of a pasted value is not worth refusing.
    if (textProblem(value.trim())) throw new HostileInputError('hidden');
    if (value.length > MAX_UNCHECKED_VALUE_LENGTH) throw new HostileInputError('too-long');
  }
  if (result.success) return { ok: true, value: result.data };
  const shown = Object.fromEntries(Object.entries(values).map(([field, value]) => [field, withoutHiddenCharacters(value)]));
  return { ok: false, errors, values: shown };
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

export type TextOptions = {
  /** A text area: tabs and line breaks are part of the text. One-line fields refuse them. */
  multiline?: boolean;
  /** What the field is called in messages; by default the start of the too-long message ("Full name must be…"). */
  label?: string;
};

/** "Full name" from "Full name must be 100 characters or fewer". */
export function labelFrom(tooLong: string): string {
  return /^(.+?) must be /.exec(tooLong)?.[1] ?? 'This answer';
}

/**
 * Refuses what no keyboard types: NUL bytes and other control codes (PostgreSQL refuses NUL
 * outright), half surrogate pairs, and in a one-line field tabs and line breaks. The message says
 * what to do, next to the field.
 */
export function plainText<T extends z.ZodString>(schema: T, label: string, multiline = false): T {
  return schema.superRefine((value, ctx) => {
    const problem = textProblem(value, multiline);
    if (problem === 'hidden') {
      ctx.addIssue({
        code: 'custom',
        message: `${label} must not contain hidden characters, such as control codes copied from another program. Type it again rather than pasting it`,
      });
    } else if (problem === 'breaks') {
      ctx.addIssue({ code: 'custom', message: `${label} must be on one line, without tabs or line breaks` });
    }
  }) as T;
}

/** A required text field: trimmed, empty means missing, plain text, with a maximum length. */
export function requiredText(missing: string, max: number, tooLong: string, options: TextOptions = {}) {
  return plainText(z.string({ error: missing }).trim(), options.label ?? labelFrom(tooLong), options.multiline)
    .min(1, { error: missing })
    .max(max, { error: tooLong });
}

/** An optional text field: trimmed, plain text; empty becomes null. */
export function optionalText(max: number, tooLong: string, options: TextOptions = {}) {
  return plainText(z.string().trim(), options.label ?? labelFrom(tooLong), options.multiline)
    .max(max, { error: tooLong })
    .optional()
    .transform((value) => (value ? value : null));
}

export const emailAddress = (missing = 'Enter your email address') =>
  plainText(z.string({ error: missing }).trim(), 'Email address')
    .min(1, { error: missing })
    .max(254, { error: 'Email address must be 254 characters or fewer' })
    .pipe(z.email({ error: 'Enter an email address in the correct format, like name@nhs.net' }))
    .transform((email) => email.toLowerCase());
