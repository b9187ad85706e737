import type { FastifyReply } from 'fastify';
import { bookingPanel } from '../../bookings/panel.ts';
import type { Queryable } from '../../db/database.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { findMinimum } from '../../minimum/queries.ts';
import { listReservations } from '../../reservations/queries.ts';
import { actorOf } from '../../web/request.ts';
import { manages } from '../organisations/access.ts';
import { listBroadcasts } from './message-queries.ts';
import { sessionView } from './present.ts';
import { draftsInSeries, hasConfirmedBooking, type SessionDetail } from './queries.ts';

/**
 * The session page. Joining instructions of an online session are for people with a confirmed
 * place (and the organisation's staff and coordinators, who wrote them); nobody else gets them in the HTML.
 */
export async function sessionPage(
  reply: FastifyReply,
  db: Queryable,
  session: SessionDetail,
  options: { flash?: string | undefined; errors?: FieldErrors; values?: Record<string, string>; statusCode?: number } = {},
) {
  const actor = actorOf(reply.request);
  const now = new Date();
  const canManage = manages(actor, session.organisationId);
  const booked = actor.role === 'link_worker' ? await hasConfirmedBooking(db, session.id, actor.id) : false;
  const seriesDrafts = canManage && session.seriesId ? (await draftsInSeries(db, session.seriesId)).filter((draft) => draft.startsAt > now).length : 0;
  // Link workers book from here; staff and coordinators see the counts and who has booked.
  const panel = session.status === 'draft' ? null : await bookingPanel(db, session.id, reply.request.user);
  // The session's history of messages to the people on it, for those who manage it.
  const sent = canManage && session.status !== 'draft' ? await listBroadcasts(db, session.id) : null;
  // Places kept for PCNs (src/reservations), shown to the people who manage the session.
  const reservations = canManage ? await listReservations(db, session.id, now) : [];
  // The bookings it needs to run (src/minimum), and whether it is at risk now.
  const minimum = canManage ? await findMinimum(db, session.id, now, reply.server.config.minimumCheckHours) : null;
  return reply.code(options.statusCode ?? 200).viewAsync('sessions/show.eta', {
    bookingPanel: panel,
    title: session.offerTitle,
    session,
    view: sessionView(session, now),
    canManage,
    showJoining: session.isOnline && (canManage || booked),
    booked,
    seriesDrafts,
    sent,
    reservations,
    minimum,
    minimumValues: options.values ?? {},
    now,
    flash: options.flash,
    errors: options.errors ?? {},
    ...(canManage ? { backLink: { href: `/offers/${session.offerId}`, text: 'Back to the offer' } } : {}),
  });
}
