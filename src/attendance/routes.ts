import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { type FieldErrors, formValues, parseForm } from '../lib/forms.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { formPage } from '../web/forms.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf, isHtmx, userOf } from '../web/request.ts';
import * as q from './queries.ts';
import { entryParams, markForm, walkInForm } from './schemas.ts';
import * as attendance from './service.ts';

const doneMessages: Record<string, string> = {
  marked: 'Attendance recorded.',
  'walk-in-added': 'Walk-in added and marked as attended.',
  'walk-in-marked': 'They had already booked: they are now marked as attended.',
  'walk-in-already': 'They were already marked as attended.',
  complete: 'Register complete. Anyone not marked has been recorded as did not attend.',
};

const attendanceText = { attended: 'attended', no_show: 'did not attend' } as const;

/** The register at the door: provider staff of the session's organisation, and coordinators. */
export async function attendanceRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('provider', 'coordinator'));

  async function sessionFor(request: FastifyRequest) {
    const params = paramsOf(idParams, request);
    const session = await q.findRegisterSession(db, params.id);
    if (!session) throw new NotFoundError();
    attendance.assertCanTakeRegister(userOf(request), session);
    return session;
  }

  async function registerPage(
    reply: FastifyReply,
    session: q.RegisterSession,
    extra: { errors?: FieldErrors; values?: Record<string, string>; flash?: string } = {},
  ) {
    const [entries, counts] = await Promise.all([q.listRegister(db, session.id), q.registerCounts(db, session.id)]);
    const errors = extra.errors ?? {};
    return formPage(reply, 'attendance/register.eta', {
      title: `Register: ${session.offerTitle}`,
      session,
      confirmed: entries.filter((e) => e.status === 'confirmed'),
      waiting: entries.filter((e) => e.status === 'waitlisted'),
      counts,
      window: attendance.registerWindow(session, new Date()),
      closesAt: attendance.registerClosesAt(session),
      errors,
      values: extra.values ?? {},
      flash: extra.flash,
    });
  }

  app.get('/sessions/:id/register', async (request, reply) => {
    const session = await sessionFor(request);
    const done = (request.query as Record<string, unknown>).done;
    return registerPage(reply, session, { flash: typeof done === 'string' ? doneMessages[done] : undefined });
  });

  app.post('/sessions/:id/register/walk-ins', fieldsChecked, async (request, reply) => {
    const session = await sessionFor(request);
    const form = parseForm(walkInForm, request.body);
    if (!form.ok) return registerPage(reply, session, { errors: form.errors, values: form.values });
    try {
      const result = await db.transaction().execute((tx) => attendance.addWalkIn(tx, actorOf(request), session.id, form.value.email));
      return reply.redirect(`/sessions/${session.id}/register?done=walk-in-${result.outcome}#booking-${result.bookingId}`, 303);
    } catch (error) {
      if (error instanceof DomainError && error.code !== 'not_found') {
        return registerPage(reply, session, { errors: { [error.field ?? 'register']: error.message }, values: formValues(request.body) });
      }
      throw error;
    }
  });

  app.post('/sessions/:id/register/complete', async (request, reply) => {
    const session = await sessionFor(request);
    try {
      await db.transaction().execute((tx) => attendance.completeRegister(tx, actorOf(request), session.id));
    } catch (error) {
      if (error instanceof DomainError && error.code !== 'not_found') return registerPage(reply, session, { errors: { register: error.message } });
      throw error;
    }
    return reply.redirect(`/sessions/${session.id}/register?done=complete`, 303);
  });

  // One tap: htmx swaps just this person's row and announces the change; without JavaScript the
  // same form posts and comes back to the register at the same person.
  app.post('/sessions/:id/register/:bookingId', fieldsChecked, async (request, reply) => {
    const params = paramsOf(entryParams, request);
    const session = await sessionFor(request);
    const form = parseForm(markForm, request.body);
    let problem: string | undefined;
    if (!form.ok) problem = form.errors.attendance;
    else {
      try {
        await db.transaction().execute((tx) => attendance.markAttendance(tx, actorOf(request), session.id, params.bookingId, form.value.attendance));
      } catch (error) {
        if (!(error instanceof DomainError) || error.code === 'not_found') throw error;
        problem = error.message;
      }
    }
    if (!isHtmx(request)) {
      if (problem) return registerPage(reply, session, { errors: { register: problem } });
      return reply.redirect(`/sessions/${session.id}/register?done=marked#booking-${params.bookingId}`, 303);
    }
    const [entry, counts] = await Promise.all([q.findRegisterEntry(db, session.id, params.bookingId), q.registerCounts(db, session.id)]);
    if (!entry) throw new NotFoundError();
    const name = entry.name ?? 'This person';
    const announcement = problem ? `Not changed: ${problem}.` : `${name} marked as ${entry.attendance ? attendanceText[entry.attendance] : 'not marked'}.`;
    return reply.code(problem ? 400 : 200).viewAsync('attendance/row-update.eta', {
      session,
      entry,
      counts,
      announcement,
      problem,
      window: attendance.registerWindow(session, new Date()),
    });
  });
}
