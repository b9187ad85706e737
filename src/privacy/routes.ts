import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { recordAudit } from '../audit/record.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { type FieldErrors, parseForm } from '../lib/forms.ts';
import { requireRole, requireSignIn } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { csvFilename } from '../reports/csv.ts';
import { formPage } from '../web/forms.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf, userOf } from '../web/request.ts';
import { erasePerson } from './erase.ts';
import { collectPersonalData, personalDataCsv, personalDataJson, titleAboutThem } from './export.ts';
import { accountOf } from './queries.ts';
import { eraseForm } from './schemas.ts';

/** Data rights: a person downloads what is held about them; a coordinator acts on a request. */
export async function privacyRoutes(app: FastifyInstance) {
  const { db } = app;
  const coordinator = { preHandler: requireRole('coordinator') };

  function personId(request: FastifyRequest): string {
    const params = paramsOf(idParams, request);
    return params.id;
  }

  async function download(request: FastifyRequest, reply: FastifyReply, subjectId: string, format: 'json' | 'csv') {
    const data = await collectPersonalData(db, subjectId);
    await recordAudit(db, {
      actorId: userOf(request).id,
      action: 'personal_data_downloaded',
      subjectType: 'user',
      subjectId,
      details: { format },
      address: request.ip,
    });
    const stamp = DateTime.now().setZone('Europe/London').toFormat('yyyyMMdd-HHmm');
    const filename = csvFilename('tasters-personal-data', subjectId.slice(0, 8), stamp).replace(/\.csv$/, `.${format}`);
    reply.header('content-disposition', `attachment; filename="${filename}"`).header('cache-control', 'no-store');
    if (format === 'json') return reply.type('application/json; charset=utf-8').send(personalDataJson(data));
    return reply.type('text/csv; charset=utf-8').send(personalDataCsv(data));
  }

  async function summaryPage(reply: FastifyReply, view: string, subjectId: string, extra: Record<string, unknown>, aboutThem = false) {
    const data = await collectPersonalData(db, subjectId);
    const sections = data.sections.map((s) => ({ title: aboutThem ? titleAboutThem(s) : s.title, count: s.rows.length }));
    return reply.viewAsync(view, { sections, ...extra });
  }

  // ---------- your own data ----------

  app.get('/account/data', { preHandler: requireSignIn }, async (request, reply) =>
    summaryPage(reply, 'privacy/my-data.eta', userOf(request).id, {
      title: 'Your data',
      backLink: { href: '/account', text: 'Back to your account' },
    }),
  );
  app.get('/account/data.json', { preHandler: requireSignIn }, async (request, reply) => download(request, reply, userOf(request).id, 'json'));
  app.get('/account/data.csv', { preHandler: requireSignIn }, async (request, reply) => download(request, reply, userOf(request).id, 'csv'));

  // ---------- a coordinator acting on a request ----------

  app.get('/people/:id/data', coordinator, async (request, reply) => {
    const id = personId(request);
    const person = await accountOf(db, id);
    if (!person) throw new NotFoundError();
    return summaryPage(
      reply,
      'privacy/person-data.eta',
      id,
      {
        title: `Data held about ${person.name}`,
        person,
        own: id === userOf(request).id,
        backLink: { href: `/people/${id}`, text: 'Back to the person' },
      },
      id !== userOf(request).id,
    );
  });
  app.get('/people/:id/data.json', coordinator, async (request, reply) => download(request, reply, personId(request), 'json'));
  app.get('/people/:id/data.csv', coordinator, async (request, reply) => download(request, reply, personId(request), 'csv'));

  async function erasePage(reply: FastifyReply, id: string, errors: FieldErrors = {}) {
    const person = await accountOf(db, id);
    if (!person) throw new NotFoundError();
    if (person.erasedAt) return refused(reply, id, 'This person has already been erased.');
    return formPage(reply, 'privacy/erase.eta', {
      title: `Erase ${person.name}`,
      person,
      errors,
      backLink: { href: `/people/${id}/data`, text: 'Back' },
    });
  }

  function refused(reply: FastifyReply, id: string, message: string) {
    return reply.code(409).viewAsync('privacy/refused.eta', {
      title: 'This person cannot be erased',
      message,
      back: { href: `/people/${id}`, text: 'Back to the person' },
    });
  }

  app.get('/people/:id/erase', coordinator, async (request, reply) => erasePage(reply, personId(request)));

  app.post('/people/:id/erase', { ...coordinator, ...fieldsChecked }, async (request, reply) => {
    const id = personId(request);
    const form = parseForm(eraseForm, request.body);
    if (!form.ok) return erasePage(reply, id, form.errors);
    try {
      await db.transaction().execute((tx) => erasePerson(tx, actorOf(request), id));
    } catch (error) {
      if (error instanceof DomainError && error.code !== 'not_found') return refused(reply, id, error.message);
      throw error;
    }
    request.log.info({ event: 'person_erased', userId: userOf(request).id, personId: id }, 'person erased');
    return reply.viewAsync('privacy/erased.eta', { title: 'Their data has been erased', personId: id });
  });
}
