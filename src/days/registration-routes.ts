import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inTransaction } from '../db/transaction.ts';
import { DomainError, ForbiddenError, NotFoundError } from '../lib/errors.ts';
import { type FieldErrors, formValues, parseForm } from '../lib/forms.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { fieldErrorFrom, formPage } from '../web/forms.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf, userOf } from '../web/request.ts';
import { dayPage } from './page.ts';
import { audienceName, programmeOf } from './present.ts';
import * as q from './queries.ts';
import { choicesForm, choicesOf, participantListForm, registrationForm } from './schemas.ts';
import * as days from './service.ts';

/**
 * Registering for a day (link workers and cultural-sector staff), changing choices, cancelling,
 * the participant-list choice, and the participant list itself.
 */
export async function dayRegistrationRoutes(app: FastifyInstance) {
  const { db, config } = app;
  const mail = { baseUrl: config.baseUrl, mailFrom: config.mailFrom };
  app.addHook('preHandler', requireRole('link_worker', 'provider', 'coordinator'));
  const participants = { preHandler: requireRole('link_worker', 'provider') };

  /** A published day (a draft is not there for anyone registering). */
  async function publishedDay(request: FastifyRequest) {
    const day = await q.findDay(db, paramsOf(idParams, request).id);
    if (!day || day.status === 'draft') throw new NotFoundError();
    return day;
  }

  async function slotIdsOf(dayId: string) {
    return (await q.listItems(db, dayId)).filter((item) => item.kind === 'slot').map((item) => item.id);
  }

  async function registerPage(request: FastifyRequest, reply: FastifyReply, day: q.DayDetails, values: Record<string, string>, errors: FieldErrors = {}) {
    const user = userOf(request);
    const programme = programmeOf(await q.listItems(db, day.id), await q.listTasters(db, day.id));
    return formPage(reply, 'days/register.eta', {
      title: `Register for ${day.title}`,
      day,
      programme,
      isCultural: user.role === 'provider',
      ownOrganisationId: user.organisationId,
      audienceName: audienceName[user.role === 'provider' ? 'cultural' : 'link_worker'],
      values,
      errors,
      backLink: { href: `/days/${day.id}`, text: `Back to ${day.title}` },
    });
  }

  /** Refusals that are the day's state (closed, started, cancelled) get a page saying so, not an error page. */
  function unavailable(reply: FastifyReply, day: q.DayDetails, error: DomainError) {
    return reply.code(409).viewAsync('days/unavailable.eta', { title: 'You cannot register for this day', message: error.message, day });
  }

  app.get('/days/:id/register', participants, async (request, reply) => {
    const day = await publishedDay(request);
    const existing = await q.findLiveRegistration(db, day.id, userOf(request).id);
    if (existing) return reply.redirect(`/days/${day.id}`, 303);
    const problem = days.registrationProblem(day);
    if (problem) return unavailable(reply, day, problem);
    return registerPage(request, reply, day, {});
  });

  app.post('/days/:id/register', { ...participants, ...fieldsChecked }, async (request, reply) => {
    const day = await publishedDay(request);
    const slotIds = await slotIdsOf(day.id);
    const form = parseForm(registrationForm(slotIds), request.body);
    if (!form.ok) return registerPage(request, reply, day, form.values, form.errors);
    try {
      const outcome = await days.registerForDay(
        db,
        actorOf(request),
        day.id,
        {
          accessNeeds: form.value.accessNeeds,
          dietaryNeeds: form.value.dietaryNeeds,
          participantList: form.value.participantList,
          choices: choicesOf(form.value, slotIds),
        },
        mail,
      );
      return reply.redirect(`/days/${day.id}?done=${outcome.status === 'confirmed' ? 'registered' : 'waitlisted'}`, 303);
    } catch (error) {
      const errors = fieldErrorFrom(error);
      if (error instanceof DomainError && error.field) return registerPage(request, reply, day, formValues(request.body), errors ?? {});
      if (error instanceof DomainError && error.code !== 'not_found' && error.code !== 'forbidden') return unavailable(reply, day, error);
      throw error;
    }
  });

  app.post('/days/:id/choices', { ...participants, ...fieldsChecked }, async (request, reply) => {
    const day = await publishedDay(request);
    const slotIds = await slotIdsOf(day.id);
    const form = parseForm(choicesForm(slotIds), request.body);
    if (!form.ok) return dayPage(db, request, reply, day.id, { errors: form.errors, values: form.values });
    try {
      await inTransaction(db, (tx) => days.changeChoices(tx, actorOf(request), day.id, choicesOf(form.value, slotIds), mail));
    } catch (error) {
      const errors = fieldErrorFrom(error, 'choices');
      if (!errors) throw error;
      return dayPage(db, request, reply, day.id, { errors, values: formValues(request.body) });
    }
    return reply.redirect(`/days/${day.id}?done=choices`, 303);
  });

  app.post('/days/:id/cancel', participants, async (request, reply) => {
    const day = await publishedDay(request);
    try {
      await inTransaction(db, (tx) => days.cancelRegistration(tx, actorOf(request), day.id, mail));
    } catch (error) {
      const errors = fieldErrorFrom(error, 'cancel');
      if (!errors) throw error;
      return dayPage(db, request, reply, day.id, { errors });
    }
    return reply.redirect(`/days/${day.id}?done=cancelled`, 303);
  });

  app.post('/days/:id/participant-list', { ...participants, ...fieldsChecked }, async (request, reply) => {
    const day = await publishedDay(request);
    const form = parseForm(participantListForm, request.body);
    if (!form.ok) return dayPage(db, request, reply, day.id, { errors: form.errors });
    try {
      await db.transaction().execute((tx) => days.chooseParticipantList(tx, actorOf(request), day.id, form.value.participantList === 'yes'));
    } catch (error) {
      const errors = fieldErrorFrom(error, 'participantList');
      if (!errors) throw error;
      return dayPage(db, request, reply, day.id, { errors });
    }
    return reply.redirect(`/days/${day.id}?done=list-${form.value.participantList === 'yes' ? 'on' : 'off'}`, 303);
  });

  // Who agreed to be listed, for the people with a place on the day (and its organisers).
  app.get('/days/:id/participants', async (request, reply) => {
    const day = await publishedDay(request);
    const user = userOf(request);
    if (user.role !== 'coordinator') {
      const mine = await q.findLiveRegistration(db, day.id, user.id);
      if (mine?.status !== 'confirmed') throw new ForbiddenError('The participant list is for people with a place on this day.');
    }
    const people = await q.participantList(db, day.id);
    return reply.viewAsync('days/participants.eta', {
      title: `Participants: ${day.title}`,
      day,
      people: people.map((p) => ({
        name: p.name,
        role: audienceName[p.audience],
        where: p.audience === 'cultural' ? (p.organisationName ?? '') : [p.practice, p.pcn].filter(Boolean).join(', '),
      })),
      backLink: { href: `/days/${day.id}`, text: `Back to ${day.title}` },
    });
  });
}
