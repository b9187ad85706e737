import type { FastifyInstance } from 'fastify';
import { dashboardRoutes } from './dashboard/routes.ts';
import { offerHelpers, offerRoutes } from './offers/routes.ts';
import { organisationRoutes } from './organisations/routes.ts';
import { sessionLifecycleRoutes } from './sessions/lifecycle-routes.ts';
import { sessionMessageRoutes } from './sessions/message-routes.ts';
import { sessionRoutes } from './sessions/routes.ts';
import { seriesRoutes } from './sessions/series-routes.ts';
import { venueRoutes } from './venues/routes.ts';

/** Everything providers publish: organisations, venues, offers, taster sessions and the dashboard. */
export async function publishingRoutes(app: FastifyInstance) {
  // The offer helpers (category names, schedule in words) are used by several of these pages.
  app.addHook('preHandler', async (_request, reply) => {
    reply.locals = { ...reply.locals, ...offerHelpers };
  });
  await app.register(organisationRoutes);
  await app.register(venueRoutes);
  await app.register(offerRoutes);
  await app.register(sessionRoutes);
  await app.register(sessionLifecycleRoutes);
  await app.register(seriesRoutes);
  await app.register(sessionMessageRoutes);
  await app.register(dashboardRoutes);
}
