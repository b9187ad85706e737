import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inTransaction } from '../../db/transaction.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { type FieldErrors, formValues, parseForm } from '../../lib/forms.ts';
import { requireRole } from '../../plugins/auth.ts';
import { fieldsChecked } from '../../plugins/hostile-input.ts';
import { fieldErrorFrom, flashFor, formPage } from '../../web/forms.ts';
import { idParams, paramsOf } from '../../web/params.ts';
import { actorOf } from '../../web/request.ts';
import { assertManages } from '../organisations/access.ts';
import { audienceSizes, listBroadcasts } from './message-queries.ts';
import { MESSAGE_MAX_LENGTH, sessionMessageForm } from './message-schemas.ts';
import { MESSAGE_WINDOW_HOURS, MESSAGES_PER_SESSION, sendSessionMessage } from './message-service.ts';
import * as q from './queries.ts';

export const messageDoneMessages: Record<string, string> = {
  'message-sent': 'Message sent. It is on its way to everyone it was for, and listed under Messages sent.',
};

/**
 * "Message everyone booked" and "message everyone waiting" on a session (issue 16, item 5), for the
 * session's own organisation's staff and coordinators: the form, with the messages sent so far.
 */
export async function sessionMessageRoutes(app: FastifyInstance) {
  const { db } = app;
  const staff = { preHandler: requireRole('provider', 'coordinator') };

  async function managedSession(request: FastifyRequest) {
    const params = paramsOf(idParams, request);
    const session = await q.findSessionDetail(db, params.id);
    if (!session) throw new NotFoundError();
    assertManages(actorOf(request), session.organisationId);
    return session;
  }

  async function messagePage(reply: FastifyReply, session: q.SessionDetail, values: Record<string, string>, errors: FieldErrors = {}, flash?: string) {
    const [sizes, sent] = await Promise.all([audienceSizes(db, session.id), listBroadcasts(db, session.id)]);
    return formPage(reply, 'sessions/message.eta', {
      title: 'Message the people on this session',
      session,
      sizes,
      sent,
      limit: { messages: MESSAGES_PER_SESSION, hours: MESSAGE_WINDOW_HOURS },
      maxLength: MESSAGE_MAX_LENGTH,
      values,
      errors,
      flash,
      backLink: { href: `/sessions/${session.id}`, text: 'Back to the session' },
    });
  }

  app.get('/sessions/:id/message', staff, async (request, reply) => {
    const session = await managedSession(request);
    return messagePage(reply, session, { audience: 'booked' }, {}, flashFor(request.query, messageDoneMessages));
  });

  app.post('/sessions/:id/message', { ...staff, ...fieldsChecked }, async (request, reply) => {
    const session = await managedSession(request);
    const form = parseForm(sessionMessageForm, request.body);
    if (!form.ok) return messagePage(reply, session, form.values, form.errors);
    try {
      await inTransaction(db, (tx) => sendSessionMessage(tx, actorOf(request), session.id, form.value, { baseUrl: app.config.baseUrl }));
    } catch (error) {
      const errors = fieldErrorFrom(error, 'message');
      if (errors) return messagePage(reply, session, formValues(request.body), errors);
      throw error;
    }
    return reply.redirect(`/sessions/${session.id}/message?done=message-sent`, 303);
  });
}
