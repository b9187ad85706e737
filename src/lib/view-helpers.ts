export const LONDON = 'Europe/London';

// Formatters are built once: making a Luxon DateTime in a zone for every date on a page was the
// largest single cost of rendering the find page (about 80 µs a result; these take a tenth).
const formatter = (locale: string, options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { timeZone: LONDON, ...options });
const longDate = formatter('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
// Luxon's short months, which the pages have always shown ("Sep", where en-GB now says "Sept").
const shortMonth = formatter('en-US', { day: 'numeric', month: 'short', year: 'numeric' });
const clock = formatter('en-GB', { hour: 'numeric', minute: '2-digit', hourCycle: 'h12' });
const isoParts = formatter('en-GB', { year: 'numeric', month: '2-digit', day: '2-digit' });

// Pages show the same few session times again and again, and formatToParts was still the find
// page's largest cost of its own (issue 12), so each formatter keeps the parts of the instants
// it has seen. Bounded: emptied when full, which a page costs only a few misses.
const REMEMBERED = 10_000;
const remembered = new Map<Intl.DateTimeFormat, Map<number, Readonly<Record<string, string>>>>();

function parts(format: Intl.DateTimeFormat, value: Date | string): Readonly<Record<string, string>> {
  const instant = new Date(value);
  const at = instant.getTime();
  let seen = remembered.get(format);
  if (!seen) {
    seen = new Map();
    remembered.set(format, seen);
  }
  const known = seen.get(at);
  if (known) return known;
  const out: Record<string, string> = {};
  for (const part of format.formatToParts(instant)) out[part.type] = part.value;
  if (seen.size >= REMEMBERED) seen.clear();
  seen.set(at, Object.freeze(out));
  return out;
}

/** "2pm", "2:30pm", "12:05am": London time. */
function time(value: Date | string): string {
  const { hour, minute, dayPeriod } = parts(clock, value);
  return `${hour}${minute === '00' ? '' : `:${minute}`}${(dayPeriod ?? '').toLowerCase()}`;
}

/** Small formatting helpers for templates: dates in London time, plain-English counts. */
export type Place = {
  isOnline: boolean;
  venueName: string | null;
  addressLine1?: string | null;
  addressLine2?: string | null;
  town: string | null;
  postcode: string | null;
};

/** Where a session happens, as lines of an address (or "Online"). */
export function placeLines(place: Place): string[] {
  if (place.isOnline) return ['Online'];
  return [place.venueName, place.addressLine1, place.addressLine2, place.town, place.postcode].filter((line): line is string => Boolean(line));
}

export const viewHelpers = {
  /** "Monday 3 May 2027" */
  date: (value: Date | string) => {
    const { weekday, day, month, year } = parts(longDate, value);
    return `${weekday} ${day} ${month} ${year}`;
  },
  /** "3 May 2027", "23 Sep 2027" */
  shortDate: (value: Date | string) => {
    const { day, month, year } = parts(shortMonth, value);
    return `${day} ${month} ${year}`;
  },
  time,
  /** "3 May 2027 at 2:30pm" */
  dateTime: (value: Date | string) => {
    const { day, month, year } = parts(longDate, value);
    return `${day} ${month} ${year} at ${time(value)}`;
  },
  isoDate: (value: Date | string) => {
    const { year, month, day } = parts(isoParts, value);
    return `${year}-${month}-${day}`;
  },
  number: (value: number) => value.toLocaleString('en-GB'),
  plural: (count: number, one: string, many = `${one}s`) => `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`,
  errorId: (field: string) => `${field}-error`,
};

export type ViewHelpers = typeof viewHelpers;
