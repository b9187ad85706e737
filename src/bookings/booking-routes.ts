import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { requireRole } from '../plugins/auth.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf, isHtmx, userOf } from '../web/request.ts';
import { bookingPanel } from './panel.ts';
import { statusNames, toSessionSummary } from './present.ts';
import { findOwnBooking, findSessionSummary } from './queries.ts';
import { cancelBooking } from './service.ts';

const doneMessages: Record<string, string> = {
  cancelled: 'Your booking has been cancelled.',
};

/** One booking, as its owner sees it, and cancelling it (or leaving the waiting list). */
export async function bookingPageRoutes(app: FastifyInstance) {
  const { db, config } = app;
  app.addHook('preHandler', requireRole('link_worker'));

  const bookingId = (request: FastifyRequest) => {
    const params = paramsOf(idParams, request);
    return params.id;
  };

  app.get('/bookings/:id', async (request, reply) => {
    const booking = await findOwnBooking(db, bookingId(request), userOf(request).id);
    if (!booking) throw new NotFoundError();
    const row = await findSessionSummary(db, booking.tasterSessionId);
    if (!row) throw new NotFoundError();
    const session = toSessionSummary(row);
    const done = (request.query as Record<string, unknown>).done;
    const flash = typeof done === 'string' ? doneMessages[done] : undefined;
    const now = new Date();
    return reply.viewAsync('bookings/booking.eta', {
      title: `Your booking: ${session.title}`,
      ...(flash ? { flash } : {}),
      booking: {
        ...booking,
        statusName: statusNames[booking.status],
        position: booking.status === 'waitlisted' ? booking.position : null,
        past: new Date(session.startsAt) <= now,
        canCancel: booking.status !== 'cancelled' && new Date(session.startsAt) > now,
        // Joining details are for people with a place, never for the waiting list.
        joiningInstructions: booking.status === 'confirmed' ? row.joiningInstructions : null,
      },
      session,
      canBookAgain: booking.status === 'cancelled' && session.status === 'published' && new Date(session.bookingClosesAt) > now,
      backLink: { href: '/my-bookings', text: 'Back to my bookings' },
    });
  });

  // The confirmation step before cancelling: a page of its own, so it works without JavaScript
  // (with it, the booking page and the session page show the same words in a dialog).
  app.get('/bookings/:id/cancel', async (request, reply) => {
    const id = bookingId(request);
    const booking = await findOwnBooking(db, id, userOf(request).id);
    if (!booking) throw new NotFoundError();
    const row = await findSessionSummary(db, booking.tasterSessionId);
    if (!row) throw new NotFoundError();
    const session = toSessionSummary(row);
    const refusal =
      booking.status === 'cancelled'
        ? 'This booking is already cancelled'
        : new Date(session.startsAt) <= new Date()
          ? 'This session has already started, so the booking can no longer be cancelled'
          : null;
    if (refusal) return reply.code(409).viewAsync('bookings/not-cancelled.eta', { title: 'You cannot cancel this booking', message: refusal, bookingId: id });
    const place = booking.status === 'confirmed';
    return reply.viewAsync('bookings/cancel.eta', {
      title: place ? 'Cancel your place?' : 'Leave the waiting list?',
      booking: { id, status: booking.status },
      session: { id: session.id, title: session.title, startsAt: session.startsAt, endsAt: session.endsAt },
      backLink: { href: `/bookings/${id}`, text: 'Back to your booking' },
    });
  });

  app.post('/bookings/:id/cancel', async (request, reply) => {
    const id = bookingId(request);
    try {
      const { sessionId } = await cancelBooking(db, actorOf(request), id, { baseUrl: config.baseUrl, mailFrom: config.mailFrom });
      if (isHtmx(request)) {
        const panel = await bookingPanel(db, sessionId, request.user, { focus: true });
        return reply.viewAsync('bookings/panel.eta', { bookingPanel: panel });
      }
      return reply.redirect(`/bookings/${id}?done=cancelled`, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code === 'not_found' || error.code === 'forbidden') throw error;
      return reply.code(409).viewAsync('bookings/not-cancelled.eta', {
        title: 'You cannot cancel this booking',
        message: error.message,
        bookingId: id,
      });
    }
  });
}
