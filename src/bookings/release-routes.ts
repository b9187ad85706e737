import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../lib/errors.ts';
import { whenText, whereText } from '../messages/facts.ts';
import { bookingIdFromToken, findBookingToRelease, releasePlace } from './release.ts';

const tokenParams = z.object({ token: z.string().max(200) });

/** The "release my place" link from reminders. No sign-in: the signed link is the credential. */
export async function releaseRoutes(app: FastifyInstance) {
  const { db, config } = app;

  async function releaseTarget(token: unknown) {
    const parsed = tokenParams.safeParse({ token });
    const bookingId = parsed.success ? bookingIdFromToken(config.sessionSecret, parsed.data.token) : null;
    return bookingId ? findBookingToRelease(db, bookingId) : undefined;
  }

  function problem(reply: FastifyReply, status: number, title: string, message: string) {
    return reply.code(status).viewAsync('bookings/release-problem.eta', { title, message });
  }

  const unknownLink = (reply: FastifyReply) =>
    problem(
      reply,
      404,
      'This link does not work',
      'Check you copied the whole link from the email. You can also sign in and cancel the booking from My bookings.',
    );
  const alreadyReleased = (reply: FastifyReply) =>
    problem(
      reply,
      410,
      'This place has already been released',
      'The link in your reminder works once, and it has been used. Your booking is cancelled, so nothing else needs doing.',
    );

  function describe(booking: NonNullable<Awaited<ReturnType<typeof findBookingToRelease>>>) {
    return { title: booking.title, organisationName: booking.organisationName, when: whenText(booking), where: whereText(booking) };
  }

  app.get('/release-place/:token', async (request, reply) => {
    const booking = await releaseTarget((request.params as { token?: unknown }).token);
    if (!booking?.userId) return unknownLink(reply);
    if (booking.status === 'cancelled') return alreadyReleased(reply);
    if (new Date(booking.startsAt) <= new Date()) {
      return problem(reply, 409, 'This session has already started', 'A place can only be released before the session starts.');
    }
    return reply.viewAsync('bookings/release.eta', { title: 'Release your place', booking: describe(booking), status: booking.status });
  });

  app.post('/release-place/:token', async (request, reply) => {
    const booking = await releaseTarget((request.params as { token?: unknown }).token);
    if (!booking?.userId) return unknownLink(reply);
    try {
      const outcome = await releasePlace(db, booking.id, { baseUrl: config.baseUrl, mailFrom: config.mailFrom, address: request.ip });
      if (outcome === 'not_found') return unknownLink(reply);
      if (outcome === 'already_released') return alreadyReleased(reply);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'session_started') {
        return problem(reply, 409, 'This session has already started', 'A place can only be released before the session starts.');
      }
      throw error;
    }
    request.log.info({ event: 'place_released', bookingId: booking.id }, 'place released from a reminder');
    return reply.viewAsync('bookings/release-done.eta', { title: 'Your place has been released', booking: describe(booking) });
  });
}
