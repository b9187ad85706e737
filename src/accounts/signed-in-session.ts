import type { FastifyRequest } from 'fastify';

declare module '@fastify/session' {
  interface FastifySessionObject {
    /**
     * Signed in through an OpenID Connect provider: which (its settings' short name), and whether
     * its multi-factor sign-in stood in for two-step sign-in (two-step/gate.ts reads it). Sign-out
     * sends the person on to the provider's own sign-out.
     */
    signedInWith?: { provider: string; mfa: boolean };
  }
}

/**
 * Signed in, however the person got there (password, sign-in link, second step, accepted
 * invitation, a provider): a new session id first, so an id planted before sign-in is worth
 * nothing after it.
 */
export async function startSignedInSession(
  request: FastifyRequest,
  userId: string,
  how: Record<string, string> = {},
  signedInWith?: { provider: string; mfa: boolean },
) {
  await request.session.regenerate();
  request.session.userId = userId;
  if (signedInWith) request.session.signedInWith = signedInWith;
  request.log.info({ event: 'signed_in', userId, ...how }, 'signed in');
}
