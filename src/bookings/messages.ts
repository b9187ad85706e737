import { z } from 'zod';
import { viewHelpers as h, placeLines } from '../lib/view-helpers.ts';
import type { Written } from '../messages/compose.ts';
import { type Block, compose, paragraph } from '../messages/compose.ts';
import { recipientFacts, sessionFactsJson } from '../messages/facts.ts';
import { calendarPart } from './calendar/part.ts';

export const bookingMessageKinds = ['booking_confirmed', 'booking_waitlisted', 'booking_promoted', 'booking_cancelled'] as const;
export type BookingMessageKind = (typeof bookingMessageKinds)[number];

/**
 * What an email about a change to a booking is written from: the facts recorded, in the same
 * statement as the change, under the session's lock (src/bookings/queries.ts). The dedupe key is
 * the booking and the event, so each person gets exactly one message per event, even if the
 * transaction that queued it is retried.
 */
export const bookingMessageFacts = z.object({
  ...recipientFacts,
  booking: z.object({
    id: z.string(),
    status: z.enum(['confirmed', 'waitlisted', 'cancelled']),
    /** Place on the waiting list when the person joined it; null otherwise. */
    position: z.number().int().nullable(),
    /** The booking's last change (recorded; a calendar part's DTSTAMP is when it is written). */
    updatedAt: z.coerce.date(),
    /** The calendar event's SEQUENCE after the change (calendarSequence in src/messages/queries.ts). */
    sequence: z.number().int().optional(),
    /** For a cancellation: what the booking was, as only a place had an event to cancel. */
    was: z.enum(['confirmed', 'waitlisted', 'cancelled']).nullable().optional(),
  }),
  session: sessionFactsJson,
  /** The colleague who booked it for the person, when someone else did (src/bookings/colleague.ts). */
  bookedBy: z.string().optional(),
});

/**
 * Writes the email about a change to a booking. A confirmed place comes with the .ics to add to a
 * calendar (PUBLISH); cancelling a place comes with a METHOD:CANCEL for that event (same UID, higher
 * SEQUENCE). A waiting-list place has no event, so its emails carry none. `now` is the DTSTAMP.
 */
export function writeBookingMessage(kind: BookingMessageKind, recorded: unknown, now = new Date()): Written {
  const facts = bookingMessageFacts.parse(recorded);
  const { booking, session, baseUrl } = facts;
  const sessionBlock: Block = {
    type: 'facts',
    rows: [
      { label: 'What', value: session.title },
      { label: 'Run by', value: session.organisationName },
      { label: 'When', value: `${h.date(session.startsAt)}, ${h.time(session.startsAt)} to ${h.time(session.endsAt)}` },
      { label: 'Where', value: placeLines(session).join('\n') },
    ],
  };
  const link: Block = baseUrl
    ? { type: 'action', text: 'See your booking', href: `${baseUrl}/bookings/${booking.id}` }
    : paragraph('Sign in to Tasters and open My bookings to see it.');
  const withPlace = kind === 'booking_confirmed' || kind === 'booking_promoted';
  const calendar = withPlace
    ? calendarPart(facts, 'PUBLISH', now)
    : kind === 'booking_cancelled' && booking.was === 'confirmed'
      ? calendarPart(facts, 'CANCEL', now)
      : null;
  const calendarNote = paragraph('The attached calendar file adds the session to your calendar.');
  const bookedFor = facts.bookedBy
    ? [paragraph(`${facts.bookedBy}, a colleague in your PCN, booked this for you. It is your booking: you can cancel it yourself.`)]
    : [];
  const messages: Record<BookingMessageKind, { subject: string; heading: string; blocks: Block[] }> = {
    booking_confirmed: {
      subject: `Booked: ${session.title}`,
      heading: 'You have a place on a taster session',
      blocks: [
        paragraph('You have a place on this taster session:'),
        sessionBlock,
        ...bookedFor,
        link,
        ...(calendar ? [calendarNote] : []),
        paragraph('If you cannot go, please cancel so someone on the waiting list can have your place.'),
      ],
    },
    booking_waitlisted: {
      subject: `Waiting list: ${session.title}`,
      heading: 'You are on the waiting list',
      blocks: [
        paragraph(`This taster session is full. You are number ${booking.position ?? '?'} on the waiting list:`),
        sessionBlock,
        ...bookedFor,
        paragraph('If a place becomes free before the session, it goes to the person who has waited longest and we will email you.'),
        link,
      ],
    },
    booking_promoted: {
      subject: `You have a place: ${session.title}`,
      heading: 'A place has become free and it is yours',
      blocks: [
        paragraph('A place has become free on this taster session, and it is yours:'),
        sessionBlock,
        link,
        ...(calendar ? [calendarNote] : []),
        paragraph('If you can no longer go, please cancel so the next person can have it.'),
      ],
    },
    booking_cancelled: {
      subject: `Cancelled: ${session.title}`,
      heading: 'Your booking is cancelled',
      blocks: [
        paragraph('You have cancelled your booking for:'),
        sessionBlock,
        ...(calendar ? [paragraph('The attached calendar file removes the session from your calendar.')] : []),
        paragraph('You can book again while places are left.'),
      ],
    },
  };
  const message = messages[kind];
  return {
    ...compose({ subject: message.subject, heading: message.heading, greeting: facts.name ? `Dear ${facts.name},` : null, blocks: message.blocks }),
    attachments: calendar ? [calendar] : [],
  };
}
