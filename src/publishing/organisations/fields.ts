import { z } from 'zod';
import { labelFrom, plainText, type TextOptions } from '../../lib/forms.ts';

/**
 * Form fields shared by the publishing forms (organisations, venues, offers, sessions). Each
 * message is an instruction for the person filling in the form.
 */

/** Optional free text that is stored as '' when left empty (columns that are never null). */
export function notesText(max: number, tooLong: string, options: TextOptions = {}) {
  return plainText(z.string().trim(), options.label ?? labelFrom(tooLong), options.multiline)
    .max(max, { error: tooLong })
    .optional()
    .transform((value) => value ?? '');
}

/** A checkbox: present when ticked, absent when not. */
export const checkbox = z
  .string()
  .optional()
  .transform((value) => value !== undefined && value !== '');

const emptyAsNull = (value: string | undefined) => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

export function optionalEmail(invalid: string) {
  return z
    .string()
    .optional()
    .transform(emptyAsNull)
    .pipe(
      plainText(z.string(), 'Email address')
        .max(254, { error: 'Email address must be 254 characters or fewer' })
        .pipe(z.email({ error: invalid }))
        .transform((email) => email.toLowerCase())
        .nullable(),
    );
}

/** A UK phone number, kept as typed (people recognise their own spacing) once its digits check out. */
export function optionalPhone(invalid: string) {
  return z
    .string()
    .optional()
    .transform(emptyAsNull)
    .pipe(
      z
        .string()
        .max(30, { error: invalid })
        .refine((phone) => /^[0-9 ()+-]+$/.test(phone) && /^(?:\+?44|0)\d{9,10}$/.test(phone.replace(/[ ()-]/g, '')), { error: invalid })
        .nullable(),
    );
}

/** A website address; "example.org" is read as "https://example.org". */
export function optionalWebsite(invalid: string) {
  return z
    .string()
    .optional()
    .transform(emptyAsNull)
    .pipe(
      plainText(z.string(), 'Website address')
        .max(500, { error: 'Website address must be 500 characters or fewer' })
        .transform((value) => (/^https?:\/\//i.test(value) ? value : `https://${value}`))
        .refine(
          (value) => {
            try {
              const url = new URL(value);
              return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.includes('.') && !/\s/.test(value);
            } catch {
              return false;
            }
          },
          { error: invalid },
        )
        .nullable(),
    );
}

export const MAX_EMBED_WEBSITES = 10;

/**
 * The organisation's own websites, one a line, that may show its activities in a frame. Each must
 * be an https address of a whole site ("https://www.museum.org.uk"), kept as its origin: that is
 * what a Content Security Policy's frame-ancestors can name, and a page or a path could not be
 * enforced. The message names the line that is wrong.
 */
export const embedWebsites = z
  .string()
  .optional()
  .transform((value) => value ?? '')
  .pipe(
    plainText(z.string(), 'Websites', true)
      .max(2000, { error: 'Websites must be 2,000 characters or fewer' })
      .transform((text, ctx) => {
        const lines = text
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter(Boolean);
        if (lines.length > MAX_EMBED_WEBSITES) {
          ctx.addIssue({ code: 'custom', message: `Enter ${MAX_EMBED_WEBSITES} websites or fewer` });
          return z.NEVER;
        }
        const origins: string[] = [];
        for (const line of lines) {
          const problem = websiteProblem(line);
          if (problem) {
            ctx.addIssue({ code: 'custom', message: `${problem} (you entered ${line.length > 60 ? `${line.slice(0, 60)}…` : line})` });
            return z.NEVER;
          }
          const origin = new URL(line).origin;
          if (!origins.includes(origin)) origins.push(origin);
        }
        return origins;
      }),
  );

function websiteProblem(line: string): string | null {
  const example = 'like https://www.museum.org.uk';
  if (!/^https:\/\//i.test(line)) {
    return /^http:\/\//i.test(line)
      ? `Enter each website with https:// at the start, not http://, ${example}`
      : `Enter each website starting with https://, ${example}`;
  }
  let url: URL;
  try {
    url = new URL(line);
  } catch {
    return `Enter each website in the correct format, ${example}`;
  }
  if (/[\s*]/.test(line) || !/^[a-z0-9.-]+$/.test(url.hostname) || !url.hostname.includes('.') || url.hostname.endsWith('.')) {
    return `Enter each website in the correct format, ${example}`;
  }
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || /[?#]$/.test(line)) {
    return `Enter only the website's address, without a page or anything after it, ${example}`;
  }
  return null;
}

/** A whole number typed into a text box: "12" is fine, "ten", "1.5" and "" get the instruction. */
export function wholeNumber(messages: { missing: string; invalid: string; min: [number, string]; max: [number, string] }) {
  return z
    .string({ error: messages.missing })
    .trim()
    .min(1, { error: messages.missing })
    .regex(/^-?\d+$/, { error: messages.invalid })
    .transform(Number)
    .pipe(z.number().min(messages.min[0], { error: messages.min[1] }).max(messages.max[0], { error: messages.max[1] }));
}

/** Like wholeNumber, but empty means "not given". */
export function optionalWholeNumber(messages: { invalid: string; min: [number, string]; max: [number, string] }) {
  return z
    .string()
    .optional()
    .transform(emptyAsNull)
    .pipe(
      z
        .string()
        .regex(/^-?\d+$/, { error: messages.invalid })
        .transform(Number)
        .pipe(z.number().min(messages.min[0], { error: messages.min[1] }).max(messages.max[0], { error: messages.max[1] }))
        .nullable(),
    );
}

/** An id picked from a list: anything that is not an id is the same as not picking. */
export const optionalId = z
  .string()
  .optional()
  .transform((value) => (value && z.uuid().safeParse(value).success ? value : null));
