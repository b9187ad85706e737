import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { categoryNames } from '../db/tables/publishing.ts';
import { isoDateOf } from '../lib/london-time.ts';
import { requireRole } from '../plugins/auth.ts';
import { csvFilename, csvStream } from '../reports/csv.ts';
import { userOf } from '../web/request.ts';
import { attendedTasters } from './queries.ts';

/** A link worker's record of tasters attended, for appraisal and CPD: a page and a download. */
export async function recordRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('link_worker'));

  app.get('/my-record', async (request, reply) => {
    const tasters = await attendedTasters(db, userOf(request).id);
    const totalHours = Math.round(tasters.reduce((sum, t) => sum + t.hours, 0) * 100) / 100;
    return reply.viewAsync('records/record.eta', { title: 'My record of tasters', tasters, totalHours, categoryNames });
  });

  app.get('/my-record.csv', async (request, reply) => {
    const tasters = await attendedTasters(db, userOf(request).id);
    const rows = tasters.map((t) => ({
      date: isoDateOf(DateTime.fromJSDate(t.startsAt, { zone: 'Europe/London' })),
      start: DateTime.fromJSDate(t.startsAt, { zone: 'Europe/London' }).toFormat('HH:mm'),
      end: DateTime.fromJSDate(t.endsAt, { zone: 'Europe/London' }).toFormat('HH:mm'),
      activity: t.offerTitle,
      category: categoryNames[t.category],
      organisation: t.organisationName,
      place: t.isOnline ? 'Online' : (t.venueName ?? ''),
      hours: t.hours,
    }));
    const today = isoDateOf(DateTime.now().setZone('Europe/London'));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${csvFilename('tasters-record', userOf(request).name, today)}"`)
      .header('cache-control', 'no-store')
      .send(
        csvStream(rows, [
          { key: 'date', header: 'Date' },
          { key: 'start', header: 'Start' },
          { key: 'end', header: 'End' },
          { key: 'activity', header: 'Activity' },
          { key: 'category', header: 'Category' },
          { key: 'organisation', header: 'Organisation' },
          { key: 'place', header: 'Place' },
          { key: 'hours', header: 'Hours' },
        ]),
      );
  });
}
