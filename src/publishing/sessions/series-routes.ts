import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inTransaction } from '../../db/transaction.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { type FieldErrors, formValues, parseForm } from '../../lib/forms.ts';
import { requireRole } from '../../plugins/auth.ts';
import { fieldsChecked } from '../../plugins/hostile-input.ts';
import { fieldErrorFrom, formPage } from '../../web/forms.ts';
import { idParams, paramsOf } from '../../web/params.ts';
import { actorOf } from '../../web/request.ts';
import { assertManages } from '../organisations/access.ts';
import { listVenues } from '../venues/queries.ts';
import { sessionValues } from './form-values.ts';
import { sessionPage } from './page.ts';
import * as q from './queries.ts';
import { seriesCancelForm, seriesChangeForm } from './series-schemas.ts';
import { cancelSeries, changeSeries } from './series-service.ts';

export const seriesDoneMessages: Record<string, string> = {
  'changed-series': 'This session and every later one in the series are changed. Everyone affected is emailed once.',
  'cancelled-series': 'This session and every later one in the series are cancelled. Everyone affected is emailed once.',
};

/**
 * "This session and all later ones in the series" (issue 16, item 3): one form changes their time
 * of day, place, places and details, another cancels them, each in one transaction.
 */
export async function seriesRoutes(app: FastifyInstance) {
  const { db } = app;
  const staff = { preHandler: requireRole('provider', 'coordinator') };
  const messageOptions = () => ({ baseUrl: app.config.baseUrl, mailFrom: app.config.mailFrom });

  /** A session of a series the person manages, with the sessions a change would reach. */
  async function managedSeriesSession(request: FastifyRequest) {
    const params = paramsOf(idParams, request);
    const session = await q.findSessionDetail(db, params.id);
    if (!session) throw new NotFoundError();
    assertManages(actorOf(request), session.organisationId);
    const now = new Date();
    const refusal = !session.seriesId
      ? 'This session is not part of a series. Change it on its own instead'
      : session.status === 'cancelled'
        ? 'This session has been cancelled, so it can no longer be changed'
        : session.startsAt <= now
          ? 'This session has already started, so it can no longer be changed'
          : null;
    if (refusal) return { session, refusal };
    const affected = (await q.listSessionSummaries(db, { offerId: session.offerId, when: 'upcoming', now })).filter(
      (s) => s.seriesId === session.seriesId && s.startsAt >= session.startsAt && s.startsAt > now && s.status !== 'cancelled',
    );
    return { session, affected, refusal: null };
  }

  type Found = Awaited<ReturnType<typeof managedSeriesSession>> & { refusal: null };

  /** The session page saying why, with 409, for a session no series change can reach. */
  function refused(reply: FastifyReply, found: { session: q.SessionDetail; refusal: string }) {
    return sessionPage(reply, db, found.session, { errors: { status: found.refusal }, statusCode: 409 });
  }

  async function changePage(reply: FastifyReply, found: Found, values: Record<string, string>, errors: FieldErrors = {}) {
    const { session, affected } = found;
    const venues = await listVenues(db, session.organisationId);
    const current =
      session.venueId && !venues.some((v) => v.id === session.venueId) ? [{ id: session.venueId, name: session.venueName ?? 'Current venue' }] : [];
    return formPage(reply, 'sessions/series-change.eta', {
      title: 'Change this and later sessions',
      session,
      affected,
      venueOptions: [{ value: '', text: 'Select a venue' }, ...[...venues, ...current].map((v) => ({ value: v.id, text: v.name }))],
      values,
      errors,
      backLink: { href: `/sessions/${session.id}`, text: 'Back to the session' },
    });
  }

  app.get('/sessions/:id/series', staff, async (request, reply) => {
    const found = await managedSeriesSession(request);
    if (found.refusal !== null) return refused(reply, found);
    return changePage(reply, found, sessionValues(found.session));
  });

  app.post('/sessions/:id/series', { ...staff, ...fieldsChecked }, async (request, reply) => {
    const found = await managedSeriesSession(request);
    if (found.refusal !== null) return refused(reply, found);
    const form = parseForm(seriesChangeForm, request.body);
    if (!form.ok) return changePage(reply, found, form.values, form.errors);
    try {
      await inTransaction(db, (tx) => changeSeries(tx, actorOf(request), found.session.id, form.value, messageOptions()));
    } catch (error) {
      const errors = fieldErrorFrom(error, 'startTime');
      if (errors) return changePage(reply, found, formValues(request.body), errors);
      throw error;
    }
    return reply.redirect(`/sessions/${found.session.id}?done=changed-series`, 303);
  });

  function cancelPage(reply: FastifyReply, found: Found, values: Record<string, string>, errors: FieldErrors = {}) {
    return formPage(reply, 'sessions/series-cancel.eta', {
      title: 'Cancel this and later sessions',
      session: found.session,
      affected: found.affected,
      values,
      errors,
      backLink: { href: `/sessions/${found.session.id}`, text: 'Back to the session' },
    });
  }

  app.get('/sessions/:id/series/cancel', staff, async (request, reply) => {
    const found = await managedSeriesSession(request);
    if (found.refusal !== null) return refused(reply, found);
    return cancelPage(reply, found, {});
  });

  app.post('/sessions/:id/series/cancel', { ...staff, ...fieldsChecked }, async (request, reply) => {
    const found = await managedSeriesSession(request);
    if (found.refusal !== null) return refused(reply, found);
    const form = parseForm(seriesCancelForm, request.body);
    if (!form.ok) return cancelPage(reply, found, form.values, form.errors);
    try {
      await inTransaction(db, (tx) => cancelSeries(tx, actorOf(request), found.session.id, form.value.reason, messageOptions()));
    } catch (error) {
      const errors = fieldErrorFrom(error, 'reason');
      if (errors) return cancelPage(reply, found, formValues(request.body), errors);
      throw error;
    }
    // The first session may have been a draft, now deleted: the offer's page then.
    const still = await q.findSession(db, found.session.id);
    return reply.redirect(still ? `/sessions/${found.session.id}?done=cancelled-series` : `/offers/${found.session.offerId}`, 303);
  });
}
