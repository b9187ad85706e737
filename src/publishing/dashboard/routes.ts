import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../lib/errors.ts';
import { atRiskSessionIds } from '../../minimum/queries.ts';
import { requireRole } from '../../plugins/auth.ts';
import { flashFor } from '../../web/forms.ts';
import { userOf } from '../../web/request.ts';
import { findOrganisation } from '../organisations/queries.ts';
import { dashboardMessages } from './links.ts';
import { dashboardData } from './queries.ts';

/** The provider's dashboard: their sessions with bookings and waiting lists, offers and venues. */
export async function dashboardRoutes(app: FastifyInstance) {
  app.get('/provider', { preHandler: requireRole('provider', 'coordinator') }, async (request, reply) => {
    const user = userOf(request);
    // Coordinators see every organisation's dashboard from its own page.
    if (user.role === 'coordinator') return reply.redirect('/organisations', 303);
    const organisation = user.organisationId ? await findOrganisation(app.db, user.organisationId) : undefined;
    if (!organisation) throw new NotFoundError();
    return reply.viewAsync('provider/dashboard.eta', {
      title: 'Your sessions',
      organisationName: organisation.name,
      dashboard: await dashboardData(app.db, organisation.id),
      // Sessions short of their minimum at the check time (src/minimum): marked in the list.
      atRisk: await atRiskSessionIds(app.db, organisation.id, new Date(), app.config.minimumCheckHours),
      flash: flashFor(request.query, dashboardMessages),
    });
  });
}
