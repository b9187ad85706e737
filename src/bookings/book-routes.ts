import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { type FieldErrors, parseForm } from '../lib/forms.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf, isHtmx } from '../web/request.ts';
import { bookingPanel } from './panel.ts';
import { toSessionSummary } from './present.ts';
import { findSessionSummary } from './queries.ts';
import { bookForm } from './schemas.ts';
import { bookPlace } from './service.ts';

type PanelInput = { values?: { confidenceBefore?: string }; errors?: FieldErrors };

/**
 * Booking a place. GET shows the session and the booking panel (the same panel the session page
 * includes); POST books and redirects to the booking (303), or, for htmx, answers with the panel.
 */
export async function bookRoutes(app: FastifyInstance) {
  const { db, config } = app;
  app.addHook('preHandler', requireRole('link_worker'));

  async function bookPage(request: FastifyRequest, reply: FastifyReply, sessionId: string, input: PanelInput = {}, status?: number) {
    const row = await findSessionSummary(db, sessionId);
    const panel = await bookingPanel(db, sessionId, request.user, input);
    if (!row || !panel) throw new NotFoundError();
    const errors = input.errors ?? {};
    return reply.code(status ?? (Object.keys(errors).length ? 400 : 200)).viewAsync('bookings/book.eta', {
      title: row.title,
      session: toSessionSummary(row),
      bookingPanel: panel,
      errors,
      backLink: { href: '/find', text: 'Back to find tasters' },
    });
  }

  async function panelFragment(request: FastifyRequest, reply: FastifyReply, sessionId: string, input: PanelInput = {}, status = 200) {
    const panel = await bookingPanel(db, sessionId, request.user, { ...input, focus: true });
    if (!panel) throw new NotFoundError();
    return reply.code(status).viewAsync('bookings/panel.eta', { bookingPanel: panel });
  }

  const sessionId = (request: FastifyRequest) => {
    const params = paramsOf(idParams, request);
    return params.id;
  };

  app.get('/sessions/:id/book', async (request, reply) => bookPage(request, reply, sessionId(request)));

  app.post('/sessions/:id/book', fieldsChecked, async (request, reply) => {
    const id = sessionId(request);
    const form = parseForm(bookForm, request.body);
    if (!form.ok) {
      const input = { values: form.values, errors: form.errors };
      return isHtmx(request) ? panelFragment(request, reply, id, input, 400) : bookPage(request, reply, id, input);
    }
    try {
      const outcome = await bookPlace(db, actorOf(request), id, form.value, { baseUrl: config.baseUrl, mailFrom: config.mailFrom });
      if (isHtmx(request)) return panelFragment(request, reply, id);
      return reply.redirect(`/bookings/${outcome.bookingId}`, 303);
    } catch (error) {
      // Closed, cancelled or started: a page that says so (the panel, for htmx), not an error page.
      if (!(error instanceof DomainError) || error.code === 'not_found' || error.code === 'forbidden') throw error;
      request.log.info({ code: error.code, sessionId: id }, 'booking refused');
      if (isHtmx(request)) return panelFragment(request, reply, id, {}, 409);
      return reply.code(409).viewAsync('bookings/unavailable.eta', {
        title: 'You cannot book this session',
        message: error.message,
        code: error.code,
        sessionId: id,
      });
    }
  });
}
