import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { inTransaction } from '../db/transaction.ts';
import { NotFoundError } from '../lib/errors.ts';
import { qrCodeImage } from '../lib/qr-code.ts';
import { requireRole } from '../plugins/auth.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf, isHtmx, userOf } from '../web/request.ts';
import {
  type CheckInState,
  CLOSES_MINUTES_AFTER,
  checkInClosesAt,
  checkInOpensAt,
  checkInPath,
  checkInState,
  OPENS_MINUTES_BEFORE,
  readCheckInToken,
  selfCheckIn,
} from './check-in.ts';
import type { CheckInSession } from './check-in-queries.ts';
import { findCheckInSession } from './check-in-queries.ts';
import * as q from './queries.ts';
import { assertCanTakeRegister, registerWindow } from './service.ts';

const tokenParams = z.object({ token: z.string().max(200) });

const margins = { before: OPENS_MINUTES_BEFORE, after: CLOSES_MINUTES_AFTER };

/**
 * Self check-in by QR code: the page provider staff show at the door (a tablet, or printed), the
 * page the code opens on a link worker's phone, and the register's live part, which the register
 * page polls so check-ins appear on the provider's phone without a reload.
 */
export async function checkInRoutes(app: FastifyInstance) {
  const { db, config } = app;
  const staff = { preHandler: requireRole('provider', 'coordinator') };
  const linkWorker = { preHandler: requireRole('link_worker') };

  async function staffSession(request: FastifyRequest) {
    const session = await q.findRegisterSession(db, paramsOf(idParams, request).id);
    if (!session) throw new NotFoundError();
    assertCanTakeRegister(userOf(request), session);
    return session;
  }

  app.get('/sessions/:id/check-in-code', staff, async (request, reply) => {
    const session = await staffSession(request);
    const url = `${config.baseUrl}${checkInPath(config.sessionSecret, session.id)}`;
    return reply.viewAsync('check-in/code.eta', {
      title: `Check in: ${session.offerTitle}`,
      session,
      url,
      qrCode: await qrCodeImage(url),
      opensAt: checkInOpensAt(session),
      closesAt: checkInClosesAt(session),
      usable: session.status === 'published',
      margins,
    });
  });

  // The register page polls this every few seconds; it answers the same lists and counts the page
  // itself includes, and the page morphs them in, so focus and a half-tapped button are kept.
  app.get('/sessions/:id/register/live', staff, async (request, reply) => {
    const session = await staffSession(request);
    // Opened as a page (a copied address), it is the register itself.
    if (!isHtmx(request)) return reply.redirect(`/sessions/${session.id}/register`, 303);
    const [entries, counts] = await Promise.all([q.listRegister(db, session.id), q.registerCounts(db, session.id)]);
    return reply.viewAsync('attendance/live.eta', {
      session,
      confirmed: entries.filter((e) => e.status === 'confirmed'),
      waiting: entries.filter((e) => e.status === 'waitlisted'),
      counts,
      window: registerWindow(session, new Date()),
    });
  });

  function sessionIdOf(request: FastifyRequest): { token: string; sessionId: string | null } {
    const { token } = paramsOf(tokenParams, request);
    return { token, sessionId: readCheckInToken(config.sessionSecret, token) };
  }

  function checkInPage(reply: FastifyReply, status: number, data: { token: string; session?: CheckInSession; state: CheckInState | 'invalid' }) {
    const { session, state } = data;
    return reply.code(status).viewAsync('check-in/page.eta', {
      title: titles[state],
      token: data.token,
      session,
      state,
      opensAt: session ? checkInOpensAt(session) : null,
      closesAt: session ? checkInClosesAt(session) : null,
      margins,
    });
  }

  app.get('/check-in/:token', linkWorker, async (request, reply) => {
    const { token, sessionId } = sessionIdOf(request);
    const found = sessionId ? await checkInState(db, sessionId, userOf(request).id) : null;
    if (!found) return checkInPage(reply, 404, { token, state: 'invalid' });
    return checkInPage(reply, 200, { token, session: found.session, state: found.state });
  });

  app.post('/check-in/:token', linkWorker, async (request, reply) => {
    const { token, sessionId } = sessionIdOf(request);
    const state = sessionId ? await inTransaction(db, (tx) => selfCheckIn(tx, actorOf(request), sessionId)) : null;
    const session = sessionId ? await findCheckInSession(db, sessionId) : undefined;
    if (!state || !session) return checkInPage(reply, 404, { token, state: 'invalid' });
    if (state === 'checked_in') return reply.redirect(`/check-in/${token}`, 303);
    return checkInPage(reply, 409, { token, session, state });
  });
}

const titles: Record<CheckInState | 'invalid', string> = {
  invalid: 'This check-in code does not work',
  ready: 'Check in',
  checked_in: 'You are checked in',
  not_yet: 'Check-in has not opened yet',
  over: 'Check-in has closed',
  cancelled: 'This session was cancelled',
  not_published: 'This check-in code does not work',
  waiting_list: 'You are on the waiting list',
  not_booked: 'You do not have a place on this session',
};
