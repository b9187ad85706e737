import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { LONDON } from '../../lib/view-helpers.ts';
import { senderAddress } from '../../messages/queries.ts';
import type { BookingItem } from '../present.ts';

/**
 * The UK rule since 1996: British Summer Time from 01:00 UTC on the last Sunday in March to
 * 01:00 UTC on the last Sunday in October. Calendars need the zone's definition in the file to
 * place "10:00 Europe/London" correctly on either side of a change; ical-generator has no zone
 * database of its own, and this one zone is all the service uses.
 */
export const LONDON_VTIMEZONE = [
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
> & {
  /** The event's version: see calendarSequence in src/messages/queries.ts. */
  sequence: number;
  /** Who organises the event (ORGANIZER): the provider's contact email, else the service's from-address. */
  organizer: string | null;
};

/**
 * How the file is meant (RFC 5546): PUBLISH for a download, the feed and the booking email, which
 * a calendar simply imports; REQUEST (the event changed) and CANCEL (it will not happen, for this
 * person) in the emails about a change, addressed to the link worker as the one ATTENDEE.
 */
export type CalendarMethod = 'PUBLISH' | 'REQUEST' | 'CANCEL';

export type CalendarOptions = {
  name: string;
  baseUrl: string;
  feed: boolean;
  /** When the file is written: its DTSTAMP (RFC 5545 3.8.7.2), not when the booking last changed. */
  now: Date;
  method?: CalendarMethod;
  /** The link worker's email, for ATTENDEE: required with REQUEST and CANCEL. */
  attendee?: string | null;
};

/** A booking of My bookings as a calendar event, organised by its provider or else by the service (MAIL_FROM). */
export function calendarItem(item: BookingItem, mailFrom: string): CalendarItem {
  return { ...item, organizer: item.organisationEmail ?? senderAddress(mailFrom) };
}

const inLondon = (value: Date) => DateTime.fromJSDate(new Date(value)).setZone(LONDON);

const methods: Record<CalendarMethod, ICalCalendarMethod> = {
  PUBLISH: ICalCalendarMethod.PUBLISH,
  REQUEST: ICalCalendarMethod.REQUEST,
  CANCEL: ICalCalendarMethod.CANCEL,
};

/** The event's description: what it is, whether the person has a place, how to join, the link. */
function describe(item: CalendarItem, link: string, cancelled: boolean): string {
  const waiting = item.status === 'waitlisted';
  const standing = item.sessionCancelled
    ? `This session has been cancelled${item.cancellationReason ? `: ${item.cancellationReason}` : ''}.`
    : item.status === 'cancelled'
      ? 'You cancelled your place.'
      : waiting
        ? `You are number ${item.position} on the waiting list. This is not a place yet.`
        : 'You have a place.';
  return [
    item.organisationName,
    standing,
    // Joining details are for people with a place on a session that will happen.
    !cancelled && item.joiningInstructions ? `How to join:\n${item.joiningInstructions}` : null,
    `Your booking: ${link}`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

/**
 * An iCalendar file of bookings: one event per booking, its UID stable so calendars update the
 * event rather than add another, its SEQUENCE raised by every move and cancellation. Times are
 * written as Europe/London wall-clock times with the zone's definition. A waiting-list place is
 * tentative (only the feed shows one, labelled as such); a cancelled session or place is cancelled.
 */
export function bookingsCalendar(items: CalendarItem[], options: CalendarOptions): string {
  const method = options.method ?? 'PUBLISH';
  if (method !== 'PUBLISH' && !options.attendee) throw new Error(`a ${method} needs an attendee`);
  const calendar = ical({ name: options.name, prodId: { company: 'Tasters', product: 'Bookings', language: 'EN' } });
  calendar.timezone({ name: null, generator: (zone) => (zone === LONDON ? LONDON_VTIMEZONE : null) });
  calendar.method(methods[method]);
  if (options.feed) calendar.ttl(60 * 60);
  const host = new URL(options.baseUrl).hostname;
  for (const item of items) {
    const link = `${options.baseUrl}/bookings/${item.id}`;
    const waiting = item.status === 'waitlisted';
    const cancelled = item.sessionCancelled || item.status === 'cancelled' || method === 'CANCEL';
    if (method !== 'PUBLISH' && !item.organizer) throw new Error(`a ${method} needs an organizer`);
    calendar.createEvent({
      id: `booking-${item.id}@${host}`,
      sequence: item.sequence,
      start: inLondon(item.startsAt),
      end: inLondon(item.endsAt),
      timezone: LONDON,
      summary: `${cancelled ? 'Cancelled: ' : ''}Taster: ${item.title}${waiting ? ' (waiting list)' : ''}`,
      location: item.place.join(', '),
      description: describe(item, link, cancelled),
      url: link,
      status: cancelled ? ICalEventStatus.CANCELLED : waiting ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED,
      stamp: options.now,
      organizer: item.organizer ? { name: item.organisationName, email: item.organizer } : null,
      // The person booked the place themselves: it is accepted, and no reply is asked for.
      attendees:
        method !== 'PUBLISH' && options.attendee
          ? [{ email: options.attendee, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.ACCEPTED, rsvp: false }]
          : [],
    });
  }
  // RFC 5545 3.1: every content line ends with CRLF, the last one included.
  return `${calendar.toString()}\r\n`;
}
