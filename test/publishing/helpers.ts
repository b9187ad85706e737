import { sql } from 'kysely';
import type { Queryable } from '../../src/db/database.ts';
import { addDays, londonParts } from '../../src/lib/london-time.ts';

/** The London calendar date a number of days from today, as "YYYY-MM-DD". */
export function londonDate(daysFromToday: number): string {
  return addDays(londonParts(new Date()).isoDate, daysFromToday);
}

/** A date as the three boxes of a date input. */
export function dateFields(isoDate: string, prefix = 'date'): Record<string, string> {
  const [year, month, day] = isoDate.split('-');
  return { [`${prefix}Day`]: String(Number(day)), [`${prefix}Month`]: String(Number(month)), [`${prefix}Year`]: year! };
}

/** A valid session form: two weeks from today, 2pm to 3:30pm London time, 12 places. Override one field per rule. */
export function sessionFields(venueId: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...dateFields(londonDate(14)),
    startTime: '14:00',
    endTime: '15:30',
    where: 'venue',
    venueId,
    capacity: '12',
    whatToBring: 'Comfortable shoes',
    ...overrides,
  };
}

/**
 * The fields of a weekly series whose dates have been checked (the "check the dates" step), skipping
 * the given London dates: without them, the form shows the dates first and saves nothing.
 */
export function seriesFields(firstIsoDate: string, weeks: number, leftOut: string[] = []): Record<string, string> {
  const fields: Record<string, string> = { repeatWeeks: String(weeks), datesFor: `${firstIsoDate}/${weeks}` };
  if (leftOut.length) fields[LEFT_OUT_DATES_FIELD] = leftOut.join('\n');
  return fields;
}

/** The series form's field for the dates left out (the ticked checkboxes of the "check the dates" step). */
export const LEFT_OUT_DATES_FIELD = 'skip';

export const validOffer: Record<string, string> = {
  title: 'Object handling and conversation',
  category: 'heritage_museums',
  description: 'Handle objects from the collection and talk about them over tea.',
  suits: 'Adults who are isolated',
  scheduleFrequency: 'weekly',
  scheduleDays: 'TH',
  scheduleStartTime: '14:00',
  scheduleEndTime: '15:30',
  cost: 'free',
  howToRefer: 'Email the learning team',
  referralEmail: 'learning@example.org',
};

export const validVenue: Record<string, string> = {
  name: 'Main building',
  addressLine1: 'Broad Street',
  town: 'Oxford',
  postcode: 'ox1 3bg',
  stepFree: 'yes',
  hearingLoop: 'yes',
};

export async function count(db: Queryable, table: 'venues' | 'offers' | 'tasterSessions' | 'organisations' | 'auditEvents'): Promise<number> {
  const row = await db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

/** The id at the end of a redirect to /sessions/:id. */
export function sessionIdFrom(location: unknown): string {
  const match = /\/sessions\/([0-9a-f-]{36})/.exec(String(location));
  if (!match) throw new Error(`not a session address: ${String(location)}`);
  return match[1]!;
}
