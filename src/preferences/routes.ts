import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FieldErrors, parseForm } from '../lib/forms.ts';
import { requireSignIn } from '../plugins/auth.ts';
import { formPage } from '../web/forms.ts';
import { actorOf, userOf } from '../web/request.ts';
import { messageChoices, messagesFor, preferencesForm } from './schemas.ts';
import { getPreferences, savePreferences } from './service.ts';

/** Which optional emails a person gets. */
export async function preferenceRoutes(app: FastifyInstance) {
  const { db } = app;

  function page(request: FastifyRequest, reply: FastifyReply, values: Record<string, boolean>, errors: FieldErrors = {}, flash?: string) {
    const choices = messagesFor[userOf(request).role].map((name) => ({ name, ...messageChoices[name], checked: values[name] === true }));
    return formPage(reply, 'preferences/edit.eta', {
      title: 'Emails you get',
      choices,
      errors,
      flash,
      backLink: { href: '/account', text: 'Back to your account' },
    });
  }

  app.get('/account/preferences', { preHandler: requireSignIn }, async (request, reply) => {
    const done = (request.query as Record<string, unknown>).done === 'saved';
    return page(request, reply, await getPreferences(db, userOf(request).id), {}, done ? 'Your email choices have been saved.' : undefined);
  });

  // Not `fieldsChecked`: the body is filtered to this role's choices before it is parsed, so the
  // fields it drops are checked at the edge instead.
  app.post('/account/preferences', { preHandler: requireSignIn }, async (request, reply) => {
    // Only the choices this role has are read: others are not on the page to correct.
    const applicable = messagesFor[userOf(request).role];
    const body = Object.fromEntries(
      Object.entries((request.body ?? {}) as Record<string, unknown>).filter(([name]) => (applicable as string[]).includes(name)),
    );
    const form = parseForm(preferencesForm, body);
    if (!form.ok) {
      const kept = Object.fromEntries(Object.entries(form.values).map(([name, value]) => [name, value === 'yes']));
      return page(request, reply, kept, form.errors);
    }
    await db.transaction().execute((tx) => savePreferences(tx, actorOf(request), form.value));
    return reply.redirect('/account/preferences?done=saved', 303);
  });
}
