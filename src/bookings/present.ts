import type { BookingStatus } from '../db/tables/bookings.ts';
import { categoryNames } from '../db/tables/publishing.ts';
import { placeLines } from '../lib/view-helpers.ts';
import type { LiveBookingRow, SessionSummaryRow } from './queries.ts';

export function toSessionSummary(row: SessionSummaryRow) {
  return {
    id: row.id,
    status: row.status,
    title: row.title,
    offerId: row.offerId,
    organisationId: row.organisationId,
    organisationName: row.organisationName,
    categoryName: categoryNames[row.category],
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    bookingClosesAt: row.bookingClosesAt,
    isOnline: row.isOnline,
    place: placeLines(row),
    stepFree: row.stepFree === true,
    capacity: row.capacity,
    confirmed: row.confirmed,
    placesLeft: Math.max(0, row.capacity - row.confirmed),
    waiting: row.waiting,
    whatToBring: row.whatToBring,
    accessNotes: row.accessNotes,
    cancellationReason: row.cancellationReason,
  };
}

export const statusNames: Record<BookingStatus, string> = {
  confirmed: 'Booked',
  waitlisted: 'On the waiting list',
  cancelled: 'Cancelled',
};

export type BookingItem = ReturnType<typeof toBookingItem>;

/** One booking in My bookings and the calendar feed. */
export function toBookingItem(row: LiveBookingRow) {
  return {
    id: row.id,
    status: row.status,
    statusName: statusNames[row.status],
    position: row.status === 'waitlisted' ? row.position : null,
    attendance: row.attendance,
    feedbackGiven: Boolean(row.feedbackGiven),
    sessionId: row.sessionId,
    sessionCancelled: row.sessionStatus === 'cancelled',
    cancellationReason: row.cancellationReason,
    title: row.title,
    organisationName: row.organisationName,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    isOnline: row.isOnline,
    // Joining details are for people with a place, never for the waiting list.
    joiningInstructions: row.status === 'confirmed' ? row.joiningInstructions : null,
    place: placeLines(row),
    updatedAt: row.updatedAt,
    sequence: row.calendarSequence,
    organisationEmail: row.organisationEmail,
  };
}
