import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../lib/errors.ts';
import { requireRole } from '../plugins/auth.ts';
import { format } from '../reports/present.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { audienceNames } from './present.ts';
import * as q from './queries.ts';
import * as r from './report-queries.ts';

/**
 * The coordinator's view of a day, afterwards (issue 15): registrations and attendance by
 * audience, the tasters tried, confidence before and after by activity, how many agreed to share
 * their contact details, and — weeks later — referrals to the offers behind the tasters.
 */
export async function dayReportRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('coordinator'));

  app.get('/days/:id/report', async (request, reply) => {
    const day = await q.findDay(db, paramsOf(idParams, request).id);
    if (!day || day.status === 'draft') throw new NotFoundError();
    const [audiences, tasters, wholeDay, referrals] = await Promise.all([
      r.audienceFigures(db, day.id),
      r.tasterFigures(db, day.id),
      r.dayFeedbackFigures(db, day.id),
      r.referralsAfterDay(db, day.id),
    ]);
    const audienceRows = (['link_worker', 'cultural'] as const).map((audience) => ({
      name: audienceNames[audience],
      places: audience === 'link_worker' ? day.linkWorkerPlaces : day.culturalPlaces,
      ...(audiences.find((a) => a.audience === audience) ?? { confirmed: 0, waiting: 0, cancelled: 0, attended: 0, noShows: 0, sharedContacts: 0 }),
    }));
    return reply.viewAsync('days/report.eta', {
      title: `Report: ${day.title}`,
      day,
      audiences: audienceRows,
      tasters,
      wholeDay,
      referrals,
      format,
      backLink: { href: `/days/${day.id}`, text: `Back to ${day.title}` },
    });
  });
}
