import type { FastifyRequest } from 'fastify';

/** An htmx request wants a fragment back, not a redirect or a whole page. */
export function isHtmx(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true';
}

export function actorOf(request: FastifyRequest) {
  return { id: request.user!.id, address: request.ip };
}
