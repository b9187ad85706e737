import type { Queryable } from '../db/database.ts';
import type { BookingStatus } from '../db/tables/bookings.ts';
import type { FieldErrors } from '../lib/forms.ts';
import { placesForPerson } from '../reservations/queries.ts';
import type { CurrentUser } from '../web/current-user.ts';
import { findLiveBooking, findSessionSummary } from './queries.ts';
import { confidenceQuestion } from './schemas.ts';
import { bookingProblem } from './service.ts';

export type PanelState =
  | 'book' // places left: the booking form
  | 'join_waiting_list' // full: the same form puts them on the waiting list
  | 'booked' // they have a live booking
  | 'unavailable' // closed, cancelled or started
  | 'not_link_worker'; // provider staff and coordinators see counts, not a form

export type BookingPanel = {
  sessionId: string;
  title: string;
  state: PanelState;
  booking: { id: string; status: BookingStatus; position: number | null } | null;
  capacity: number;
  /** For a link worker, the places they can book: the general ones and any kept for their PCN. */
  placesLeft: number;
  /** Places kept for the link worker's own PCN and still free, until their release. */
  heldForYou: { pcn: string; free: number; releaseAt: Date } | null;
  /** Places are free, but all kept for other PCNs. */
  kept: boolean;
  waiting: number;
  bookingClosesAt: Date;
  startsAt: Date;
  endsAt: Date;
  /** Why booking is not possible, for the 'unavailable' state. */
  reason: string | null;
  canCancel: boolean;
  /** Provider staff of the organisation and coordinators can see who booked. */
  bookingsHref: string | null;
  question: string;
  values: { confidenceBefore: string };
  errors: FieldErrors;
  /** Set when the panel replaces itself after an htmx request: its heading takes focus. */
  focus: boolean;
};

/**
 * The view model for views/bookings/panel.eta: what the viewer can do about one session.
 * Null when the viewer cannot see the session at all (unknown, or a draft they do not own).
 */
export async function bookingPanel(
  db: Queryable,
  sessionId: string,
  user: CurrentUser | null,
  extra: { values?: { confidenceBefore?: string }; errors?: FieldErrors; focus?: boolean } = {},
): Promise<BookingPanel | null> {
  const session = await findSessionSummary(db, sessionId);
  if (!session) return null;
  const isOwnOrganisation = user?.role === 'provider' && user.organisationId === session.organisationId;
  if (session.status === 'draft' && !isOwnOrganisation && user?.role !== 'coordinator') return null;
  const booking = user?.role === 'link_worker' ? await findLiveBooking(db, sessionId, user.id) : undefined;
  const now = new Date();
  const problem = bookingProblem(session, now);
  // A link worker sees the places they can actually book: places kept for other PCNs are not theirs.
  const mine = user?.role === 'link_worker' ? await placesForPerson(db, sessionId, user.pcn, now) : undefined;
  const placesLeft = mine ? Math.max(0, mine.places) : Math.max(0, session.capacity - session.confirmed);
  const heldForYou = mine?.pcn && mine.releaseAt && (mine.heldFree ?? 0) > 0 ? { pcn: mine.pcn, free: mine.heldFree ?? 0, releaseAt: mine.releaseAt } : null;

  let state: PanelState;
  if (user?.role !== 'link_worker') state = 'not_link_worker';
  else if (booking) state = 'booked';
  else if (problem) state = 'unavailable';
  else state = placesLeft > 0 ? 'book' : 'join_waiting_list';

  return {
    sessionId,
    title: session.title,
    state,
    booking: booking ? { id: booking.id, status: booking.status, position: booking.status === 'waitlisted' ? booking.position : null } : null,
    capacity: session.capacity,
    placesLeft,
    heldForYou,
    kept: placesLeft === 0 && session.capacity > session.confirmed,
    waiting: session.waiting,
    bookingClosesAt: session.bookingClosesAt,
    startsAt: session.startsAt,
    endsAt: session.endsAt,
    reason: problem ? (session.status === 'draft' ? 'This session is a draft: nobody can book it until it is published' : problem.message) : null,
    canCancel: Boolean(booking) && new Date(session.startsAt) > now,
    bookingsHref: isOwnOrganisation || user?.role === 'coordinator' ? `/sessions/${sessionId}/bookings` : null,
    question: confidenceQuestion,
    values: { confidenceBefore: extra.values?.confidenceBefore ?? '' },
    errors: extra.errors ?? {},
    focus: extra.focus ?? false,
  };
}
