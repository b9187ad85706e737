import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { categoryNames, offerCategories, weekdays } from '../../db/tables/publishing.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { type FieldErrors, formValues, parseForm } from '../../lib/forms.ts';
import { requireRole } from '../../plugins/auth.ts';
import { fieldsChecked } from '../../plugins/hostile-input.ts';
import { fieldErrorFrom, flashFor, formPage } from '../../web/forms.ts';
import { idParams, paramsOf } from '../../web/params.ts';
import { actorOf, userOf } from '../../web/request.ts';
import { dashboardHref, requestedOrganisation } from '../dashboard/links.ts';
import { assertManages, organisationForNew } from '../organisations/access.ts';
import { findOrganisation } from '../organisations/queries.ts';
import { listSessionSummaries } from '../sessions/queries.ts';
import { listVenues } from '../venues/queries.ts';
import { describeAges, describeCost, describeSchedule, timeInput } from './present.ts';
import * as q from './queries.ts';
import { dayNames, frequencyNames, offerForm, weekOfMonthNames } from './schemas.ts';
import * as offers from './service.ts';

type Offer = NonNullable<Awaited<ReturnType<typeof q.findOffer>>>;

const doneMessages: Record<string, string> = {
  created: 'Offer added. Now add a taster session so link workers can try it.',
  saved: 'Offer saved.',
  archive: 'Offer archived. It takes no new taster sessions.',
  restore: 'Offer restored.',
  deleted: 'Draft session deleted.',
};

export const offerHelpers = { categoryNames, describeSchedule, describeCost, describeAges };

function valuesOf(offer: Offer): Record<string, string> {
  return {
    title: offer.title,
    category: offer.category,
    description: offer.description,
    suits: offer.suits,
    scheduleFrequency: offer.scheduleFrequency ?? 'none',
    scheduleDays: offer.scheduleDays.join('\n'),
    scheduleWeekOfMonth: offer.scheduleWeekOfMonth === null ? '' : String(offer.scheduleWeekOfMonth),
    scheduleStartTime: timeInput(offer.scheduleStartTime),
    scheduleEndTime: timeInput(offer.scheduleEndTime),
    scheduleNote: offer.scheduleNote,
    usualVenueId: offer.usualVenueId ?? '',
    cost: offer.isFree ? 'free' : 'charged',
    costAmount: offer.costAmount === null ? '' : Number(offer.costAmount).toFixed(2),
    costNote: offer.costNote,
    howToRefer: offer.howToRefer,
    referralEmail: offer.referralEmail ?? '',
    referralPhone: offer.referralPhone ?? '',
    minAge: offer.minAge === null ? '' : String(offer.minAge),
    maxAge: offer.maxAge === null ? '' : String(offer.maxAge),
    volunteeringRequirements: offer.volunteeringRequirements ?? '',
  };
}

/** Offers: the ongoing activities a link worker can refer someone to. */
export async function offerRoutes(app: FastifyInstance) {
  const { db } = app;
  const staff = { preHandler: requireRole('provider', 'coordinator') };

  async function offerPage(reply: FastifyReply, data: { organisationId: string; offer?: Offer; values: Record<string, string>; errors?: FieldErrors }) {
    const organisation = await findOrganisation(db, data.organisationId);
    if (!organisation) throw new NotFoundError();
    const venues = await listVenues(db, data.organisationId);
    const back = data.offer ? `/offers/${data.offer.id}` : dashboardHref(userOf(reply.request), data.organisationId);
    return formPage(reply, 'offers/form.eta', {
      title: data.offer ? `Edit ${data.offer.title}` : 'Add an offer',
      action: data.offer ? `/offers/${data.offer.id}/edit` : '/offers/new',
      organisation,
      offer: data.offer ?? null,
      categoryOptions: [{ value: '', text: 'Select the kind of activity' }, ...offerCategories.map((c) => ({ value: c, text: categoryNames[c] }))],
      frequencyOptions: Object.entries(frequencyNames).map(([value, text]) => ({ value, text })),
      weekOfMonthOptions: [{ value: '', text: 'Not monthly' }, ...Object.entries(weekOfMonthNames).map(([value, text]) => ({ value, text }))],
      venueOptions: [{ value: '', text: 'No usual venue' }, ...venues.map((v) => ({ value: v.id, text: v.name }))],
      weekdays,
      dayNames,
      values: data.values,
      errors: data.errors ?? {},
      backLink: { href: back, text: 'Back' },
    });
  }

  app.get('/offers/new', staff, async (request, reply) => {
    const organisationId = organisationForNew(actorOf(request), requestedOrganisation(request.query));
    return offerPage(reply, { organisationId, values: { cost: 'free', scheduleFrequency: 'weekly' } });
  });

  app.post('/offers/new', { ...staff, ...fieldsChecked }, async (request, reply) => {
    const actor = actorOf(request);
    const organisationId = organisationForNew(actor, requestedOrganisation(request.body));
    const form = parseForm(offerForm, request.body);
    if (!form.ok) return offerPage(reply, { organisationId, values: form.values, errors: form.errors });
    try {
      const id = await db.transaction().execute((tx) => offers.createOffer(tx, actor, organisationId, form.value));
      return reply.redirect(`/offers/${id}?done=created`, 303);
    } catch (error) {
      const errors = fieldErrorFrom(error);
      if (errors) return offerPage(reply, { organisationId, values: formValues(request.body), errors });
      throw error;
    }
  });

  async function ownOffer(request: FastifyRequest) {
    const params = paramsOf(idParams, request);
    const offer = await q.findOffer(db, params.id);
    if (!offer) throw new NotFoundError();
    assertManages(actorOf(request), offer.organisationId);
    return offer;
  }

  app.get('/offers/:id', staff, async (request, reply) => {
    const offer = await ownOffer(request);
    const sessions = await listSessionSummaries(db, { offerId: offer.id });
    return reply.viewAsync('offers/show.eta', {
      title: offer.title,
      offer,
      sessions,
      now: new Date(),
      ...offerHelpers,
      flash: flashFor(request.query, doneMessages),
      backLink: { href: dashboardHref(userOf(request), offer.organisationId), text: 'Back to sessions and offers' },
    });
  });

  app.get('/offers/:id/edit', staff, async (request, reply) => {
    const offer = await ownOffer(request);
    return offerPage(reply, { organisationId: offer.organisationId, offer, values: valuesOf(offer) });
  });

  app.post('/offers/:id/edit', { ...staff, ...fieldsChecked }, async (request, reply) => {
    const offer = await ownOffer(request);
    const form = parseForm(offerForm, request.body);
    if (!form.ok) return offerPage(reply, { organisationId: offer.organisationId, offer, values: form.values, errors: form.errors });
    try {
      await db.transaction().execute((tx) => offers.updateOffer(tx, actorOf(request), offer.id, form.value));
    } catch (error) {
      const errors = fieldErrorFrom(error);
      if (errors) return offerPage(reply, { organisationId: offer.organisationId, offer, values: formValues(request.body), errors });
      throw error;
    }
    return reply.redirect(`/offers/${offer.id}?done=saved`, 303);
  });

  for (const [action, status] of [
    ['archive', 'archived'],
    ['restore', 'active'],
  ] as const) {
    app.post(`/offers/:id/${action}`, staff, async (request, reply) => {
      const offer = await ownOffer(request);
      await db.transaction().execute((tx) => offers.setOfferStatus(tx, actorOf(request), offer.id, status));
      return reply.redirect(`/offers/${offer.id}?done=${action}`, 303);
    });
  }
}
