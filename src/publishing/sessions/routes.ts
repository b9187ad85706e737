import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { inTransaction } from '../../db/transaction.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { type FieldErrors, formValues, parseForm } from '../../lib/forms.ts';
import { requireRole, requireSignIn } from '../../plugins/auth.ts';
import { fieldsChecked } from '../../plugins/hostile-input.ts';
import { fieldErrorFrom, flashFor, formPage } from '../../web/forms.ts';
import { idParams, paramsOf } from '../../web/params.ts';
import { actorOf } from '../../web/request.ts';
import { findOffer } from '../offers/queries.ts';
import { assertManages, manages } from '../organisations/access.ts';
import { listVenues } from '../venues/queries.ts';
import { copyValues, sessionValues } from './form-values.ts';
import { sessionPage } from './page.ts';
import * as q from './queries.ts';
import { MAX_REPEAT_WEEKS, sessionForm } from './schemas.ts';
import * as sessions from './service.ts';

const copyQuery = z.object({ copy: z.uuid().optional() });

export const sessionDoneMessages: Record<string, string> = {
  created: 'Draft session saved. Publish it so link workers can book.',
  'created-series': 'Draft sessions saved, one a week. Publish them so link workers can book.',
  saved: 'Session saved.',
  published: 'Session published. Link workers can now see and book it.',
  'published-series': 'Every draft in this series is published. Link workers can now see and book them.',
  cancelled: 'Session cancelled. Everyone who looks at it sees the reason.',
};

function unchangeable(session: { status: string; startsAt: Date }): string | null {
  if (session.status === 'cancelled') return 'This session has been cancelled, so it can no longer be changed';
  if (session.startsAt <= new Date()) return 'This session has already started, so it can no longer be changed';
  return null;
}

type Offer = NonNullable<Awaited<ReturnType<typeof findOffer>>>;

/** Creating, copying and editing taster sessions, and the session page everyone reads. */
export async function sessionRoutes(app: FastifyInstance) {
  const { db } = app;
  const staff = { preHandler: requireRole('provider', 'coordinator') };

  async function formFor(
    reply: FastifyReply,
    data: { offer: Offer; session?: q.SessionDetail; copyOf?: string; values: Record<string, string>; errors?: FieldErrors },
  ) {
    const venues = await listVenues(db, data.offer.organisationId);
    // A session keeps its venue in the list even if the venue has since been archived.
    const session = data.session;
    const current =
      session?.venueId && !venues.some((v) => v.id === session.venueId) ? [{ id: session.venueId, name: session.venueName ?? 'Current venue' }] : [];
    const title = data.session ? 'Edit taster session' : data.copyOf ? 'Copy a taster session' : 'Add a taster session';
    return formPage(reply, 'sessions/form.eta', {
      title,
      action: data.session ? `/sessions/${data.session.id}/edit` : `/offers/${data.offer.id}/sessions/new`,
      offer: data.offer,
      session: data.session ?? null,
      venueOptions: [{ value: '', text: 'Select a venue' }, ...[...venues, ...current].map((v) => ({ value: v.id, text: v.name }))],
      hasVenues: venues.length > 0,
      maxRepeatWeeks: MAX_REPEAT_WEEKS,
      values: data.values,
      errors: data.errors ?? {},
      backLink: { href: data.session ? `/sessions/${data.session.id}` : `/offers/${data.offer.id}`, text: 'Back' },
    });
  }

  async function managedOffer(request: FastifyRequest) {
    const params = paramsOf(idParams, request);
    const offer = await findOffer(db, params.id);
    if (!offer) throw new NotFoundError();
    assertManages(actorOf(request), offer.organisationId);
    return offer;
  }

  async function managedSession(request: FastifyRequest) {
    const params = paramsOf(idParams, request);
    const session = await q.findSessionDetail(db, params.id);
    if (!session) throw new NotFoundError();
    assertManages(actorOf(request), session.organisationId);
    return session;
  }

  /** The offer of a session found a moment ago: the offer cannot be deleted while it has sessions. */
  async function offerOf(session: q.SessionDetail): Promise<Offer> {
    const offer = await findOffer(db, session.offerId);
    if (!offer) throw new NotFoundError();
    return offer;
  }

  app.get('/offers/:id/sessions/new', staff, async (request, reply) => {
    const offer = await managedOffer(request);
    const copy = copyQuery.safeParse(request.query).data?.copy;
    if (copy) {
      const original = await q.findSession(db, copy);
      // Only a session of this same offer can be copied here; anything else is not found.
      if (!original || original.offerId !== offer.id) throw new NotFoundError();
      return formFor(reply, { offer, copyOf: original.id, values: copyValues(original, new Date()) });
    }
    return formFor(reply, { offer, values: { where: 'venue', venueId: offer.usualVenueId ?? '', repeatWeeks: '1' } });
  });

  app.post('/offers/:id/sessions/new', { ...staff, ...fieldsChecked }, async (request, reply) => {
    const offer = await managedOffer(request);
    const form = parseForm(sessionForm({ now: new Date() }), request.body);
    if (!form.ok) return formFor(reply, { offer, values: form.values, errors: form.errors });
    try {
      const ids = await db.transaction().execute((tx) => sessions.createSessions(tx, actorOf(request), offer.id, form.value));
      return reply.redirect(`/sessions/${ids[0]}?done=${ids.length > 1 ? 'created-series' : 'created'}`, 303);
    } catch (error) {
      const errors = fieldErrorFrom(error, 'date');
      if (errors) return formFor(reply, { offer, values: formValues(request.body), errors });
      throw error;
    }
  });

  app.get('/sessions/:id', { preHandler: requireSignIn }, async (request, reply) => {
    const params = paramsOf(idParams, request);
    const session = await q.findSessionDetail(db, params.id);
    if (!session) throw new NotFoundError();
    const actor = actorOf(request);
    // Link workers see what has been published (and what was cancelled, with its reason); drafts
    // only the organisation's own staff and coordinators. Other organisations' staff: not found.
    const visible = actor.role === 'link_worker' ? session.status !== 'draft' : manages(actor, session.organisationId);
    if (!visible) throw new NotFoundError();
    return sessionPage(reply, db, session, { flash: flashFor(request.query, sessionDoneMessages) });
  });

  app.get('/sessions/:id/edit', staff, async (request, reply) => {
    const session = await managedSession(request);
    const refusal = unchangeable(session);
    if (refusal) return sessionPage(reply, db, session, { errors: { status: refusal }, statusCode: 409 });
    const offer = await offerOf(session);
    return formFor(reply, { offer, session, values: sessionValues(session) });
  });

  app.post('/sessions/:id/edit', { ...staff, ...fieldsChecked }, async (request, reply) => {
    const session = await managedSession(request);
    const refusal = unchangeable(session);
    if (refusal) return sessionPage(reply, db, session, { errors: { status: refusal }, statusCode: 409 });
    const offer = await offerOf(session);
    const form = parseForm(sessionForm({ now: new Date(), currentStartsAt: session.startsAt, currentClosesAt: session.bookingClosesAt }), request.body);
    if (!form.ok) return formFor(reply, { offer, session, values: form.values, errors: form.errors });
    try {
      await inTransaction(db, (tx) =>
        sessions.updateSession(tx, actorOf(request), session.id, form.value, { baseUrl: app.config.baseUrl, mailFrom: app.config.mailFrom }),
      );
    } catch (error) {
      const errors = fieldErrorFrom(error, 'date');
      if (errors) return formFor(reply, { offer, session, values: formValues(request.body), errors });
      throw error;
    }
    return reply.redirect(`/sessions/${session.id}?done=saved`, 303);
  });
}
