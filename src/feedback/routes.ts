import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FeedbackRow, fiveAs } from '../db/tables/feedback.ts';
import { DomainError } from '../lib/errors.ts';
import { type FieldErrors, parseForm } from '../lib/forms.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { formPage } from '../web/forms.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf, userOf } from '../web/request.ts';
import * as q from './queries.ts';
import { CONFIDENCE_QUESTION, feedbackForm, fiveAQuestions, missedForm, missedReasonNames } from './schemas.ts';
import * as feedback from './service.ts';

/** The form's values from a stored feedback: numbers back to the radio values they came from. */
function storedValues(row: FeedbackRow): Record<string, string> {
  const values: Record<string, string> = {
    confidenceAfter: String(row.confidenceAfter),
    rating: String(row.rating),
    intendsToRefer: row.intendsToRefer,
    referringEasier: row.referringEasier ?? '',
    comments: row.comments ?? '',
  };
  for (const a of fiveAs) values[a] = row[a] === null ? 'dont_know' : String(row[a]);
  return values;
}

/** Feedback after a taster (attended), or what got in the way (did not attend). The owner only. */
export async function feedbackRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('link_worker'));

  async function ownBooking(request: FastifyRequest) {
    const params = paramsOf(idParams, request);
    const booking = await q.findBookingForFeedback(db, params.id);
    feedback.assertOwnBooking(booking, userOf(request).id);
    return booking;
  }

  function notAvailable(reply: FastifyReply, booking: q.FeedbackBooking, status = 200, message?: string) {
    return reply.code(status).viewAsync('feedback/not-available.eta', {
      title: 'You cannot give feedback on this taster yet',
      booking,
      message,
      backLink: { href: '/my-record', text: 'Back to your record' },
    });
  }

  async function feedbackPage(reply: FastifyReply, booking: q.FeedbackBooking, values?: Record<string, string>, errors: FieldErrors = {}, flash?: string) {
    const stored = await q.findFeedback(db, booking.id);
    const editableUntil = feedback.feedbackEditableUntil(booking);
    return formPage(reply, 'feedback/form.eta', {
      title: `Feedback on ${booking.offerTitle}`,
      booking,
      values: values ?? (stored ? storedValues(stored) : {}),
      errors,
      flash,
      given: Boolean(stored),
      // A first feedback is welcome at any time; changing it closes 14 days after the taster.
      changeable: new Date() <= editableUntil,
      editable: !stored || new Date() <= editableUntil,
      editableUntil,
      fiveAs,
      fiveAQuestions,
      confidenceQuestion: CONFIDENCE_QUESTION,
      backLink: { href: '/my-record', text: 'Back to your record' },
    });
  }

  app.get('/bookings/:id/feedback', async (request, reply) => {
    const booking = await ownBooking(request);
    if (booking.attendance === 'no_show') return reply.redirect(`/bookings/${booking.id}/missed`, 303);
    if (booking.attendance !== 'attended') return notAvailable(reply, booking);
    const saved = (request.query as Record<string, unknown>).done === 'saved';
    return feedbackPage(reply, booking, undefined, {}, saved ? 'Thank you. Your feedback has been saved.' : undefined);
  });

  app.post('/bookings/:id/feedback', fieldsChecked, async (request, reply) => {
    const booking = await ownBooking(request);
    if (booking.attendance !== 'attended') {
      return notAvailable(reply, booking, 403, 'You can give feedback only on a taster you were marked as attending.');
    }
    const form = parseForm(feedbackForm, request.body);
    if (!form.ok) return feedbackPage(reply, booking, form.values, form.errors);
    try {
      await db.transaction().execute((tx) => feedback.saveFeedback(tx, actorOf(request), booking.id, form.value));
    } catch (error) {
      if (error instanceof DomainError && error.code === 'feedback_closed') {
        return reply.code(403).viewAsync('feedback/not-available.eta', {
          title: 'Your feedback can no longer be changed',
          booking,
          message: `${error.message}. Your earlier answers are kept.`,
          backLink: { href: `/bookings/${booking.id}/feedback`, text: 'Back to your feedback' },
        });
      }
      if (error instanceof DomainError && error.code !== 'not_found') return notAvailable(reply, booking, 403, error.message);
      throw error;
    }
    return reply.redirect(`/bookings/${booking.id}/feedback?done=saved`, 303);
  });

  async function missedPage(reply: FastifyReply, booking: q.FeedbackBooking, values?: Record<string, string>, errors: FieldErrors = {}, flash?: string) {
    const stored = await q.findMissedReason(db, booking.id);
    return formPage(reply, 'feedback/missed.eta', {
      title: 'What got in the way?',
      booking,
      values: values ?? { reason: stored?.reason ?? '', details: stored?.details ?? '' },
      errors,
      flash,
      reasonOptions: Object.entries(missedReasonNames).map(([value, text]) => ({ value, text })),
      backLink: { href: '/my-record', text: 'Back to your record' },
    });
  }

  app.get('/bookings/:id/missed', async (request, reply) => {
    const booking = await ownBooking(request);
    if (booking.attendance === 'attended') return reply.redirect(`/bookings/${booking.id}/feedback`, 303);
    if (booking.attendance !== 'no_show') return notAvailable(reply, booking);
    const saved = (request.query as Record<string, unknown>).done === 'saved';
    return missedPage(reply, booking, undefined, {}, saved ? 'Thank you for telling us.' : undefined);
  });

  app.post('/bookings/:id/missed', fieldsChecked, async (request, reply) => {
    const booking = await ownBooking(request);
    if (booking.attendance !== 'no_show') {
      return notAvailable(reply, booking, 403, 'This question is only for tasters you were marked as not attending.');
    }
    const form = parseForm(missedForm, request.body);
    if (!form.ok) return missedPage(reply, booking, form.values, form.errors);
    try {
      await db.transaction().execute((tx) => feedback.saveMissedReason(tx, actorOf(request), booking.id, form.value));
    } catch (error) {
      if (error instanceof DomainError && error.code !== 'not_found') return notAvailable(reply, booking, 403, error.message);
      throw error;
    }
    return reply.redirect(`/bookings/${booking.id}/missed?done=saved`, 303);
  });
}
