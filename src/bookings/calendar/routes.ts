import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../lib/errors.ts';
import { requireRole } from '../../plugins/auth.ts';
import { idParams, paramsOf } from '../../web/params.ts';
import { actorOf, userOf } from '../../web/request.ts';
import { toBookingItem } from '../present.ts';
import { listLiveBookings } from '../queries.ts';
import { bookingsCalendar, calendarItem } from './ics.ts';
import { findFeed } from './queries.ts';
import { resetCalendarFeed } from './service.ts';

/** "Add to calendar" for one booking, and setting up or replacing the private calendar feed. */
export async function calendarRoutes(app: FastifyInstance) {
  const { db, config } = app;
  app.addHook('preHandler', requireRole('link_worker'));

  app.get('/bookings/:id/calendar.ics', async (request, reply) => {
    const params = paramsOf(idParams, request);
    const [row] = await listLiveBookings(db, userOf(request).id, { bookingId: params.id });
    // Only a place is an event to add: a waiting-list place is not one yet (the feed shows it, marked as such).
    if (row?.status !== 'confirmed') throw new NotFoundError();
    const body = bookingsCalendar([calendarItem(toBookingItem(row), config.mailFrom)], {
      name: 'Tasters booking',
      baseUrl: config.baseUrl,
      feed: false,
      now: new Date(),
    });
    return reply.type('text/calendar; charset=utf-8').header('content-disposition', 'attachment; filename="taster-booking.ics"').send(body);
  });

  async function feedPage(userId: string, feedUrl: string | null) {
    const feed = await findFeed(db, userId);
    return {
      title: 'Calendar feed',
      feed,
      feedUrl,
      webcalUrl: feedUrl ? feedUrl.replace(/^https?:/, 'webcal:') : null,
      backLink: { href: '/my-bookings', text: 'Back to my bookings' },
    };
  }

  app.get('/my-bookings/calendar-feed', async (request, reply) => {
    return reply.viewAsync('calendar/feed.eta', await feedPage(userOf(request).id, null));
  });

  // The address is shown once, in the answer to this POST: only its hash is kept.
  app.post('/my-bookings/calendar-feed', async (request, reply) => {
    const token = await db.transaction().execute((tx) => resetCalendarFeed(tx, actorOf(request)));
    return reply.viewAsync('calendar/feed.eta', await feedPage(userOf(request).id, `${config.baseUrl}/calendar/${token}.ics`));
  });
}
