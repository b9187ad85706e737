import { DateTime } from 'luxon';
import { LONDON_ZONE } from '../../lib/london-time.ts';

/**
 * UK bank holidays, for marking the dates of a new series that fall on one. England and Wales
 * share theirs; Scotland and Northern Ireland each have their own.
 *
 * The nation is read from the venue's postcode area rather than asked for: every venue already has
 * a checked postcode, so nobody has a field to fill in or keep right, and the postcode areas map
 * onto the three sets of bank holidays almost exactly. BT is Northern Ireland; the Scottish areas
 * are listed below. The one area that crosses a border with a different set of holidays is TD
 * (the Scottish Borders), whose TD15 district is Berwick-upon-Tweed, in England. A few villages
 * either side of a border in other districts may be told the other nation's holidays: the page
 * names the nation it used, and the provider can tick or untick any date.
 */
export type Nation = 'england-and-wales' | 'scotland' | 'northern-ireland';

export const nationNames: Record<Nation, string> = {
  'england-and-wales': 'England and Wales',
  scotland: 'Scotland',
  'northern-ireland': 'Northern Ireland',
};

const scottishAreas = new Set(['AB', 'DD', 'DG', 'EH', 'FK', 'G', 'HS', 'IV', 'KA', 'KW', 'KY', 'ML', 'PA', 'PH', 'TD', 'ZE']);

/** The nation whose bank holidays apply at a postcode (in its standard form, "EH1 1YZ"). */
export function nationOfPostcode(postcode: string): Nation {
  const outward = postcode.trim().toUpperCase().split(/\s+/)[0] ?? '';
  const area = /^[A-Z]+/.exec(outward)?.[0] ?? '';
  if (area === 'BT') return 'northern-ireland';
  if (outward === 'TD15') return 'england-and-wales';
  if (scottishAreas.has(area)) return 'scotland';
  return 'england-and-wales';
}

const regionOf: Record<Nation, 'ENG' | 'SCT' | 'NIR'> = { 'england-and-wales': 'ENG', scotland: 'SCT', 'northern-ireland': 'NIR' };

// Loaded when a series is first made, not when the app starts: the package carries the holiday
// rules of every country, and only this page needs it.
let library: Promise<typeof import('date-holidays')> | null = null;

/**
 * The bank holidays of a nation in the given years, as London dates ("2026-12-28") with their
 * names. These are the days off work, as gov.uk publishes them: the package also lists Christmas
 * Day, Boxing Day, New Year's Day and the others on the weekend they fall on, beside the weekday
 * that substitutes for them, so holidays on a Saturday or Sunday are left out (every UK bank
 * holiday is a weekday).
 */
export async function bankHolidays(nation: Nation, years: Iterable<number>): Promise<Map<string, string>> {
  library ??= import('date-holidays');
  const { default: Holidays } = await library;
  const calendar = new Holidays('GB', regionOf[nation]);
  const found = new Map<string, string>();
  for (const year of new Set(years)) {
    for (const holiday of calendar.getHolidays(year)) {
      if (holiday.type !== 'public') continue;
      const isoDate = holiday.date.slice(0, 10);
      const weekday = DateTime.fromISO(isoDate, { zone: LONDON_ZONE }).weekday;
      if (weekday >= 6) continue;
      found.set(isoDate, holiday.name);
    }
  }
  return found;
}
