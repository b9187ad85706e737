import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OrganisationRow } from '../../db/tables/organisations.ts';
import { organisationKinds } from '../../db/tables/organisations.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { type FieldErrors, formValues, parseForm } from '../../lib/forms.ts';
import { requireRole } from '../../plugins/auth.ts';
import { fieldsChecked } from '../../plugins/hostile-input.ts';
import { fieldErrorFrom, flashFor, formPage } from '../../web/forms.ts';
import { idParams, paramsOf } from '../../web/params.ts';
import { actorOf, userOf } from '../../web/request.ts';
import { dashboardMessages } from '../dashboard/links.ts';
import { dashboardData } from '../dashboard/queries.ts';
import * as q from './queries.ts';
import { kindNames, organisationForm } from './schemas.ts';
import * as organisations from './service.ts';

const kindOptions = [{ value: '', text: 'Select the kind of organisation' }, ...organisationKinds.map((k) => ({ value: k, text: kindNames[k] }))];

function valuesOf(organisation: OrganisationRow): Record<string, string> {
  return {
    name: organisation.name,
    kind: organisation.kind,
    description: organisation.description,
    website: organisation.website ?? '',
    contactEmail: organisation.contactEmail ?? '',
    contactPhone: organisation.contactPhone ?? '',
    publishesOpenData: organisation.publishesOpenData ? 'yes' : '',
    embedWebsites: organisation.embedWebsites.join('\n'),
  };
}

/** Coordinators add and edit organisations and invite their staff; provider staff keep their own profile. */
export async function organisationRoutes(app: FastifyInstance) {
  const { db } = app;
  const coordinator = { preHandler: requireRole('coordinator') };
  const provider = { preHandler: requireRole('provider') };

  function editPage(
    reply: FastifyReply,
    data: { action: string; title: string; back: string; values: Record<string, string>; errors?: FieldErrors; creating?: boolean },
  ) {
    return formPage(reply, 'organisations/form.eta', { ...data, kindOptions, backLink: { href: data.back, text: 'Back' } });
  }

  app.get('/organisations', coordinator, async (_request, reply) =>
    reply.viewAsync('organisations/list.eta', { title: 'Organisations', organisations: await q.listOrganisations(db), kindNames }),
  );

  app.get('/organisations/new', coordinator, async (_request, reply) =>
    editPage(reply, {
      action: '/organisations/new',
      title: 'Add an organisation',
      back: '/organisations',
      values: { publishesOpenData: 'yes' },
      creating: true,
    }),
  );

  app.post('/organisations/new', { ...coordinator, ...fieldsChecked }, async (request, reply) => {
    const page = { action: '/organisations/new', title: 'Add an organisation', back: '/organisations', creating: true };
    const form = parseForm(organisationForm, request.body);
    if (!form.ok) return editPage(reply, { ...page, values: form.values, errors: form.errors });
    try {
      const id = await db.transaction().execute((tx) => organisations.createOrganisation(tx, actorOf(request), form.value));
      return reply.redirect(`/organisations/${id}?done=created`, 303);
    } catch (error) {
      const errors = organisations.isUniqueViolation(error) ? { name: organisations.nameTaken().message } : fieldErrorFrom(error);
      if (errors) return editPage(reply, { ...page, values: formValues(request.body), errors });
      throw error;
    }
  });

  async function showPage(request: FastifyRequest, reply: FastifyReply, id: string, own: boolean) {
    const organisation = await q.findOrganisation(db, id);
    if (!organisation) throw new NotFoundError();
    const [staff, dashboard] = await Promise.all([q.listStaff(db, id), dashboardData(db, id)]);
    return reply.viewAsync('organisations/show.eta', {
      title: organisation.name,
      organisation,
      kindNames,
      staff,
      dashboard,
      own,
      editHref: own ? '/organisation/edit' : `/organisations/${id}/edit`,
      publicUrl: `${app.config.baseUrl}/providers/${id}`,
      flash: flashFor(request.query, dashboardMessages),
      ...(own ? {} : { backLink: { href: '/organisations', text: 'Back to organisations' } }),
    });
  }

  app.get('/organisations/:id', coordinator, async (request, reply) => {
    const params = paramsOf(idParams, request);
    return showPage(request, reply, params.id, false);
  });

  app.get('/organisation', provider, async (request, reply) => {
    const id = userOf(request).organisationId;
    if (!id) throw new NotFoundError();
    return showPage(request, reply, id, true);
  });

  // One edit page for both: a coordinator reaches it by id, provider staff only for their own organisation.
  const editRoutes: Array<[path: string, guard: typeof coordinator, idOf: (request: FastifyRequest) => string | null]> = [
    ['/organisations/:id/edit', coordinator, (request) => idParams.safeParse(request.params).data?.id ?? null],
    ['/organisation/edit', provider, (request) => userOf(request).organisationId],
  ];
  for (const [path, guard, idOf] of editRoutes) {
    const own = path.startsWith('/organisation/');
    const pageFor = (id: string) => ({
      action: own ? '/organisation/edit' : `/organisations/${id}/edit`,
      title: 'Edit organisation details',
      back: own ? '/organisation' : `/organisations/${id}`,
    });

    app.get(path, guard, async (request, reply) => {
      const id = idOf(request);
      const organisation = id ? await q.findOrganisation(db, id) : undefined;
      if (!organisation) throw new NotFoundError();
      return editPage(reply, { ...pageFor(organisation.id), values: valuesOf(organisation) });
    });

    app.post(path, { ...guard, ...fieldsChecked }, async (request, reply) => {
      const id = idOf(request);
      if (!id) throw new NotFoundError();
      const form = parseForm(organisationForm, request.body);
      if (!form.ok) return editPage(reply, { ...pageFor(id), values: form.values, errors: form.errors });
      try {
        await db.transaction().execute((tx) => organisations.updateOrganisation(tx, actorOf(request), id, form.value));
      } catch (error) {
        const errors = organisations.isUniqueViolation(error) ? { name: organisations.nameTaken().message } : fieldErrorFrom(error);
        if (errors) return editPage(reply, { ...pageFor(id), values: formValues(request.body), errors });
        throw error;
      }
      return reply.redirect(`${own ? '/organisation' : `/organisations/${id}`}?done=saved`, 303);
    });
  }
}
