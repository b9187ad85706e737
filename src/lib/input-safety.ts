/**
 * What counts as hostile input, in one place: the shared form fields, the edge guard
 * (plugins/hostile-input.ts) and the error handler's safety net all ask here.
 *
 * PostgreSQL refuses a NUL byte in text outright (a failed query, so a 500 if nothing catches it).
 * Other control codes are stored, but no keyboard types them: they come from crafted requests or
 * from text pasted out of another program, and they break CSV exports, emails and logs later.
 * JavaScript strings can also hold half of a surrogate pair, which is not a character at all.
 */

// C0 controls except tab, line feed and carriage return; DEL; the C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it exists to find
const HIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const BREAKS = /[\t\n\r]/;

/** The longest value the edge lets through to a route that does not check its own fields. */
export const MAX_UNCHECKED_VALUE_LENGTH = 10_000;
/** The longest path parameter: ids and secrets in addresses are far shorter. */
export const MAX_PARAM_LENGTH = 200;

export type TextProblem = 'hidden' | 'breaks';

/**
 * What is wrong with a piece of text, or null. Tabs and line breaks are fine in text that can run
 * over several lines (a text area), not in a one-line field.
 */
export function textProblem(value: string, multiline = true): TextProblem | null {
  if (!value.isWellFormed() || HIDDEN.test(value)) return 'hidden';
  if (!multiline && BREAKS.test(value)) return 'breaks';
  return null;
}

/** The same text with every hidden character shown as the replacement character, safe to show back on a page. */
export function withoutHiddenCharacters(value: string): string {
  return value.toWellFormed().replace(new RegExp(HIDDEN.source, 'g'), '\uFFFD');
}

export type InputProblem = { where: 'address' | 'query' | 'form'; field: string; problem: 'hidden' | 'too-long' | 'unreadable' };

/**
 * The first problem in a parsed query string or form body: a field name that is not plain text,
 * or (unless the route checks its own values) a value with hidden characters or longer than any
 * field takes.
 */
export function problemInFields(where: 'query' | 'form', fields: unknown, checkValues: boolean): InputProblem | null {
  if (!fields || typeof fields !== 'object') return null;
  for (const [field, raw] of Object.entries(fields)) {
    if (textProblem(field, false)) return { where, field: '', problem: 'hidden' };
    if (field.length > 100) return { where, field: field.slice(0, 100), problem: 'too-long' };
    if (!checkValues) continue;
    for (const value of [raw].flat()) {
      if (typeof value !== 'string') continue;
      if (textProblem(value)) return { where, field, problem: 'hidden' };
      if (value.length > MAX_UNCHECKED_VALUE_LENGTH) return { where, field, problem: 'too-long' };
    }
  }
  return null;
}

/** The first problem in the path parameters: ids and secrets are short, plain and on one line. */
export function problemInParams(params: unknown): InputProblem | null {
  if (!params || typeof params !== 'object') return null;
  for (const [field, value] of Object.entries(params)) {
    if (typeof value !== 'string') continue;
    if (textProblem(value, false)) return { where: 'address', field, problem: 'hidden' };
    if (value.length > MAX_PARAM_LENGTH) return { where: 'address', field, problem: 'too-long' };
  }
  return null;
}

/**
 * Whether a raw query string or form body decodes as UTF-8. The parsers keep a sequence they
 * cannot decode ("%ED%A0%80", half a surrogate pair; "%FF") as its literal text: no browser sends
 * one, so it is refused rather than read as something the person never typed.
 */
export function isReadableEncoding(raw: string): boolean {
  if (!raw.includes('%')) return true;
  for (const part of raw.split(/[&=]/)) {
    if (!part.includes('%')) continue;
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return false;
    }
  }
  return true;
}
