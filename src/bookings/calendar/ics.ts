import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { LONDON } from '../../lib/view-helpers.ts';
import type { BookingItem } from '../present.ts';

/**
 * The UK rule since 1996: British Summer Time from 01:00 UTC on the last Sunday in March to
 * 01:00 UTC on the last Sunday in October. Calendars need the zone's definition in the file to
 * place "10:00 Europe/London" correctly on either side of a change; ical-generator has no zone
 * database of its own, and this one zone is all the service uses.
 */
const LONDON_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/London',
  'X-LIC-LOCATION:Europe/London',
  'BEGIN:DAYLIGHT',
  'TZNAME:BST',
  'TZOFFSETFROM:+0000',
  'TZOFFSETTO:+0100',
  'DTSTART:19700329T010000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZNAME:GMT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0000',
  'DTSTART:19701025T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');

/** What a calendar event shows of a booking: a booking of My bookings, or one an email recorded. */
export type CalendarItem = Pick<
  BookingItem,
  | 'id'
  | 'status'
  | 'position'
  | 'sessionCancelled'
  | 'cancellationReason'
  | 'title'
  | 'organisationName'
  | 'startsAt'
  | 'endsAt'
  | 'joiningInstructions'
  | 'place'
  | 'updatedAt'
>;

const inLondon = (value: Date) => DateTime.fromJSDate(new Date(value)).setZone(LONDON);

/**
 * An iCalendar file of bookings: one event per booking, its UID stable so calendars update the
 * event rather than add another. Times are written as Europe/London wall-clock times with the
 * zone's definition. A waiting-list place is tentative; a cancelled session is cancelled.
 */
export function bookingsCalendar(items: CalendarItem[], options: { name: string; baseUrl: string; feed: boolean }): string {
  const calendar = ical({ name: options.name, prodId: { company: 'Tasters', product: 'Bookings', language: 'EN' } });
  calendar.timezone({ name: null, generator: (zone) => (zone === LONDON ? LONDON_VTIMEZONE : null) });
  // PUBLISH, not REQUEST: there is no organiser to reply to, for a download or a feed alike.
  calendar.method(ICalCalendarMethod.PUBLISH);
  if (options.feed) calendar.ttl(60 * 60);
  const host = new URL(options.baseUrl).hostname;
  for (const item of items) {
    const link = `${options.baseUrl}/bookings/${item.id}`;
    const waiting = item.status === 'waitlisted';
    const description = [
      `${item.organisationName}`,
      item.sessionCancelled ? `This session has been cancelled${item.cancellationReason ? `: ${item.cancellationReason}` : ''}.` : null,
      waiting ? `You are number ${item.position} on the waiting list. This is not a place yet.` : 'You have a place.',
      item.joiningInstructions ? `How to join:\n${item.joiningInstructions}` : null,
      `Your booking: ${link}`,
    ].filter(Boolean);
    calendar.createEvent({
      id: `booking-${item.id}@${host}`,
      start: inLondon(item.startsAt),
      end: inLondon(item.endsAt),
      timezone: LONDON,
      summary: `${item.sessionCancelled ? 'Cancelled: ' : ''}Taster: ${item.title}${waiting ? ' (waiting list)' : ''}`,
      location: item.place.join(', '),
      description: description.join('\n\n'),
      url: link,
      status: item.sessionCancelled ? ICalEventStatus.CANCELLED : waiting ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED,
      stamp: new Date(item.updatedAt),
    });
  }
  return calendar.toString();
}
