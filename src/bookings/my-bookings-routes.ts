import type { FastifyInstance } from 'fastify';
import { requireRole } from '../plugins/auth.ts';
import { referralPrompts } from '../referrals/prompts.ts';
import { userOf } from '../web/request.ts';
import { findFeed } from './calendar/queries.ts';
import { toBookingItem } from './present.ts';
import { listLiveBookings } from './queries.ts';

const YEAR_MS = 365 * 24 * 3_600_000;

/** My bookings: places to come, waiting lists (with positions), and the past year. */
export async function myBookingsRoutes(app: FastifyInstance) {
  const { db } = app;

  app.get('/my-bookings', { preHandler: requireRole('link_worker') }, async (request, reply) => {
    const user = userOf(request);
    const now = new Date();
    const [rows, feed, prompts] = await Promise.all([
      listLiveBookings(db, user.id, { since: new Date(now.getTime() - YEAR_MS) }),
      findFeed(db, user.id),
      // 4 and 12 weeks after a taster: did trying it lead to referrals?
      referralPrompts(db, user.id, now),
    ]);
    const items = rows.map(toBookingItem);
    const upcoming = (b: (typeof items)[number]) => new Date(b.startsAt) > now;
    return reply.viewAsync('bookings/my-bookings.eta', {
      title: 'My bookings',
      confirmed: items.filter((b) => b.status === 'confirmed' && upcoming(b)),
      waiting: items.filter((b) => b.status === 'waitlisted' && upcoming(b)),
      past: items.filter((b) => b.status === 'confirmed' && !upcoming(b)).reverse(),
      prompts,
      feed: feed ? { createdAt: feed.createdAt, lastFetchedAt: feed.lastFetchedAt } : null,
    });
  });
}
