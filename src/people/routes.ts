import type { FastifyInstance, FastifyReply } from 'fastify';
import { invite, requestPasswordReset } from '../accounts/service.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { type FieldErrors, formValues, parseForm } from '../lib/forms.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { personSecurityStatus } from '../privacy/person-status.ts';
import { roleNames } from '../web/current-user.ts';
import { formPage } from '../web/forms.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf, userOf } from '../web/request.ts';
import * as q from './queries.ts';
import { inviteForm, roleForm } from './schemas.ts';
import * as people from './service.ts';

const doneMessages: Record<string, string> = {
  role: 'Role changed. They will need to sign in again.',
  disable: 'Account disabled. They have been signed out everywhere.',
  enable: 'Account enabled. They can sign in again.',
  'two-step-reset': 'Two-step sign-in reset. They have been signed out, and set it up again when they next sign in.',
};

const roleOptions = Object.entries(roleNames).map(([value, text]) => ({ value, text }));

/** Coordinators invite people, change their roles and disable their accounts. */
export async function peopleRoutes(app: FastifyInstance) {
  const { db, config } = app;
  app.addHook('preHandler', requireRole('coordinator'));

  app.get('/people', async (_request, reply) => {
    const [everyone, invitations, erased] = await Promise.all([q.listPeople(db), q.listPendingInvitations(db), q.countErasedPeople(db)]);
    return reply.viewAsync('people/list.eta', { title: 'People', people: everyone, invitations, erased, roleNames });
  });

  async function invitePage(reply: FastifyReply, values: Record<string, string>, errors: FieldErrors = {}) {
    const organisations = await q.organisationChoices(db);
    return formPage(reply, 'people/invite.eta', {
      title: 'Invite someone',
      values,
      errors,
      roleOptions,
      organisationOptions: [{ value: '', text: 'Select an organisation' }, ...organisations.map((o) => ({ value: o.id, text: o.name }))],
      backLink: { href: '/people', text: 'Back to people' },
    });
  }

  // From an organisation's page, the invitation starts as provider staff of that organisation.
  app.get('/people/invite', async (request, reply) => {
    const organisationId = idParams.shape.id.safeParse((request.query as Record<string, unknown>).organisationId);
    return invitePage(reply, organisationId.success ? { role: 'provider', organisationId: organisationId.data } : { role: 'link_worker' });
  });

  app.post('/people/invite', fieldsChecked, async (request, reply) => {
    const form = parseForm(inviteForm, request.body);
    if (!form.ok) return invitePage(reply, form.values, form.errors);
    try {
      const link = await db.transaction().execute(async (tx) => {
        if (form.value.organisationId && !(await q.organisationExists(tx, form.value.organisationId))) {
          throw new DomainError('organisation_required', 'Select the organisation this person works for', 'organisationId');
        }
        return invite(tx, config.baseUrl, { ...form.value, invitedBy: userOf(request).id, address: request.ip });
      });
      return reply.viewAsync('people/invited.eta', {
        title: 'Invitation created',
        email: form.value.email,
        // The invitation is emailed; without an SMTP server (development, the demo) the coordinator passes it on.
        link: config.smtpUrl ? null : link.url,
        emailSent: Boolean(config.smtpUrl),
        backLink: { href: '/people', text: 'Back to people' },
      });
    } catch (error) {
      if (error instanceof DomainError && error.field) return invitePage(reply, formValues(request.body), { [error.field]: error.message });
      throw error;
    }
  });

  async function personPage(reply: FastifyReply, id: string, extra: Record<string, unknown> = {}, errors: FieldErrors = {}) {
    const person = await q.findPerson(db, id);
    if (!person) throw new NotFoundError();
    const organisations = await q.organisationChoices(db);
    return formPage(reply, 'people/person.eta', {
      title: person.name,
      person,
      security: await personSecurityStatus(db, id),
      roleNames,
      roleOptions,
      organisationOptions: [{ value: '', text: 'Select an organisation' }, ...organisations.map((o) => ({ value: o.id, text: o.name }))],
      values: { role: person.role, organisationId: person.organisationId ?? '' },
      errors,
      backLink: { href: '/people', text: 'Back to people' },
      ...extra,
    });
  }

  app.get('/people/:id', async (request, reply) => {
    const params = paramsOf(idParams, request);
    const done = (request.query as Record<string, unknown>).done;
    const flash = typeof done === 'string' ? doneMessages[done] : undefined;
    return personPage(reply, params.id, flash ? { flash } : {});
  });

  app.post('/people/:id/role', fieldsChecked, async (request, reply) => {
    const params = paramsOf(idParams, request);
    const form = parseForm(roleForm, request.body);
    if (!form.ok) return personPage(reply, params.id, { values: form.values }, form.errors);
    try {
      await db.transaction().execute((tx) => people.changeRole(tx, actorOf(request), params.id, form.value.role, form.value.organisationId));
    } catch (error) {
      if (error instanceof DomainError && error.field)
        return personPage(reply, params.id, { values: formValues(request.body) }, { [error.field]: error.message });
      throw error;
    }
    return reply.redirect(`/people/${params.id}?done=role`, 303);
  });

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post(`/people/:id/${action}`, async (request, reply) => {
      const params = paramsOf(idParams, request);
      try {
        await db.transaction().execute((tx) => people.setDisabled(tx, actorOf(request), params.id, disabled));
      } catch (error) {
        if (error instanceof DomainError && error.code !== 'not_found') return personPage(reply, params.id, {}, { status: error.message });
        throw error;
      }
      return reply.redirect(`/people/${params.id}?done=${action}`, 303);
    });
  }

  app.post('/people/:id/password-reset', async (request, reply) => {
    const params = paramsOf(idParams, request);
    const person = await q.findPerson(db, params.id);
    if (!person) throw new NotFoundError();
    const link = await db.transaction().execute((tx) => requestPasswordReset(tx, config.baseUrl, person.email, userOf(request).id));
    if (!link) return personPage(reply, person.id, {}, { status: 'Only an active account can have its password reset' });
    return personPage(reply, person.id, { resetLink: link.url });
  });
}
