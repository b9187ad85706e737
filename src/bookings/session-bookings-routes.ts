import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../lib/errors.ts';
import { requireRole } from '../plugins/auth.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { userOf } from '../web/request.ts';
import { toSessionSummary } from './present.ts';
import { findSessionSummary, listSessionBookings } from './queries.ts';

/** Who has a place and who is waiting: for the session's own provider staff and coordinators. */
export async function sessionBookingsRoutes(app: FastifyInstance) {
  const { db } = app;

  app.get('/sessions/:id/bookings', { preHandler: requireRole('provider', 'coordinator') }, async (request, reply) => {
    const user = userOf(request);
    const params = paramsOf(idParams, request);
    const row = await findSessionSummary(db, params.id);
    // Another organisation's session does not exist, as far as provider staff can tell.
    if (!row || (user.role === 'provider' && row.organisationId !== user.organisationId)) throw new NotFoundError();
    const bookings = (await listSessionBookings(db, row.id)).map((b) => ({
      id: b.id,
      status: b.status,
      name: b.name ?? 'Erased account',
      practice: [b.practice, b.pcn].filter(Boolean).join(', '),
      email: b.email,
      position: b.status === 'waitlisted' ? b.position : null,
      since: b.status === 'waitlisted' ? b.waitlistedAt : b.confirmedAt,
      promoted: b.promotedAt !== null,
      isWalkIn: b.isWalkIn,
      attendance: b.attendance,
    }));
    const session = toSessionSummary(row);
    return reply.viewAsync('bookings/session-bookings.eta', {
      title: `Bookings: ${session.title}`,
      session,
      confirmed: bookings.filter((b) => b.status === 'confirmed'),
      waiting: bookings.filter((b) => b.status === 'waitlisted').sort((a, b) => (a.position ?? 0) - (b.position ?? 0)),
      backLink: { href: `/sessions/${session.id}`, text: 'Back to the session' },
    });
  });
}
