import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DayFeedbackRow } from '../db/tables/days-after.ts';
import { fiveAs } from '../db/tables/feedback.ts';
import { CONFIDENCE_QUESTION, fiveAQuestions } from '../feedback/schemas.ts';
import { feedbackEditableUntil } from '../feedback/service.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { type FieldErrors, parseForm } from '../lib/forms.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { flashFor, formPage } from '../web/forms.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf, userOf } from '../web/request.ts';
import * as q from './feedback-queries.ts';
import { DAY_AFTER_QUESTION, DAY_BEFORE_QUESTION, dayFeedbackForm, TASTER_BEFORE_QUESTION, tasterFeedbackForm } from './feedback-schemas.ts';
import { saveDayFeedback } from './feedback-service.ts';

const choiceParams = z.object({ id: z.uuid(), choiceId: z.uuid() });

/** The form's values from a stored feedback: numbers back to the radio values they came from. */
function storedValues(row: DayFeedbackRow | undefined): Record<string, string> {
  if (!row) return {};
  const values: Record<string, string> = {
    confidenceBefore: String(row.confidenceBefore),
    confidenceAfter: String(row.confidenceAfter),
    rating: String(row.rating),
    intendsToRefer: row.intendsToRefer ?? '',
    referringEasier: row.referringEasier ?? '',
    comments: row.comments ?? '',
  };
  for (const a of fiveAs) values[a] = row[a] === null ? 'dont_know' : String(row[a]);
  return values;
}

const done = { saved: 'Thank you. Your feedback has been saved.' };

/**
 * Feedback after a taster day (issue 15): on the day as a whole, and on each taster the person
 * tried, for link workers marked as attending, as after a session. The owner only.
 */
export async function dayFeedbackRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('link_worker'));

  async function ownRegistration(request: FastifyRequest) {
    const registration = await q.findOwnRegistration(db, paramsOf(idParams, request).id, userOf(request).id);
    if (registration?.status !== 'confirmed') throw new NotFoundError();
    return registration;
  }

  async function ownChoice(request: FastifyRequest) {
    const params = paramsOf(choiceParams, request);
    const registration = await q.findOwnRegistration(db, params.id, userOf(request).id);
    if (registration?.status !== 'confirmed') throw new NotFoundError();
    const choice = (await q.choicesForFeedback(db, registration.id)).find((c) => c.id === params.choiceId);
    if (!choice) throw new NotFoundError();
    return { registration, choice };
  }

  function notAvailable(reply: FastifyReply, registration: q.OwnRegistration, status: number, message: string) {
    return reply.code(status).viewAsync('days/feedback-unavailable.eta', {
      title: 'You cannot give this feedback',
      message,
      backLink: { href: `/days/${registration.dayId}/feedback`, text: `Back to feedback on ${registration.dayTitle}` },
    });
  }

  function rules(registration: q.OwnRegistration, given: boolean) {
    const editableUntil = feedbackEditableUntil({ endsAt: registration.endsAt });
    return { given, editableUntil, changeable: new Date() <= editableUntil, editable: !given || new Date() <= editableUntil };
  }

  async function dayFeedbackPage(request: FastifyRequest, reply: FastifyReply, values?: Record<string, string>, errors: FieldErrors = {}) {
    const registration = await ownRegistration(request);
    const stored = await q.findDayFeedback(db, registration.id, null);
    const tasters = (await q.choicesForFeedback(db, registration.id)).filter((c) => c.attendance === 'attended');
    return formPage(reply, 'days/feedback.eta', {
      title: `Feedback on ${registration.dayTitle}`,
      registration,
      attended: registration.attendance === 'attended',
      tasters,
      values: values ?? storedValues(stored),
      errors,
      flash: flashFor(request.query, done),
      ...rules(registration, Boolean(stored)),
      beforeQuestion: DAY_BEFORE_QUESTION,
      afterQuestion: DAY_AFTER_QUESTION,
      backLink: { href: `/days/${registration.dayId}`, text: `Back to ${registration.dayTitle}` },
    });
  }

  app.get('/days/:id/feedback', async (request, reply) => dayFeedbackPage(request, reply));

  app.post('/days/:id/feedback', fieldsChecked, async (request, reply) => {
    const registration = await ownRegistration(request);
    if (registration.attendance !== 'attended') {
      return notAvailable(reply, registration, 403, 'You can give feedback only on a day you were marked as attending.');
    }
    const form = parseForm(dayFeedbackForm, request.body);
    if (!form.ok) return dayFeedbackPage(request, reply, form.values, form.errors);
    try {
      await db.transaction().execute((tx) => saveDayFeedback(tx, actorOf(request), registration.id, { choiceId: null, values: form.value }));
    } catch (error) {
      if (error instanceof DomainError && error.code !== 'not_found')
        return notAvailable(reply, registration, 403, `${error.message}. Your earlier answers are kept.`);
      throw error;
    }
    return reply.redirect(`/days/${registration.dayId}/feedback?done=saved`, 303);
  });

  async function tasterFeedbackPage(request: FastifyRequest, reply: FastifyReply, values?: Record<string, string>, errors: FieldErrors = {}) {
    const { registration, choice } = await ownChoice(request);
    if (choice.attendance !== 'attended')
      return notAvailable(reply, registration, 200, 'You can give feedback on a taster once you are marked as having tried it.');
    const stored = await q.findDayFeedback(db, registration.id, choice.id);
    return formPage(reply, 'days/taster-feedback.eta', {
      title: `Feedback on ${choice.tasterTitle}`,
      registration,
      choice,
      values: values ?? storedValues(stored),
      errors,
      flash: flashFor(request.query, done),
      ...rules(registration, Boolean(stored)),
      fiveAs,
      fiveAQuestions,
      beforeQuestion: TASTER_BEFORE_QUESTION,
      afterQuestion: CONFIDENCE_QUESTION,
      backLink: { href: `/days/${registration.dayId}/feedback`, text: `Back to feedback on ${registration.dayTitle}` },
    });
  }

  app.get('/days/:id/feedback/tasters/:choiceId', async (request, reply) => tasterFeedbackPage(request, reply));

  app.post('/days/:id/feedback/tasters/:choiceId', fieldsChecked, async (request, reply) => {
    const { registration, choice } = await ownChoice(request);
    if (choice.attendance !== 'attended') {
      return notAvailable(reply, registration, 403, 'You can give feedback only on a taster you were marked as trying.');
    }
    const form = parseForm(tasterFeedbackForm, request.body);
    if (!form.ok) return tasterFeedbackPage(request, reply, form.values, form.errors);
    try {
      await db.transaction().execute((tx) => saveDayFeedback(tx, actorOf(request), registration.id, { choiceId: choice.id, values: form.value }));
    } catch (error) {
      if (error instanceof DomainError && error.code !== 'not_found')
        return notAvailable(reply, registration, 403, `${error.message}. Your earlier answers are kept.`);
      throw error;
    }
    return reply.redirect(`/days/${registration.dayId}/feedback/tasters/${choice.id}?done=saved`, 303);
  });
}
