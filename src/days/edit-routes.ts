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
import * as edit from './edit.ts';
import * as eq from './edit-queries.ts';
import * as q from './queries.ts';
import { cancelDayForm, dayForm, itemForm, tasterForm } from './schemas.ts';

const itemParams = z.object({ id: z.uuid(), itemId: z.uuid() });
const tasterParams = z.object({ id: z.uuid(), tasterId: z.uuid() });

/**
 * A coordinator changes a day after publishing it: the day, its programme items and tasters, or
 * cancels it. Removing and cancelling ask first, on a page of their own (no JavaScript needed).
 * The rules and the emails are in edit.ts.
 */
export async function dayEditRoutes(app: FastifyInstance) {
  const { db, config } = app;
  const mail = { baseUrl: config.baseUrl, mailFrom: config.mailFrom };
  app.addHook('preHandler', requireRole('coordinator'));

  /** A day that can still be changed: not cancelled (its page says so instead). */
  async function dayOf(request: FastifyRequest) {
    const day = await q.findDay(db, paramsOf(idParams, request).id);
    if (!day || day.status === 'cancelled') throw new NotFoundError();
    return day;
  }

  /** The result of a change: back to the day, or the form again with the rule's message. */
  async function attempt(work: Parameters<typeof inTransaction>[1], again: (errors: FieldErrors) => Promise<unknown>, fallbackField: string, done: string) {
    try {
      await inTransaction(db, work);
    } catch (error) {
      const errors = fieldErrorFrom(error, fallbackField);
      if (!errors) throw error;
      return again(errors);
    }
    return done;
  }

  // ---- The day itself

  function dayValues(day: q.DayDetails): Record<string, string> {
    const date = londonParts(day.startsAt);
    const closes = londonParts(day.bookingClosesAt);
    return {
      title: day.title,
      description: day.description,
      venueId: day.venueId,
      dateDay: date.day,
      dateMonth: date.month,
      dateYear: date.year,
      startTime: date.time,
      endTime: londonParts(day.endsAt).time,
      closesDay: closes.day,
      closesMonth: closes.month,
      closesYear: closes.year,
      closesTime: closes.time,
      linkWorkerPlaces: String(day.linkWorkerPlaces),
      culturalPlaces: String(day.culturalPlaces),
    };
  }

  async function dayFormPage(reply: FastifyReply, day: q.DayDetails, values: Record<string, string>, errors: FieldErrors = {}) {
    const venues = await q.listVenues(db);
    return formPage(reply, 'days/form.eta', {
      title: `Change ${day.title}`,
      intro:
        day.status === 'published'
          ? 'Everyone registered is emailed if the time or venue changes. Lowering places keeps everyone who has one; raising them gives places to those waiting.'
          : 'The day is a draft: nobody is registered yet.',
      action: `/days/${day.id}/edit`,
      submitText: 'Save changes',
      venues: [{ value: '', text: 'Select a venue' }, ...venues.map((v) => ({ value: v.id, text: `${v.name}, ${v.town} (${v.organisationName})` }))],
      values,
      errors,
      backLink: { href: `/days/${day.id}`, text: `Back to ${day.title}` },
    });
  }

  app.get('/days/:id/edit', async (request, reply) => {
    const day = await dayOf(request);
    return dayFormPage(reply, day, dayValues(day));
  });

  app.post('/days/:id/edit', fieldsChecked, async (request, reply) => {
    const day = await dayOf(request);
    const form = parseForm(dayForm(new Date(), { deadlineWas: new Date(day.bookingClosesAt) }), request.body);
    if (!form.ok) return dayFormPage(reply, day, form.values, form.errors);
    const venue = await db.selectFrom('venues').select('id').where('id', '=', form.value.venueId).where('archivedAt', 'is', null).executeTakeFirst();
    if (!venue) return dayFormPage(reply, day, formValues(request.body), { venueId: 'Select the venue' });
    const outcome = await attempt(
      (tx) => edit.editDay(tx, actorOf(request), day.id, form.value, mail),
      (errors) => dayFormPage(reply, day, formValues(request.body), errors),
      'title',
      'changed',
    );
    return outcome === 'changed' ? reply.redirect(`/days/${day.id}?done=changed`, 303) : outcome;
  });

  // ---- Programme items

  async function itemOf(request: FastifyRequest) {
    const params = paramsOf(itemParams, request);
    const day = await q.findDay(db, params.id);
    const item = await q.findItem(db, params.itemId);
    if (!day || day.status === 'cancelled' || !item || item.tasterDayId !== day.id) throw new NotFoundError();
    const full = (await q.listItems(db, day.id)).find((i) => i.id === item.id);
    return { day, item: { ...item, description: full?.description ?? '' } };
  }

  async function itemPage(reply: FastifyReply, found: Awaited<ReturnType<typeof itemOf>>, values: Record<string, string>, errors: FieldErrors = {}) {
    return formPage(reply, 'days/item-form.eta', {
      title: `Change ${found.item.title}`,
      day: found.day,
      kindFixed: true,
      action: `/days/${found.day.id}/items/${found.item.id}/edit`,
      submitText: 'Save changes',
      values,
      errors,
      backLink: { href: `/days/${found.day.id}`, text: `Back to ${found.day.title}` },
    });
  }

  app.get('/days/:id/items/:itemId/edit', async (request, reply) => {
    const found = await itemOf(request);
    const { item } = found;
    return itemPage(reply, found, {
      title: item.title,
      description: item.description,
      startTime: londonParts(item.startsAt).time,
      endTime: londonParts(item.endsAt).time,
    });
  });

  app.post('/days/:id/items/:itemId/edit', fieldsChecked, async (request, reply) => {
    const found = await itemOf(request);
    const { day, item } = found;
    // The kind of an item stays what it is: tasters and choices hang on a slot.
    const body = { ...(request.body as Record<string, unknown>), kind: item.kind };
    const form = parseForm(itemForm({ isoDate: londonParts(day.startsAt).isoDate, startsAt: day.startsAt, endsAt: day.endsAt }), body);
    if (!form.ok) return itemPage(reply, found, form.values, form.errors);
    const outcome = await attempt(
      (tx) => edit.editItem(tx, actorOf(request), day.id, item.id, form.value, mail),
      (errors) => itemPage(reply, found, formValues(request.body), errors),
      'title',
      'changed',
    );
    return outcome === 'changed' ? reply.redirect(`/days/${day.id}?done=item-changed`, 303) : outcome;
  });

  function removeItemPage(reply: FastifyReply, found: Awaited<ReturnType<typeof itemOf>>, errors: FieldErrors = {}) {
    return formPage(reply, 'days/confirm.eta', {
      title: `Remove ${found.item.title} from the programme?`,
      day: found.day,
      intro: found.item.kind === 'slot' ? `${found.item.title} goes with all its tasters.` : `${found.item.title} is taken off the programme everyone sees.`,
      warning:
        found.day.status === 'published' && found.item.kind === 'slot' ? 'Everyone who chose one of its tasters is emailed to say it will not run.' : null,
      action: `/days/${found.day.id}/items/${found.item.id}/remove`,
      submitText: 'Yes, remove it',
      errors,
      backLink: { href: `/days/${found.day.id}`, text: `Back to ${found.day.title}` },
    });
  }

  app.get('/days/:id/items/:itemId/remove', async (request, reply) => removeItemPage(reply, await itemOf(request)));

  app.post('/days/:id/items/:itemId/remove', async (request, reply) => {
    const found = await itemOf(request);
    const outcome = await attempt(
      (tx) => edit.removeItem(tx, actorOf(request), found.day.id, found.item.id, mail),
      (errors) => removeItemPage(reply, found, errors),
      'remove',
      'removed',
    );
    return outcome === 'removed' ? reply.redirect(`/days/${found.day.id}?done=item-removed`, 303) : outcome;
  });

  // ---- Tasters

  async function tasterOf(request: FastifyRequest) {
    const params = paramsOf(tasterParams, request);
    const day = await q.findDay(db, params.id);
    const taster = await eq.findTaster(db, params.tasterId);
    if (!day || day.status === 'cancelled' || !taster || taster.tasterDayId !== day.id) throw new NotFoundError();
    return { day, taster, item: { id: taster.programmeItemId, title: taster.itemTitle, startsAt: taster.startsAt, endsAt: taster.endsAt } };
  }

  async function tasterPage(reply: FastifyReply, found: Awaited<ReturnType<typeof tasterOf>>, values: Record<string, string>, errors: FieldErrors = {}) {
    const organisations = await q.listOrganisations(db);
    return formPage(reply, 'days/taster-form.eta', {
      title: `Change ${found.taster.title}`,
      day: found.day,
      item: found.item,
      organisations: [{ value: '', text: 'Select an organisation' }, ...organisations.map((o) => ({ value: o.id, text: o.name }))],
      action: `/days/${found.day.id}/tasters/${found.taster.id}/edit`,
      submitText: 'Save changes',
      values,
      errors,
      backLink: { href: `/days/${found.day.id}`, text: `Back to ${found.day.title}` },
    });
  }

  app.get('/days/:id/tasters/:tasterId/edit', async (request, reply) => {
    const found = await tasterOf(request);
    const { taster } = found;
    return tasterPage(reply, found, {
      organisationId: taster.organisationId,
      title: taster.title,
      description: taster.description,
      capacity: String(taster.capacity),
      room: taster.room,
      whatToBring: taster.whatToBring,
    });
  });

  app.post('/days/:id/tasters/:tasterId/edit', fieldsChecked, async (request, reply) => {
    const found = await tasterOf(request);
    const form = parseForm(tasterForm, request.body);
    if (!form.ok) return tasterPage(reply, found, form.values, form.errors);
    const organisation = await db.selectFrom('organisations').select('id').where('id', '=', form.value.organisationId).executeTakeFirst();
    if (!organisation) return tasterPage(reply, found, formValues(request.body), { organisationId: 'Select the organisation running the taster' });
    const outcome = await attempt(
      (tx) => edit.editTaster(tx, actorOf(request), found.day.id, found.taster.id, form.value, mail),
      (errors) => tasterPage(reply, found, formValues(request.body), errors),
      'title',
      'changed',
    );
    return outcome === 'changed' ? reply.redirect(`/days/${found.day.id}?done=taster-changed`, 303) : outcome;
  });

  function removeTasterPage(reply: FastifyReply, found: Awaited<ReturnType<typeof tasterOf>>, errors: FieldErrors = {}) {
    return formPage(reply, 'days/confirm.eta', {
      title: `Remove ${found.taster.title}?`,
      day: found.day,
      intro: `${found.taster.title} is taken out of ${found.item.title}.`,
      warning: found.day.status === 'published' ? 'Everyone who chose it is emailed, and can choose another taster while registration is open.' : null,
      action: `/days/${found.day.id}/tasters/${found.taster.id}/remove`,
      submitText: 'Yes, remove it',
      errors,
      backLink: { href: `/days/${found.day.id}`, text: `Back to ${found.day.title}` },
    });
  }

  app.get('/days/:id/tasters/:tasterId/remove', async (request, reply) => removeTasterPage(reply, await tasterOf(request)));

  app.post('/days/:id/tasters/:tasterId/remove', async (request, reply) => {
    const found = await tasterOf(request);
    const outcome = await attempt(
      (tx) => edit.removeTaster(tx, actorOf(request), found.day.id, found.taster.id, mail),
      (errors) => removeTasterPage(reply, found, errors),
      'remove',
      'removed',
    );
    return outcome === 'removed' ? reply.redirect(`/days/${found.day.id}?done=taster-removed`, 303) : outcome;
  });

  // ---- Cancelling the day

  function cancelPage(reply: FastifyReply, day: q.DayDetails, values: Record<string, string>, errors: FieldErrors = {}) {
    return formPage(reply, 'days/confirm.eta', {
      title: `Cancel ${day.title}?`,
      day,
      intro: 'The day will not take place. Nobody can register, and this cannot be undone.',
      warning: day.status === 'published' ? 'Everyone registered or waiting is emailed, and the day is taken out of their calendars.' : null,
      action: `/days/${day.id}/cancel-day`,
      submitText: 'Yes, cancel the day',
      withReason: true,
      values,
      errors,
      backLink: { href: `/days/${day.id}`, text: `Back to ${day.title}` },
    });
  }

  app.get('/days/:id/cancel-day', async (request, reply) => cancelPage(reply, await dayOf(request), {}));

  app.post('/days/:id/cancel-day', fieldsChecked, async (request, reply) => {
    const day = await dayOf(request);
    const form = parseForm(cancelDayForm, request.body);
    if (!form.ok) return cancelPage(reply, day, form.values, form.errors);
    await inTransaction(db, (tx) => edit.cancelDay(tx, actorOf(request), day.id, form.value.reason, mail));
    return reply.redirect(`/days/${day.id}?done=day-cancelled`, 303);
  });
}
