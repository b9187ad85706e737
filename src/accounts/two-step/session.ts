import type { FastifyRequest } from 'fastify';

declare module '@fastify/session' {
  interface FastifySessionObject {
    /** Where to go once the second step is done (a path on this site, already checked). */
    twoStepReturnTo?: string;
    /** How the first step was passed: its wrong codes are counted apart (see accounts/throttle.ts). */
    twoStepPath?: 'password' | 'link' | 'provider';
    /** After signing in with a provider: which one (its settings' short name), for sign-out and the record. */
    twoStepProvider?: string;
    /** The secret being set up, encrypted, until the person confirms it with a code. */
    twoStepSetUpSecret?: string;
  }
}

/** After the right password (or a sign-in link, or a provider), for someone with two-step sign-in: not signed in until the code. */
export function startSecondStep(
  session: FastifyRequest['session'],
  userId: string,
  returnTo: string,
  path: 'password' | 'link' | 'provider' = 'password',
  provider?: string,
) {
  session.twoStepPending = userId;
  session.twoStepReturnTo = returnTo;
  session.twoStepPath = path;
  if (provider) session.twoStepProvider = provider;
}
