import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { splitLinks } from '../messages/compose.ts';
import { findMessage, listRecentMessages } from '../messages/outbox.ts';
import { requireRole } from '../plugins/auth.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf } from '../web/request.ts';
import { NOT_WRITTEN, renderMessage, renderPendingMessages } from './render.ts';
import { GIVE_UP_AFTER, listUndelivered, sendAgain } from './undelivered.ts';

const attachmentParams = z.object({ id: z.uuid(), index: z.coerce.number().int().min(0).max(20) });
const mailboxQuery = z.object({ to: z.string().trim().toLowerCase().max(320).optional().catch(undefined) });

// A stored HTML email is shown as its own document, with nothing able to run in it.
const EMAIL_PREVIEW_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox";

/** Emails not delivered, and the development mailbox. */
export async function deliveryRoutes(app: FastifyInstance) {
  const { db, config } = app;

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
