import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { bookPlace, cancelBooking } from '../src/bookings/service.ts';
import type { Db } from '../src/db/database.ts';
import { findSessions } from '../src/find/queries.ts';
import { findQuery } from '../src/find/schemas.ts';
import { parseForm } from '../src/lib/forms.ts';

const ids = z.object({ id: z.uuid() });
const viewer = z.object({ 'x-user-id': z.uuid() });

/**
 * The baseline: Fastify with no plugins (no sessions, CSRF, security headers, templates or
 * logging). GET /find.json parses the same query string with the same schema and runs the same
 * find query (src/find/queries.ts) for the viewer named in X-User-Id, answering JSON. The two
 * POST routes run the booking service's own transactions, so booking through the app can be
 * compared with the bare write.
 */
export async function buildBareApp(db: Db, baseUrl: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });

  app.get('/find.json', async (request, reply) => {
    const parsed = parseForm(findQuery, request.query);
    if (!parsed.ok) return reply.code(400).send({ errors: parsed.errors });
    return findSessions(db, parsed.value, viewer.parse(request.headers)['x-user-id']);
  });

  app.post('/sessions/:id/book', async (request) => {
    const { id } = ids.parse(request.params);
    const userId = viewer.parse(request.headers)['x-user-id'];
    return bookPlace(db, { id: userId, address: request.ip }, id, { confidenceBefore: null }, { baseUrl });
  });

  app.post('/bookings/:id/cancel', async (request) => {
    const { id } = ids.parse(request.params);
    const userId = viewer.parse(request.headers)['x-user-id'];
    return cancelBooking(db, { id: userId, address: request.ip }, id, { baseUrl });
  });

  return app;
}
