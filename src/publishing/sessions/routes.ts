import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { inTransaction } from '../../db/transaction.ts';
import { DomainError, NotFoundError } from '../../lib/errors.ts';
import { type FieldErrors, formValues, parseForm } from '../../lib/forms.ts';
import { requireRole, requireSignIn } from '../../plugins/auth.ts';
import { fieldsChecked } from '../../plugins/hostile-input.ts';
import { fieldErrorFrom, flashFor, formPage } from '../../web/forms.ts';
import { idParams, paramsOf } from '../../web/params.ts';
import { actorOf } from '../../web/request.ts';
import { findOffer } from '../offers/queries.ts';
import { assertManages, manages } from '../organisations/access.ts';
import { findVenue, listVenues } from '../venues/queries.ts';
import { bankHolidays, nationNames, nationOfPostcode } from './bank-holidays.ts';
import { copyValues, sessionValues } from './form-values.ts';
import { sessionPage } from './page.ts';
import * as q from './queries.ts';
import { MAX_REPEAT_WEEKS, type SessionForm, sessionForm } from './schemas.ts';
import { seriesDoneMessages } from './series-routes.ts';
import type { SeriesDate } from './service.ts';
import * as sessions from './service.ts';

const copyQuery = z.object({ copy: z.uuid().optional() });

export const sessionDoneMessages: Record<string, string> = {
  created: 'Draft session saved. Publish it so link workers can book.',
  'created-series': 'Draft sessions saved, one a week. Publish them so link workers can book.',
  saved: 'Session saved.',
  published: 'Session published. Link workers can now see and book it.',
  'published-series': 'Every draft in this series is published. Link workers can now see and book them.',
  cancelled: 'Session cancelled. Everyone who looks at it sees the reason.',
  ...seriesDoneMessages,
  'places-kept': 'Places kept for the PCN until their release.',
  'places-kept-series': 'Places kept for the PCN on this session and every later one in its series.',
  'places-given-back': 'Places given back: anyone can book them now.',
  'minimum-saved': 'Minimum to run saved.',
  'run-anyway': 'The session will run, however many have booked.',
};

function unchangeable(session: { status: string; startsAt: Date }): string | null {
  if (session.status === 'cancelled') return 'This session has been cancelled, so it can no longer be changed';
  if (session.startsAt <= new Date()) return 'This session has already started, so it can no longer be changed';
  return null;
}

type Offer = NonNullable<Awaited<ReturnType<typeof findOffer>>>;

type SeriesReview = {
  nation: string;
  online: boolean;
  signature: string;
  dates: Array<{ isoDate: string; startsAt: Date; holiday: string | null; skip: boolean }>;
};

/** Creating, copying and editing taster sessions, and the session page everyone reads. */
export async function sessionRoutes(app: FastifyInstance) {
  const { db } = app;
  const staff = { preHandler: requireRole('provider', 'coordinator') };

  async function formFor(
    reply: FastifyReply,
    data: { offer: Offer; session?: q.SessionDetail; copyOf?: string; values: Record<string, string>; errors?: FieldErrors; review?: SeriesReview },
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
      review: data.review ?? null,
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

  /**
   * The "check the dates" step of a new series: every date it would make, those on a bank holiday
   * of the venue's nation marked and ticked to skip, so the provider can skip them and any other
   * day the venue is closed. `datesFor` says which series the dates were shown for: a changed first
   * date or number of weeks shows them again rather than skipping dates nobody saw.
   */
  async function seriesReview(offer: Offer, input: SessionForm, dates: SeriesDate[], skip: string[] | null): Promise<SeriesReview> {
    const venue = input.venueId ? await findVenue(db, input.venueId) : undefined;
    const nation = venue && venue.organisationId === offer.organisationId ? nationOfPostcode(venue.postcode) : 'england-and-wales';
    const holidays = await bankHolidays(
      nation,
      dates.map((d) => Number(d.isoDate.slice(0, 4))),
    );
    const skipped = new Set(skip ?? dates.filter((d) => holidays.has(d.isoDate)).map((d) => d.isoDate));
    return {
      nation: nationNames[nation],
      online: input.isOnline,
      signature: `${dates[0]?.isoDate}/${input.repeatWeeks}`,
      dates: dates.map((d) => ({ isoDate: d.isoDate, startsAt: d.startsAt, holiday: holidays.get(d.isoDate) ?? null, skip: skipped.has(d.isoDate) })),
    };
  }

  /**
   * A refused list of dates to skip (or a tampered "shown for") is shown beside the dates again, so
   * the message has its checkboxes; the rest of the form has to be right to list them.
   */
  async function reviewBeside(offer: Offer, body: unknown, errors: FieldErrors): Promise<{ review?: SeriesReview }> {
    if (errors.datesFor) {
      errors.skip ??= errors.datesFor;
      delete errors.datesFor;
    }
    if (!errors.skip) return {};
    const { skip: _skip, datesFor: _datesFor, ...rest } = formValues(body);
    const again = parseForm(sessionForm({ now: new Date() }), rest);
    if (!again.ok || again.value.repeatWeeks < 2) return {};
    try {
      return { review: await seriesReview(offer, again.value, sessions.seriesDates(again.value), null) };
    } catch (error) {
      // A week in the hour the clocks skip: the form's own message for that comes when it is sent again.
      if (error instanceof DomainError) return {};
      throw error;
    }
  }

  app.post('/offers/:id/sessions/new', { ...staff, ...fieldsChecked }, async (request, reply) => {
    const offer = await managedOffer(request);
    const form = parseForm(sessionForm({ now: new Date() }), request.body);
    if (!form.ok) return formFor(reply, { offer, values: form.values, errors: form.errors, ...(await reviewBeside(offer, request.body, form.errors)) });
    const input = form.value;
    let review: SeriesReview | undefined;
    if (input.repeatWeeks > 1) {
      let dates: SeriesDate[];
      try {
        dates = sessions.seriesDates(input);
      } catch (error) {
        const errors = fieldErrorFrom(error, 'repeatWeeks');
        if (errors) return formFor(reply, { offer, values: formValues(request.body), errors });
        throw error;
      }
      const shown = input.datesFor === `${dates[0]?.isoDate}/${input.repeatWeeks}`;
      review = await seriesReview(offer, input, dates, shown ? input.skipDates : null);
      if (!shown) return formFor(reply, { offer, values: formValues(request.body), review });
    }
    try {
      const ids = await db.transaction().execute((tx) => sessions.createSessions(tx, actorOf(request), offer.id, input));
      return reply.redirect(`/sessions/${ids[0]}?done=${ids.length > 1 ? 'created-series' : 'created'}`, 303);
    } catch (error) {
      const errors = fieldErrorFrom(error, 'date');
      if (errors) return formFor(reply, { offer, values: formValues(request.body), errors, ...(review ? { review } : {}) });
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
