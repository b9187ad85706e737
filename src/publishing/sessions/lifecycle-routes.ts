import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inTransaction } from '../../db/transaction.ts';
import { DomainError, NotFoundError } from '../../lib/errors.ts';
import { type FieldErrors, parseForm } from '../../lib/forms.ts';
import { viewHelpers } from '../../lib/view-helpers.ts';
import { requireRole } from '../../plugins/auth.ts';
import { fieldsChecked } from '../../plugins/hostile-input.ts';
import { formPage } from '../../web/forms.ts';
import { idParams, paramsOf } from '../../web/params.ts';
import { actorOf, isHtmx, userOf } from '../../web/request.ts';
import { dashboardHref } from '../dashboard/links.ts';
import { assertManages } from '../organisations/access.ts';
import { sessionPage } from './page.ts';
import * as q from './queries.ts';
import { cancelForm } from './schemas.ts';
import * as sessions from './service.ts';

/** draft → published → cancelled, and deleting drafts. Each action is one transaction with its audit entry. */
export async function sessionLifecycleRoutes(app: FastifyInstance) {
  const { db } = app;
  const staff = { preHandler: requireRole('provider', 'coordinator') };

  async function managedSession(request: FastifyRequest) {
    const params = paramsOf(idParams, request);
    const session = await q.findSessionDetail(db, params.id);
    if (!session) throw new NotFoundError();
    assertManages(actorOf(request), session.organisationId);
    return session;
  }

  /** An action the rules refuse: the session page, saying why, with 409. */
  async function refused(reply: FastifyReply, id: string, error: DomainError) {
    const session = await q.findSessionDetail(db, id);
    if (!session) throw new NotFoundError();
    return sessionPage(reply, db, session, { errors: { status: error.message }, statusCode: 409 });
  }

  // The dashboard's "Publish" is enhanced by htmx: it gets back the session's row, updated, and a
  // message for the live region, so the page does not reload. Without JavaScript: a redirect.
  async function dashboardRow(reply: FastifyReply, id: string, message: string, statusCode: number) {
    const [summary] = await q.listSessionSummaries(db, { sessionId: id });
    return reply.code(statusCode).viewAsync('provider/session-row-response.eta', { session: summary, message, now: new Date() });
  }

  app.post('/sessions/:id/publish', staff, async (request, reply) => {
    const session = await managedSession(request);
    try {
      await inTransaction(db, (tx) => sessions.publishSession(tx, actorOf(request), session.id));
    } catch (error) {
      if (!(error instanceof DomainError) || error.code === 'not_found') throw error;
      if (isHtmx(request)) return dashboardRow(reply, session.id, error.message, 409);
      return refused(reply, session.id, error);
    }
    if (isHtmx(request))
      return dashboardRow(reply, session.id, `Published: ${session.offerTitle}, ${viewHelpers.dateTime(session.startsAt)}. Link workers can now book it.`, 200);
    return reply.redirect(`/sessions/${session.id}?done=published`, 303);
  });

  app.post('/sessions/:id/publish-series', staff, async (request, reply) => {
    const session = await managedSession(request);
    try {
      await inTransaction(db, (tx) => sessions.publishSeries(tx, actorOf(request), session.id));
    } catch (error) {
      if (!(error instanceof DomainError) || error.code === 'not_found') throw error;
      return refused(reply, session.id, error);
    }
    return reply.redirect(`/sessions/${session.id}?done=published-series`, 303);
  });

  function cancelPage(reply: FastifyReply, session: q.SessionDetail, values: Record<string, string>, errors: FieldErrors = {}) {
    return formPage(reply, 'sessions/cancel.eta', {
      title: 'Cancel this taster session',
      session,
      values,
      errors,
      backLink: { href: `/sessions/${session.id}`, text: 'Back to the session' },
    });
  }

  app.get('/sessions/:id/cancel', staff, async (request, reply) => {
    const session = await managedSession(request);
    if (session.status !== 'published') {
      const message =
        session.status === 'draft'
          ? 'This session is a draft that nobody can see yet. Delete it instead of cancelling it'
          : 'This session is already cancelled';
      return sessionPage(reply, db, session, { errors: { status: message }, statusCode: 409 });
    }
    return cancelPage(reply, session, {});
  });

  app.post('/sessions/:id/cancel', { ...staff, ...fieldsChecked }, async (request, reply) => {
    const session = await managedSession(request);
    const form = parseForm(cancelForm, request.body);
    if (!form.ok) return cancelPage(reply, session, form.values, form.errors);
    try {
      await inTransaction(db, (tx) =>
        sessions.cancelSession(tx, actorOf(request), session.id, form.value.reason, { baseUrl: app.config.baseUrl, mailFrom: app.config.mailFrom }),
      );
    } catch (error) {
      if (!(error instanceof DomainError) || error.code === 'not_found') throw error;
      return refused(reply, session.id, error);
    }
    return reply.redirect(`/sessions/${session.id}?done=cancelled`, 303);
  });

  app.get('/sessions/:id/delete', staff, async (request, reply) => {
    const session = await managedSession(request);
    if (session.status !== 'draft') {
      return sessionPage(reply, db, session, { errors: { status: 'Only a draft can be deleted. Cancel a published session instead' }, statusCode: 409 });
    }
    return reply.viewAsync('sessions/delete.eta', {
      title: 'Delete this draft session',
      session,
      backLink: { href: `/sessions/${session.id}`, text: 'Back to the session' },
    });
  });

  app.post('/sessions/:id/delete', staff, async (request, reply) => {
    const session = await managedSession(request);
    try {
      await inTransaction(db, (tx) => sessions.deleteSession(tx, actorOf(request), session.id));
    } catch (error) {
      if (!(error instanceof DomainError) || error.code === 'not_found') throw error;
      return refused(reply, session.id, error);
    }
    return reply.redirect(`${dashboardHref(userOf(request), session.organisationId)}?done=deleted`, 303);
  });
}
