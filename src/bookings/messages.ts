import { bookingsCalendar } from '../calendar/ics.ts';
import type { Queryable } from '../db/database.ts';
import { viewHelpers as h } from '../lib/view-helpers.ts';
import { type Block, compose, paragraph } from '../messages/compose.ts';
import { queueMessage } from '../messages/outbox.ts';
import type { MessageAttachment } from '../db/tables/messages.ts';
import { findBookingForMessage, listLiveBookings } from './queries.ts';
import { placeLines, toBookingItem } from './view-models.ts';

export type BookingMessageKind = 'booking_confirmed' | 'booking_waitlisted' | 'booking_promoted' | 'booking_cancelled';

/** The booking as a calendar file, for a place that is now the person's (confirmed or promoted). */
async function calendarFile(tx: Queryable, userId: string, bookingId: string, baseUrl: string): Promise<MessageAttachment | null> {
  const [row] = await listLiveBookings(tx, userId, { bookingId });
  if (!row) return null;
  return {
    filename: 'taster-booking.ics',
    contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
    content: bookingsCalendar([toBookingItem(row)], { name: 'Tasters booking', baseUrl, feed: false }),
  };
}

/**
 * Queues the email about a change to a booking, in the caller's transaction. The dedupe key is
 * the booking and the event, so each person gets exactly one message per event, even if the
 * transaction that queued it is retried. A confirmed place comes with the .ics to add to a calendar.
 */
export async function queueBookingMessage(
  tx: Queryable,
  kind: BookingMessageKind,
  bookingId: string,
  baseUrl: string | undefined,
): Promise<void> {
  const booking = await findBookingForMessage(tx, bookingId);
  // An erased or disabled account has nobody to write to.
  if (!booking) return;
  const facts: Block = {
    type: 'facts',
    rows: [
      { label: 'What', value: booking.title },
      { label: 'Run by', value: booking.organisationName },
      { label: 'When', value: `${h.date(booking.startsAt)}, ${h.time(booking.startsAt)} to ${h.time(booking.endsAt)}` },
      { label: 'Where', value: placeLines(booking).join('\n') },
    ],
  };
  const link: Block = baseUrl
    ? { type: 'action', text: 'See your booking', href: `${baseUrl}/bookings/${booking.id}` }
    : paragraph('Sign in to Tasters and open My bookings to see it.');
  const calendarNote = paragraph('The attached calendar file adds the session to your calendar.');
  const messages: Record<BookingMessageKind, { subject: string; heading: string; blocks: Block[] }> = {
    booking_confirmed: {
      subject: `Booked: ${booking.title}`,
      heading: 'You have a place on a taster session',
      blocks: [paragraph('You have a place on this taster session:'), facts, link, ...(baseUrl ? [calendarNote] : []), paragraph('If you cannot go, please cancel so someone on the waiting list can have your place.')],
    },
    booking_waitlisted: {
      subject: `Waiting list: ${booking.title}`,
      heading: 'You are on the waiting list',
      blocks: [
        paragraph(`This taster session is full. You are number ${booking.position ?? '?'} on the waiting list:`),
        facts,
        paragraph('If a place becomes free before the session, it goes to the person who has waited longest and we will email you.'),
        link,
      ],
    },
    booking_promoted: {
      subject: `You have a place: ${booking.title}`,
      heading: 'A place has become free and it is yours',
      blocks: [paragraph('A place has become free on this taster session, and it is yours:'), facts, link, ...(baseUrl ? [calendarNote] : []), paragraph('If you can no longer go, please cancel so the next person can have it.')],
    },
    booking_cancelled: {
      subject: `Cancelled: ${booking.title}`,
      heading: 'Your booking is cancelled',
      blocks: [paragraph('You have cancelled your booking for:'), facts, paragraph('You can book again while places are left.')],
    },
  };
  const message = messages[kind];
  const withPlace = kind === 'booking_confirmed' || kind === 'booking_promoted';
  const attachment = withPlace && baseUrl ? await calendarFile(tx, booking.userId, booking.id, baseUrl) : null;
  await queueMessage(tx, {
    dedupeKey: `${kind}:${booking.id}`,
    kind,
    to: booking.email,
    recipientId: booking.userId,
    ...compose({ subject: message.subject, heading: message.heading, greeting: booking.name ? `Dear ${booking.name},` : null, blocks: message.blocks }),
    ...(attachment ? { attachments: [attachment] } : {}),
  });
}
