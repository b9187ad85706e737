import type { FastifyInstance } from 'fastify';

/**
 * "Stay signed in" from the time-out warning (static/app.js). Any signed-in request pushes the
 * idle expiry on (the sessions are rolling), so this only has to be a signed-in request that
 * changes nothing else. POST with the CSRF header, so another site cannot keep a session alive.
 */
export async function keepAliveRoutes(app: FastifyInstance) {
  app.post('/session/keep-alive', async (request, reply) => {
    if (!request.user) return reply.code(401).header('cache-control', 'no-store').send();
    return reply.code(204).send();
  });
}
