import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { ForbiddenError } from '../lib/errors.ts';
import { isoDateOf } from '../lib/london-time.ts';
import { requireRole } from '../plugins/auth.ts';
import { userOf } from '../web/request.ts';
import type { ReportFilters } from './filters.ts';
import { format } from './present.ts';
import { providerOfferView } from './provider.ts';
import * as pq from './provider-queries.ts';
import * as q from './queries.ts';

/** A provider's own attendance and feedback, by offer and session, with the small-group rule. */
export async function providerFeedbackRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('provider'));

  app.get('/provider/feedback', async (request, reply) => {
    const organisationId = userOf(request).organisationId;
    if (!organisationId) throw new ForbiddenError();
    const now = new Date();
    // Everything that has happened so far: sessions from the service's first year up to now.
    const f: ReportFilters = {
      from: '2020-01-01',
      to: isoDateOf(DateTime.fromJSDate(now, { zone: 'Europe/London' })),
      start: DateTime.fromISO('2020-01-01', { zone: 'Europe/London' }).toJSDate(),
      end: now,
      fromMonth: '2020-01-01',
      toMonth: isoDateOf(DateTime.fromJSDate(now, { zone: 'Europe/London' }).startOf('month')),
      organisationId,
      kind: null,
      category: null,
      pcn: null,
    };
    const [offers, sessions, comments, referrals] = await Promise.all([
      q.funnelBy(db, f, 'offer'),
      pq.sessionAttendance(db, organisationId, now),
      pq.offerComments(db, organisationId),
      pq.referralsToOffers(db, organisationId),
    ]);
    return reply.viewAsync('provider/feedback.eta', {
      title: 'Attendance and feedback',
      offers: offers.map((row) => ({
        ...providerOfferView(row),
        comments: comments.comments.filter((c) => c.offerId === row.key),
        easier: comments.easier.filter((c) => c.offerId === row.key),
      })),
      sessions,
      referrals,
      minGroupSize: pq.MIN_GROUP_SIZE,
      format,
    });
  });
}
