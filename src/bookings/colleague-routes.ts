import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { type FieldErrors, parseForm } from '../lib/forms.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf, userOf } from '../web/request.ts';
import { bookForColleague, ColleagueRefusal } from './colleague.ts';
import { findBookingMadeBy, findPerson, listColleagues } from './colleague-queries.ts';
import { toSessionSummary } from './present.ts';
import { findSessionSummary } from './queries.ts';
import { bookingProblem } from './service.ts';

const chooseMessage = 'Choose the colleague you are booking a place for';

const colleagueForm = z.object({
  colleague: z
    .string({ error: chooseMessage })
    .trim()
    .pipe(z.uuid({ error: chooseMessage })),
});
const doneQuery = z.object({ booked: z.uuid() });

/**
 * Booking a place for a colleague: a link worker chooses another active link worker in their PCN.
 * The place and its emails are the colleague's (who can cancel it as their own); the booking
 * records who made it. A colleague who already has a place or is waiting keeps it, unchanged.
 */
export async function colleagueBookingRoutes(app: FastifyInstance) {
  const { db, config } = app;
  app.addHook('preHandler', requireRole('link_worker'));

  async function page(request: FastifyRequest, reply: FastifyReply, input: { errors?: FieldErrors; value?: string; flash?: string } = {}) {
    const sessionId = paramsOf(idParams, request).id;
    const row = await findSessionSummary(db, sessionId);
    if (!row || row.status === 'draft') throw new NotFoundError();
    const user = userOf(request);
    const me = await findPerson(db, user.id);
    const colleagues = me?.pcn ? await listColleagues(db, user.id, me.pcn) : [];
    const errors = input.errors ?? {};
    return reply.code(Object.keys(errors).length ? 400 : 200).viewAsync('bookings/colleague.eta', {
      title: `Book for a colleague: ${row.title}`,
      session: toSessionSummary(row),
      problem: bookingProblem(row)?.message ?? null,
      pcn: me?.pcn ?? null,
      colleagues,
      errors,
      values: { colleague: input.value ?? '' },
      flash: input.flash,
      backLink: { href: `/sessions/${sessionId}/book`, text: 'Back to the session' },
    });
  }

  app.get('/sessions/:id/book-for-colleague', async (request, reply) => {
    const done = doneQuery.safeParse(request.query);
    if (!done.success) return page(request, reply);
    const made = await findBookingMadeBy(db, done.data.booked, userOf(request).id, paramsOf(idParams, request).id);
    const flash = made
      ? made.status === 'confirmed'
        ? `You booked a place for ${made.name}. We have emailed them the details.`
        : `The session is full: ${made.name} is on the waiting list. We have emailed them.`
      : undefined;
    return page(request, reply, { flash });
  });

  app.post('/sessions/:id/book-for-colleague', fieldsChecked, async (request, reply) => {
    const sessionId = paramsOf(idParams, request).id;
    const form = parseForm(colleagueForm, request.body);
    if (!form.ok) return page(request, reply, { errors: form.errors, value: form.values.colleague });
    try {
      const outcome = await bookForColleague(db, actorOf(request), sessionId, form.value.colleague, { baseUrl: config.baseUrl, mailFrom: config.mailFrom });
      if (!outcome.created) {
        const already = `${outcome.colleagueName} already ${outcome.status === 'confirmed' ? 'has a place on this session' : 'is on the waiting list for this session'}: nothing was booked`;
        return page(request, reply, { errors: { colleague: already }, value: form.value.colleague });
      }
      return reply.redirect(`/sessions/${sessionId}/book-for-colleague?booked=${outcome.bookingId}`, 303);
    } catch (error) {
      if (error instanceof ColleagueRefusal) {
        request.log.info({ code: error.code, sessionId }, 'booking for a colleague refused');
        return page(request, reply, { errors: { colleague: error.message }, value: form.value.colleague });
      }
      if (!(error instanceof DomainError) || error.code === 'not_found' || error.code === 'forbidden') throw error;
      return reply
        .code(409)
        .viewAsync('bookings/unavailable.eta', { title: 'You cannot book this session', message: error.message, code: error.code, sessionId });
    }
  });
}
