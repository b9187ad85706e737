import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../lib/errors.ts';
import { viewHelpers as h } from '../lib/view-helpers.ts';
import { findRegistrationToRelease, registrationIdFromToken, releaseDayPlace } from './release.ts';

const tokenParams = z.object({ token: z.string().max(200) });

/** The "release my place" link from a day's reminder. No sign-in: the signed link is the credential. */
export async function dayReleaseRoutes(app: FastifyInstance) {
  const { db, config } = app;

  async function target(token: unknown) {
    const parsed = tokenParams.safeParse({ token });
    const id = parsed.success ? registrationIdFromToken(config.sessionSecret, parsed.data.token) : null;
    return id ? findRegistrationToRelease(db, id) : undefined;
  }

  function problem(reply: FastifyReply, status: number, title: string, message: string) {
    return reply.code(status).viewAsync('bookings/release-problem.eta', { title, message });
  }
  const unknownLink = (reply: FastifyReply) =>
    problem(reply, 404, 'This link does not work', 'Check you copied the whole link from the email. You can also sign in and cancel on the day’s page.');
  const alreadyReleased = (reply: FastifyReply) =>
    problem(
      reply,
      410,
      'This place has already been released',
      'The link in your reminder works once, and it has been used. Your registration is cancelled, so nothing else needs doing.',
    );
  const started = (reply: FastifyReply) => problem(reply, 409, 'This day has already started', 'A place can only be released before the day starts.');

  function describe(r: NonNullable<Awaited<ReturnType<typeof target>>>) {
    return {
      title: r.title,
      when: `${h.date(r.startsAt)}, ${h.time(r.startsAt)} to ${h.time(r.endsAt)}`,
      where: [r.venueName, r.town].filter(Boolean).join(', '),
    };
  }

  app.get('/release-day-place/:token', async (request, reply) => {
    const registration = await target((request.params as { token?: unknown }).token);
    if (!registration?.userId || registration.dayStatus === 'cancelled') return unknownLink(reply);
    if (registration.status === 'cancelled') return alreadyReleased(reply);
    if (new Date(registration.startsAt) <= new Date()) return started(reply);
    return reply.viewAsync('days/release.eta', { title: 'Release your place', day: describe(registration), status: registration.status });
  });

  app.post('/release-day-place/:token', async (request, reply) => {
    const registration = await target((request.params as { token?: unknown }).token);
    if (!registration?.userId || registration.dayStatus === 'cancelled') return unknownLink(reply);
    try {
      const outcome = await releaseDayPlace(db, registration.id, { baseUrl: config.baseUrl, mailFrom: config.mailFrom, address: request.ip });
      if (outcome === 'not_found') return unknownLink(reply);
      if (outcome === 'already_released') return alreadyReleased(reply);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'session_started') return started(reply);
      throw error;
    }
    request.log.info({ event: 'day_place_released', registrationId: registration.id }, 'day place released from a reminder');
    return reply.viewAsync('days/release-done.eta', { title: 'Your place has been released', day: describe(registration) });
  });
}
