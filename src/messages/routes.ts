import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { requireRole } from '../plugins/auth.ts';
import { splitLinks } from './compose.ts';
import { whenText, whereText } from './facts.ts';
import { findMessage, listRecentMessages } from './outbox.ts';
import { NOT_WRITTEN, renderMessage, renderPendingMessages } from './render.ts';
import { bookingIdFromToken, findBookingToRelease, releasePlace } from '../bookings/release.ts';
import { GIVE_UP_AFTER, listUndelivered, sendAgain } from './undelivered.ts';
import { actorOf } from '../web/request.ts';
import { idParams, paramsOf } from '../web/params.ts';

const tokenParams = z.object({ token: z.string().max(200) });
const attachmentParams = z.object({ id: z.uuid(), index: z.coerce.number().int().min(0).max(20) });
const mailboxQuery = z.object({ to: z.string().trim().toLowerCase().max(320).optional().catch(undefined) });

// A stored HTML email is shown as its own document, with nothing able to run in it.
const EMAIL_PREVIEW_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox";

/** The "release my place" link from reminders, emails not delivered, and the development mailbox. */
export async function messageRoutes(app: FastifyInstance) {
  const { db, config } = app;

  // ---------- release my place (no sign-in: the signed link is the credential) ----------

  async function releaseTarget(token: unknown) {
    const parsed = tokenParams.safeParse({ token });
    const bookingId = parsed.success ? bookingIdFromToken(config.sessionSecret, parsed.data.token) : null;
    return bookingId ? findBookingToRelease(db, bookingId) : undefined;
  }

  function problem(reply: FastifyReply, status: number, title: string, message: string) {
    return reply.code(status).viewAsync('messages/release-problem.eta', { title, message });
  }

  const unknownLink = (reply: FastifyReply) =>
    problem(reply, 404, 'This link does not work', 'Check you copied the whole link from the email. You can also sign in and cancel the booking from My bookings.');
  const alreadyReleased = (reply: FastifyReply) =>
    problem(reply, 410, 'This place has already been released', 'The link in your reminder works once, and it has been used. Your booking is cancelled, so nothing else needs doing.');

  function describe(booking: NonNullable<Awaited<ReturnType<typeof findBookingToRelease>>>) {
    return { title: booking.title, organisationName: booking.organisationName, when: whenText(booking), where: whereText(booking) };
  }

  app.get('/release-place/:token', async (request, reply) => {
    const booking = await releaseTarget((request.params as { token?: unknown }).token);
    if (!booking?.userId) return unknownLink(reply);
    if (booking.status === 'cancelled') return alreadyReleased(reply);
    if (new Date(booking.startsAt) <= new Date()) {
      return problem(reply, 409, 'This session has already started', 'A place can only be released before the session starts.');
    }
    return reply.viewAsync('messages/release.eta', { title: 'Release your place', booking: describe(booking), status: booking.status });
  });

  app.post('/release-place/:token', async (request, reply) => {
    const booking = await releaseTarget((request.params as { token?: unknown }).token);
    if (!booking?.userId) return unknownLink(reply);
    try {
      const outcome = await releasePlace(db, booking.id, { baseUrl: config.baseUrl, address: request.ip });
      if (outcome === 'not_found') return unknownLink(reply);
      if (outcome === 'already_released') return alreadyReleased(reply);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'session_started') {
        return problem(reply, 409, 'This session has already started', 'A place can only be released before the session starts.');
      }
      throw error;
    }
    request.log.info({ event: 'place_released', bookingId: booking.id }, 'place released from a reminder');
    return reply.viewAsync('messages/release-done.eta', { title: 'Your place has been released', booking: describe(booking) });
  });

  // ---------- emails the automatic attempts gave up on ----------

  const coordinator = { preHandler: requireRole('coordinator') };

  async function undeliveredPage(reply: FastifyReply, extra: { flash?: string; errors?: Record<string, string> } = {}) {
    const messages = await listUndelivered(db);
    return reply.code(extra.errors ? 409 : 200).viewAsync('messages/undelivered.eta', {
      title: 'Emails not delivered',
      messages,
      giveUpAfter: GIVE_UP_AFTER,
      errors: extra.errors ?? {},
      flash: extra.flash,
    });
  }

  app.get('/messages/undelivered', coordinator, async (request, reply) => {
    const done = z.object({ done: z.literal('sent-again') }).safeParse(request.query);
    return undeliveredPage(reply, done.success ? { flash: 'The email will be tried again within a minute. If it goes, it leaves this list.' } : {});
  });

  app.post('/messages/undelivered/:id/send-again', coordinator, async (request, reply) => {
    const params = paramsOf(idParams, request);
    try {
      await db.transaction().execute((tx) => sendAgain(tx, actorOf(request), params.id));
    } catch (error) {
      if (error instanceof DomainError && error.code !== 'not_found') return undeliveredPage(reply, { errors: { messages: error.message } });
      throw error;
    }
    request.log.info({ event: 'message_sent_again', messageId: params.id }, 'email handed back for delivery');
    return reply.redirect('/messages/undelivered?done=sent-again', 303);
  });

  // ---------- development mailbox: never in production ----------

  if (config.env === 'production') return;

  app.get('/dev/mailbox', coordinator, async (request, reply) => {
    const query = mailboxQuery.parse(request.query ?? {});
    const filter = { limit: 50, ...(query.to ? { to: query.to } : {}) };
    let messages = await listRecentMessages(db, filter);
    // Messages queued as facts and not yet written by the worker are written now, once, as the
    // worker would: the mailbox shows what will be sent.
    const pending = messages.filter((message) => message.textBody === null).map((message) => message.id);
    if (pending.length > 0 && (await renderPendingMessages(db, { ids: pending })) > 0) messages = await listRecentMessages(db, filter);
    return reply.viewAsync('pages/mailbox.eta', {
      title: 'Development mailbox',
      messages: messages.map((message) => ({ ...message, subject: message.subject ?? NOT_WRITTEN, textBody: message.textBody ?? '' })),
      to: query.to ?? '',
      smtp: Boolean(config.smtpUrl),
      splitLinks,
    });
  });

  /** A message of the mailbox, written first if it is still facts. */
  async function mailboxMessage(id: string) {
    const message = await findMessage(db, id);
    return message ? renderMessage(db, message) : undefined;
  }

  app.get('/dev/mailbox/:id/html', coordinator, async (request, reply) => {
    const params = paramsOf(idParams, request);
    const message = await mailboxMessage(params.id);
    if (!message?.htmlBody) throw new NotFoundError();
    return reply.header('content-security-policy', EMAIL_PREVIEW_POLICY).type('text/html; charset=utf-8').send(message.htmlBody);
  });

  app.get('/dev/mailbox/:id/attachments/:index', coordinator, async (request, reply) => {
    const params = paramsOf(attachmentParams, request);
    const attachment = (await mailboxMessage(params.id))?.attachments[params.index];
    if (!attachment) throw new NotFoundError();
    const filename = attachment.filename.replace(/[^A-Za-z0-9._-]/g, '_');
    return reply.type(attachment.contentType).header('content-disposition', `attachment; filename="${filename}"`).send(attachment.content);
  });
}
