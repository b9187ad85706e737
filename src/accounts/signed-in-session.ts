import type { FastifyRequest } from 'fastify';

/**
 * Signed in, however the person got there (password, sign-in link, second step, accepted
 * invitation): a new session id first, so an id planted before sign-in is worth nothing after it.
 */
export async function startSignedInSession(request: FastifyRequest, userId: string, how: Record<string, string> = {}) {
  await request.session.regenerate();
  request.session.userId = userId;
  request.log.info({ event: 'signed_in', userId, ...how }, 'signed in');
}
