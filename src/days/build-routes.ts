import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { inTransaction } from '../db/transaction.ts';
import { NotFoundError } from '../lib/errors.ts';
import { type FieldErrors, formValues, parseForm } from '../lib/forms.ts';
import { londonParts } from '../lib/london-time.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { fieldErrorFrom, formPage } from '../web/forms.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf } from '../web/request.ts';
import { dayPage } from './page.ts';
import { audienceNames } from './present.ts';
import * as q from './queries.ts';
import { dayForm, itemForm, tasterForm } from './schemas.ts';
import * as days from './service.ts';

const itemParams = z.object({ id: z.uuid(), itemId: z.uuid() });

/**
 * A coordinator builds a day: the day itself, its programme items in time order, the tasters in
 * each slot, then publishes it; and sees who registered, with their needs. Provider staff
 * proposing a day for a coordinator's approval is a later part of issue 15.
 */
export async function dayBuildRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('coordinator'));

  async function dayOf(request: FastifyRequest) {
    const day = await q.findDay(db, paramsOf(idParams, request).id);
    if (!day) throw new NotFoundError();
    return day;
  }

  async function dayFormPage(reply: FastifyReply, values: Record<string, string>, errors: FieldErrors = {}) {
    const venues = await q.listVenues(db);
    return formPage(reply, 'days/form.eta', {
      title: 'Create a taster day',
      venues: [{ value: '', text: 'Select a venue' }, ...venues.map((v) => ({ value: v.id, text: `${v.name}, ${v.town} (${v.organisationName})` }))],
      values,
      errors,
      backLink: { href: '/days', text: 'Back to taster days' },
    });
  }

  app.get('/days/new', async (_request, reply) => dayFormPage(reply, {}));

  app.post('/days/new', fieldsChecked, async (request, reply) => {
    const form = parseForm(dayForm(new Date()), request.body);
    if (!form.ok) return dayFormPage(reply, form.values, form.errors);
    const venue = await db.selectFrom('venues').select('id').where('id', '=', form.value.venueId).where('archivedAt', 'is', null).executeTakeFirst();
    if (!venue) return dayFormPage(reply, formValues(request.body), { venueId: 'Select the venue' });
    const id = await db.transaction().execute((tx) => days.createDay(tx, actorOf(request), form.value));
    return reply.redirect(`/days/${id}?done=created`, 303);
  });

  app.post('/days/:id/publish', async (request, reply) => {
    const day = await dayOf(request);
    try {
      await inTransaction(db, (tx) => days.publishDay(tx, actorOf(request), day.id));
    } catch (error) {
      const errors = fieldErrorFrom(error, 'publish');
      if (!errors) throw error;
      return dayPage(db, request, reply, day.id, { errors });
    }
    return reply.redirect(`/days/${day.id}?done=published`, 303);
  });

  async function itemPage(reply: FastifyReply, day: q.DayDetails, values: Record<string, string>, errors: FieldErrors = {}) {
    return formPage(reply, 'days/item-form.eta', {
      title: 'Add to the programme',
      day,
      values,
      errors,
      backLink: { href: `/days/${day.id}`, text: `Back to ${day.title}` },
    });
  }

  app.get('/days/:id/items/new', async (request, reply) => itemPage(reply, await dayOf(request), {}));

  app.post('/days/:id/items/new', fieldsChecked, async (request, reply) => {
    const day = await dayOf(request);
    const form = parseForm(itemForm({ isoDate: londonParts(day.startsAt).isoDate, startsAt: day.startsAt, endsAt: day.endsAt }), request.body);
    if (!form.ok) return itemPage(reply, day, form.values, form.errors);
    try {
      await db.transaction().execute((tx) => days.addItem(tx, actorOf(request), day.id, form.value));
    } catch (error) {
      const errors = fieldErrorFrom(error);
      if (errors) return itemPage(reply, day, formValues(request.body), errors);
      throw error;
    }
    return reply.redirect(`/days/${day.id}?done=item`, 303);
  });

  async function slotOf(request: FastifyRequest) {
    const params = paramsOf(itemParams, request);
    const day = await q.findDay(db, params.id);
    const item = await q.findItem(db, params.itemId);
    if (!day || !item || item.tasterDayId !== day.id || item.kind !== 'slot') throw new NotFoundError();
    return { day, item };
  }

  async function tasterPage(reply: FastifyReply, slot: Awaited<ReturnType<typeof slotOf>>, values: Record<string, string>, errors: FieldErrors = {}) {
    const organisations = await q.listOrganisations(db);
    return formPage(reply, 'days/taster-form.eta', {
      title: `Add a taster to ${slot.item.title}`,
      day: slot.day,
      item: slot.item,
      organisations: [{ value: '', text: 'Select an organisation' }, ...organisations.map((o) => ({ value: o.id, text: o.name }))],
      values,
      errors,
      backLink: { href: `/days/${slot.day.id}`, text: `Back to ${slot.day.title}` },
    });
  }

  app.get('/days/:id/items/:itemId/tasters/new', async (request, reply) => tasterPage(reply, await slotOf(request), {}));

  app.post('/days/:id/items/:itemId/tasters/new', fieldsChecked, async (request, reply) => {
    const slot = await slotOf(request);
    const form = parseForm(tasterForm, request.body);
    if (!form.ok) return tasterPage(reply, slot, form.values, form.errors);
    const organisation = await db.selectFrom('organisations').select('id').where('id', '=', form.value.organisationId).executeTakeFirst();
    if (!organisation) return tasterPage(reply, slot, formValues(request.body), { organisationId: 'Select the organisation running the taster' });
    await db.transaction().execute((tx) => days.addTaster(tx, actorOf(request), slot.day.id, slot.item.id, form.value));
    return reply.redirect(`/days/${slot.day.id}?done=taster`, 303);
  });

  // Who registered, with their access and dietary needs: for the day's organisers only.
  app.get('/days/:id/registrations', async (request, reply) => {
    const day = await dayOf(request);
    const registrations = await q.registrationsForOrganisers(db, day.id);
    const groups = (['link_worker', 'cultural'] as const).map((audience) => ({
      audience,
      name: audienceNames[audience],
      places: audience === 'link_worker' ? day.linkWorkerPlaces : day.culturalPlaces,
      confirmed: registrations.filter((r) => r.audience === audience && r.status === 'confirmed'),
      waiting: registrations.filter((r) => r.audience === audience && r.status === 'waitlisted'),
    }));
    return reply.viewAsync('days/registrations.eta', {
      title: `Registrations: ${day.title}`,
      day,
      groups,
      backLink: { href: `/days/${day.id}`, text: `Back to ${day.title}` },
    });
  });
}
