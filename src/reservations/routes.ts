import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { inTransaction } from '../db/transaction.ts';
import { type FieldErrors, formValues, parseForm } from '../lib/forms.ts';
import { viewHelpers as h } from '../lib/view-helpers.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { fieldErrorFrom, formPage } from '../web/forms.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf } from '../web/request.ts';
import * as q from './queries.ts';
import { DEFAULT_RELEASE_DAYS, MAX_RELEASE_DAYS, reservationForm } from './schemas.ts';
import { giveBack, keepPlaces } from './service.ts';

// What the links into the form may preselect. Anything else is simply not preselected.
const preselect = z.object({
  session: z.uuid().optional().catch(undefined),
  pcn: z.string().max(200).optional().catch(undefined),
});

/** Offering places of a session (or a series) to a PCN, and giving them back. Provider staff for their organisation, coordinators for all. */
export async function reservationRoutes(app: FastifyInstance) {
  const { db } = app;
  const staff = { preHandler: requireRole('provider', 'coordinator') };

  async function form(reply: FastifyReply, values: Record<string, string>, errors: FieldErrors = {}) {
    const actor = actorOf(reply.request);
    const now = new Date();
    const [pcns, sessions] = await Promise.all([
      q.knownPcns(db),
      q.reservableSessions(db, actor.role === 'coordinator' ? null : (actor.organisationId ?? '00000000-0000-0000-0000-000000000000'), now),
    ]);
    const hasSeries = sessions.some((s) => s.seriesId);
    return formPage(reply, 'reservations/new.eta', {
      title: 'Offer places to a PCN',
      sessionOptions: [
        { value: '', text: 'Select a session' },
        ...sessions.map((s) => ({
          value: s.id,
          text: `${s.title}, ${s.organisationName}: ${h.shortDate(s.startsAt)} ${h.time(s.startsAt)} (${s.capacity} places)`,
        })),
      ],
      pcnOptions: [{ value: '', text: 'Select a PCN' }, ...pcns.map((p) => ({ value: p, text: p }))],
      hasSeries,
      maxReleaseDays: MAX_RELEASE_DAYS,
      values,
      errors,
      backLink: z.uuid().safeParse(values.sessionId).success
        ? { href: `/sessions/${values.sessionId}`, text: 'Back to the session' }
        : { href: '/', text: 'Back' },
    });
  }

  app.get('/reservations/new', staff, async (request, reply) => {
    const chosen = preselect.safeParse(request.query ?? {});
    const query = chosen.success ? chosen.data : {};
    return form(reply, { sessionId: query.session ?? '', pcn: query.pcn ?? '', releaseDays: String(DEFAULT_RELEASE_DAYS) });
  });

  app.post('/reservations', { ...staff, ...fieldsChecked }, async (request, reply) => {
    const parsed = parseForm(reservationForm(await q.knownPcns(db)), request.body);
    if (!parsed.ok) return form(reply, parsed.values, parsed.errors);
    const input = parsed.value;
    try {
      const count = await inTransaction(db, (tx) => keepPlaces(tx, actorOf(request), input));
      return reply.redirect(`/sessions/${input.sessionId}?done=${count > 1 ? 'places-kept-series' : 'places-kept'}`, 303);
    } catch (error) {
      const errors = fieldErrorFrom(error);
      if (errors) return form(reply, formValues(request.body), errors);
      throw error;
    }
  });

  app.post('/reservations/:id/give-back', staff, async (request, reply) => {
    const { id } = paramsOf(idParams, request);
    const done = await inTransaction(db, (tx) => giveBack(tx, actorOf(request), id, { baseUrl: app.config.baseUrl, mailFrom: app.config.mailFrom }));
    return reply.redirect(`/sessions/${done.sessionId}?done=places-given-back`, 303);
  });
}
