import type { MessageAttachment } from '../../db/tables/messages.ts';
import { placeLines } from '../../lib/view-helpers.ts';
import type { SessionFactsJson } from '../../messages/facts.ts';
import { bookingsCalendar, type CalendarMethod } from './ics.ts';

/** What an email's facts say that its calendar part needs (recorded in SQL at the change). */
export type CalendarPartFacts = {
  baseUrl: string | null;
  /** The link worker's address: ATTENDEE. */
  email?: string | undefined;
  organizer?: string | null | undefined;
  booking: { id: string; status: 'confirmed' | 'waitlisted' | 'cancelled'; position?: number | null | undefined; sequence?: number | undefined };
  session: SessionFactsJson;
};

/**
 * The calendar part of an email about one booking (RFC 6047: text/calendar with the METHOD in its
 * type), or null when there is none to send: without the site's address there is no UID, and a
 * REQUEST or CANCEL needs its ORGANIZER and ATTENDEE (messages queued before those facts were
 * recorded have neither). Written by the delivery worker; `now` is its DTSTAMP.
 */
export function calendarPart(facts: CalendarPartFacts, method: CalendarMethod, now: Date): MessageAttachment | null {
  const { baseUrl, booking, session } = facts;
  if (!baseUrl) return null;
  const organizer = facts.organizer ?? null;
  const attendee = facts.email ?? null;
  if (method !== 'PUBLISH' && (!organizer || !attendee)) return null;
  const item = {
    id: booking.id,
    status: booking.status,
    position: booking.status === 'waitlisted' ? (booking.position ?? null) : null,
    sessionCancelled: session.status === 'cancelled',
    cancellationReason: session.cancellationReason,
    title: session.title,
    organisationName: session.organisationName,
    startsAt: session.startsAt,
    endsAt: session.endsAt,
    // Joining details are for people with a place, never for the waiting list.
    joiningInstructions: booking.status === 'confirmed' ? session.joiningInstructions : null,
    place: placeLines(session),
    sequence: booking.sequence ?? 0,
    organizer,
  };
  return {
    filename: method === 'CANCEL' ? 'cancelled-taster.ics' : 'taster-booking.ics',
    contentType: `text/calendar; charset=utf-8; method=${method}`,
    content: bookingsCalendar([item], { name: 'Tasters booking', baseUrl, feed: false, now, method, attendee }),
  };
}
