import type { PendingSignIn } from './client.ts';
import type { ProviderIdentity } from './service.ts';

declare module '@fastify/session' {
  interface FastifySessionObject {
    /** A sign-in sent to a provider and not back yet: state, nonce and PKCE verifier, used once. */
    providerSignIn?: PendingSignIn & { startedAt: number };
    /** The identity a provider vouched for, while the person creates an account or proves theirs. */
    providerIdentity?: ProviderIdentity & { returnTo: string; at: number };
  }
}

/** How long a sign-in may stay at the provider, and how long its identity waits for the next page. */
export const PENDING_MINUTES = 15;

export function stillFresh(at: number, now = Date.now()): boolean {
  return now - at < PENDING_MINUTES * 60_000;
}
