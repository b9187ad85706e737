import type { Queryable } from '../db/database.ts';
import { viewHelpers as h } from '../lib/view-helpers.ts';
import { queueMessage } from '../messages/outbox.ts';
import { findBookingForMessage } from './queries.ts';

export type BookingMessageKind = 'booking_confirmed' | 'booking_waitlisted' | 'booking_promoted' | 'booking_cancelled';

/**
 * Queues the email about a change to a booking, in the caller's transaction. The dedupe key is
 * the booking and the event, so each person gets exactly one message per event, even if the
 * transaction that queued it is retried.
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
  const when = `${h.date(booking.startsAt)}, ${h.time(booking.startsAt)} to ${h.time(booking.endsAt)}`;
  const where = booking.isOnline ? 'Online' : [booking.venueName, booking.town, booking.postcode].filter(Boolean).join(', ');
  const what = `${booking.title} (${booking.organisationName})\n${when}\n${where}`;
  const link = baseUrl
    ? `See your booking: ${baseUrl}/bookings/${booking.id}`
    : 'Sign in to Tasters and open My bookings to see it.';
  const messages: Record<BookingMessageKind, { subject: string; text: string }> = {
    booking_confirmed: {
      subject: `Booked: ${booking.title}`,
      text: `You have a place on this taster session:\n\n${what}\n\n${link}\n\nIf you cannot go, please cancel so someone on the waiting list can have your place.\n`,
    },
    booking_waitlisted: {
      subject: `Waiting list: ${booking.title}`,
      text: `This taster session is full. You are number ${booking.position ?? '?'} on the waiting list:\n\n${what}\n\nIf a place becomes free before the session, it goes to the person who has waited longest and we will email you.\n\n${link}\n`,
    },
    booking_promoted: {
      subject: `You have a place: ${booking.title}`,
      text: `A place has become free and it is yours:\n\n${what}\n\n${link}\n\nIf you can no longer go, please cancel so the next person can have it.\n`,
    },
    booking_cancelled: {
      subject: `Cancelled: ${booking.title}`,
      text: `You have cancelled your booking for:\n\n${what}\n\nYou can book again while places are left.\n`,
    },
  };
  const message = messages[kind];
  await queueMessage(tx, {
    dedupeKey: `${kind}:${booking.id}`,
    kind,
    to: booking.email,
    recipientId: booking.userId,
    subject: message.subject,
    text: message.text,
  });
}
