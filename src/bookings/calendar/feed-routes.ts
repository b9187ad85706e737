import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../lib/errors.ts';
import { hashToken } from '../../lib/tokens.ts';
import { toBookingItem } from '../present.ts';
import { listLiveBookings } from '../queries.ts';
import { bookingsCalendar, calendarItem } from './ics.ts';
import { findFeedOwner, markFeedFetched } from './queries.ts';

const FEED_HISTORY_MS = 90 * 24 * 3_600_000;

/**
 * The private calendar feed that Outlook and Google Calendar poll. Registered outside the signed-in
 * pages: the secret in the address is the only credential, no cookie is read or set, and an old
 * or unknown address is simply "not found".
 */
export async function calendarFeedRoutes(app: FastifyInstance) {
  const { db, config } = app;

  app.get('/calendar/:file', async (request, reply) => {
    const file = (request.params as { file?: string }).file ?? '';
    const token = /^([A-Za-z0-9_-]{20,100})\.ics$/.exec(file)?.[1];
    if (!token) throw new NotFoundError();
    const owner = await findFeedOwner(db, hashToken(token));
    if (!owner) throw new NotFoundError();
    const rows = await listLiveBookings(db, owner.id, { since: new Date(Date.now() - FEED_HISTORY_MS) });
    await markFeedFetched(db, owner.id);
    const items = rows.map((row) => calendarItem(toBookingItem(row), config.mailFrom));
    const body = bookingsCalendar(items, { name: 'Tasters bookings', baseUrl: config.baseUrl, feed: true, now: new Date() });
    return reply.type('text/calendar; charset=utf-8').header('cache-control', 'no-store').send(body);
  });
}
