import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../lib/errors.ts';
import { offerHelpers, offerRoutes } from '../offers/routes.ts';
import { findOrganisation } from '../organisations/queries.ts';
import { organisationRoutes } from '../organisations/routes.ts';
import { requireRole } from '../plugins/auth.ts';
import { sessionLifecycleRoutes } from '../sessions/lifecycle-routes.ts';
import { sessionRoutes } from '../sessions/routes.ts';
import { venueRoutes } from '../venues/routes.ts';
import { flashFor } from './forms.ts';
import { dashboardMessages } from './links.ts';
import { dashboardData } from './queries.ts';

/** The provider's dashboard: their sessions with bookings and waiting lists, offers and venues. */
export async function providerRoutes(app: FastifyInstance) {
  app.get('/provider', { preHandler: requireRole('provider', 'coordinator') }, async (request, reply) => {
    const user = request.user!;
    // Coordinators see every organisation's dashboard from its own page.
    if (user.role === 'coordinator') return reply.redirect('/organisations', 303);
    const organisation = await findOrganisation(app.db, user.organisationId!);
    if (!organisation) throw new NotFoundError();
    return reply.viewAsync('provider/dashboard.eta', {
      title: 'Your sessions',
      organisationName: organisation.name,
      dashboard: await dashboardData(app.db, organisation.id),
      flash: flashFor(request.query, dashboardMessages),
    });
  });
}

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
  await app.register(providerRoutes);
}
