import type { FastifyRequest } from 'fastify';
import type { ActorInRole } from '../audit/actor.ts';
import type { CurrentUser } from './current-user.ts';

/** The path of a request's URL, without its query string. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** An htmx request wants a fragment back, not a redirect or a whole page. */
export function isHtmx(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true';
}

/**
 * The signed-in person, on a route behind requireRole or requireSignIn: the guard has sent everyone
 * else to sign in, so reaching here without one is a route registered without its guard.
 */
export function userOf(request: FastifyRequest): CurrentUser {
  if (!request.user) throw new Error(`${request.method} ${request.routeOptions.url} has no sign-in guard`);
  return request.user;
}

/** The signed-in person as the services take them: who, in which role, from which address. */
export function actorOf(request: FastifyRequest): ActorInRole & { address: string } {
  const user = userOf(request);
  return { id: user.id, role: user.role, organisationId: user.organisationId, address: request.ip };
}
