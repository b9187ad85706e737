import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { inTransaction } from '../db/transaction.ts';
import { NotFoundError } from '../lib/errors.ts';
import { formValues, parseForm } from '../lib/forms.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { assertManages } from '../publishing/organisations/access.ts';
import { sessionPage } from '../publishing/sessions/page.ts';
import { findSessionDetail } from '../publishing/sessions/queries.ts';
import { fieldErrorFrom } from '../web/forms.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf } from '../web/request.ts';
import { changeMinimum, runAnyway } from './service.ts';

// Left empty: no minimum. One message per mistake, as an instruction.
const minimumForm = z.object({
  minimumBookings: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (!value) return null;
      const issue = (message: string) => {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      };
      if (!/^-?\d{1,6}$/.test(value)) return issue('Enter the bookings needed as a whole number, like 4, or leave it empty');
      const count = Number(value);
      if (count < 1) return issue('Enter 1 or more, or leave it empty for no minimum');
      if (count > 1000) return issue('Enter 1000 or fewer');
      return count;
    }),
});

/** The minimum a session needs to run, and the choice to run it anyway. Staff of its organisation and coordinators. */
export async function minimumRoutes(app: FastifyInstance) {
  const { db } = app;
  const staff = { preHandler: requireRole('provider', 'coordinator') };

  app.post('/sessions/:id/minimum', { ...staff, ...fieldsChecked }, async (request, reply) => {
    const { id } = paramsOf(idParams, request);
    const session = await findSessionDetail(db, id);
    if (!session) throw new NotFoundError();
    assertManages(actorOf(request), session.organisationId);
    const parsed = parseForm(minimumForm, request.body);
    if (!parsed.ok) return sessionPage(reply, db, session, { errors: parsed.errors, values: parsed.values, statusCode: 400 });
    try {
      await inTransaction(db, (tx) => changeMinimum(tx, actorOf(request), id, parsed.value.minimumBookings));
    } catch (error) {
      const errors = fieldErrorFrom(error, 'minimumBookings');
      if (errors) return sessionPage(reply, db, session, { errors, values: formValues(request.body), statusCode: 400 });
      throw error;
    }
    return reply.redirect(`/sessions/${id}?done=minimum-saved`, 303);
  });

  app.post('/sessions/:id/run-anyway', staff, async (request, reply) => {
    const { id } = paramsOf(idParams, request);
    await inTransaction(db, (tx) => runAnyway(tx, actorOf(request), id));
    return reply.redirect(`/sessions/${id}?done=run-anyway`, 303);
  });
}
