import { z } from 'zod';
import { viewHelpers as h, placeLines } from '../lib/view-helpers.ts';
import type { Written } from '../messages/compose.ts';
import { type Block, compose, paragraph } from '../messages/compose.ts';
import { recipientFacts, sessionFactsJson } from '../messages/facts.ts';
import { bookingsCalendar } from './calendar/ics.ts';

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
    /** The booking's last change: the calendar file's DTSTAMP. */
    updatedAt: z.coerce.date(),
  }),
  session: sessionFactsJson,
});

type BookingMessageFacts = z.infer<typeof bookingMessageFacts>;

/** The booking as a calendar file, for a place that is the person's (confirmed or promoted). */
function calendarFile({ booking, session }: BookingMessageFacts, baseUrl: string) {
  const confirmed = booking.status === 'confirmed';
  const item = {
    id: booking.id,
    status: booking.status,
    position: booking.status === 'waitlisted' ? booking.position : null,
    sessionCancelled: session.status === 'cancelled',
    cancellationReason: session.cancellationReason,
    title: session.title,
    organisationName: session.organisationName,
    startsAt: session.startsAt,
    endsAt: session.endsAt,
    // Joining details are for people with a place, never for the waiting list.
    joiningInstructions: confirmed ? session.joiningInstructions : null,
    place: placeLines(session),
    updatedAt: booking.updatedAt,
  };
  return {
    filename: 'taster-booking.ics',
    contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
    content: bookingsCalendar([item], { name: 'Tasters booking', baseUrl, feed: false }),
  };
}

/** Writes the email about a change to a booking. A confirmed place comes with the .ics to add to a calendar. */
export function writeBookingMessage(kind: BookingMessageKind, recorded: unknown): Written {
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
  const calendarNote = paragraph('The attached calendar file adds the session to your calendar.');
  const messages: Record<BookingMessageKind, { subject: string; heading: string; blocks: Block[] }> = {
    booking_confirmed: {
      subject: `Booked: ${session.title}`,
      heading: 'You have a place on a taster session',
      blocks: [
        paragraph('You have a place on this taster session:'),
        sessionBlock,
        link,
        ...(baseUrl ? [calendarNote] : []),
        paragraph('If you cannot go, please cancel so someone on the waiting list can have your place.'),
      ],
    },
    booking_waitlisted: {
      subject: `Waiting list: ${session.title}`,
      heading: 'You are on the waiting list',
      blocks: [
        paragraph(`This taster session is full. You are number ${booking.position ?? '?'} on the waiting list:`),
        sessionBlock,
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
        ...(baseUrl ? [calendarNote] : []),
        paragraph('If you can no longer go, please cancel so the next person can have it.'),
      ],
    },
    booking_cancelled: {
      subject: `Cancelled: ${session.title}`,
      heading: 'Your booking is cancelled',
      blocks: [paragraph('You have cancelled your booking for:'), sessionBlock, paragraph('You can book again while places are left.')],
    },
  };
  const message = messages[kind];
  const withPlace = kind === 'booking_confirmed' || kind === 'booking_promoted';
  return {
    ...compose({ subject: message.subject, heading: message.heading, greeting: facts.name ? `Dear ${facts.name},` : null, blocks: message.blocks }),
    attachments: withPlace && baseUrl ? [calendarFile(facts, baseUrl)] : [],
  };
}
