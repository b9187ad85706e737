import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import { type FieldErrors, parseForm } from '../lib/forms.ts';
import { splitLinks } from '../messages/compose.ts';
import { findMessageByDedupeKey } from '../messages/outbox.ts';
import { requireSignIn } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { flashFor, formPage } from '../web/forms.ts';
import { idParams } from '../web/params.ts';
import { userOf } from '../web/request.ts';
import { providerSignOutUrl } from './providers/client.ts';
import { identitiesOf } from './providers/queries.ts';
import './providers/session.ts';
import { askToRegister, confirmEmail } from './registration.ts';
import { askForPasswordReset } from './requests.ts';
import { acceptInvitationForm, confirmEmailForm, newPasswordForm, registerForm, resetRequestForm, safeReturnTo, signInForm } from './schemas.ts';
import * as accounts from './service.ts';
import { startSignedInSession } from './signed-in-session.ts';
import { throttledPage } from './throttled-page.ts';
import { SET_UP_PATH } from './two-step/gate.ts';
import { twoStepSummary } from './two-step/queries.ts';
import { startSecondStep } from './two-step/session.ts';

const tokenParams = z.object({
  token: z
    .string()
    .min(20)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/),
});

/** Sign in and out, registration, invitations and password reset. */
export async function accountRoutes(app: FastifyInstance) {
  const { db, config } = app;
  const devEmails = config.env !== 'production' && !config.smtpUrl;
  // Read at each request, like baseUrl: the browser tests point the app at their provider once both listen.
  const providerButtons = () => config.signInProviders.map(({ id, label }) => ({ id, label }));

  app.get('/sign-in', async (request, reply) => {
    const query = z.object({ returnTo: z.string().optional() }).safeParse(request.query);
    if (request.user) return reply.redirect('/');
    return formPage(reply, 'accounts/sign-in.eta', {
      title: 'Sign in',
      signInProviders: providerButtons(),
      values: { returnTo: query.success ? safeReturnTo(query.data.returnTo) : '/' },
    });
  });

  app.post('/sign-in', fieldsChecked, async (request, reply) => {
    const form = parseForm(signInForm, request.body);
    const page = { title: 'Sign in', signInProviders: providerButtons() };
    if (!form.ok) return formPage(reply, 'accounts/sign-in.eta', { ...page, values: { ...form.values, password: '' }, errors: form.errors });
    const { email, password, returnTo } = form.value;
    const result = await db.transaction().execute((tx) => accounts.signIn(tx, { email, password, address: request.ip }));
    const values = { email, returnTo: safeReturnTo(returnTo) };
    switch (result.outcome) {
      case 'throttled':
        return throttledPage(request, reply, result, { stage: 'password', path: 'password', email });
      case 'refused':
        request.log.info({ event: 'sign_in_refused' }, 'sign-in refused');
        return formPage(reply, 'accounts/sign-in.eta', { ...page, values, errors: { email: 'Enter a correct email address and password' } });
      case 'unconfirmed':
        return formPage(reply, 'accounts/sign-in.eta', {
          ...page,
          values,
          errors: {
            email: 'Confirm your email address first, using the link we sent when you registered',
          },
        });
      case 'disabled':
        return formPage(reply, 'accounts/sign-in.eta', {
          ...page,
          values,
          errors: {
            email: 'This account has been disabled. Contact your coordinator if you need it again',
          },
        });
      case 'two_step':
        await request.session.regenerate();
        startSecondStep(request.session, result.userId, values.returnTo);
        return reply.redirect('/sign-in/two-step', 303);
      case 'signed_in':
        await startSignedInSession(request, result.userId);
        return reply.redirect(values.returnTo, 303);
    }
  });

  app.post('/sign-out', async (request, reply) => {
    if (request.user) request.log.info({ event: 'signed_out', userId: request.user.id }, 'signed out');
    const provider = config.signInProviders.find((p) => p.id === request.session.signedInWith?.provider);
    await request.session.destroy();
    // Signed in through a provider: on to its own sign-out too, where it has one, and back to ours.
    const providerSignOut = provider
      ? await providerSignOutUrl(provider, { allowHttp: config.signInProvidersAllowHttp, returnTo: `${config.baseUrl}/signed-out` })
      : null;
    return reply.redirect(providerSignOut ?? '/signed-out', 303);
  });

  app.get('/signed-out', async (_request, reply) => reply.viewAsync('accounts/signed-out.eta', { title: 'You have signed out' }));

  // ---------- registration ----------

  app.get('/register', async (_request, reply) =>
    formPage(reply, 'accounts/register.eta', { title: 'Create a link worker account', domains: config.selfRegistrationDomains }),
  );

  app.post('/register', fieldsChecked, async (request, reply) => {
    const page = { title: 'Create a link worker account', domains: config.selfRegistrationDomains };
    const form = parseForm(registerForm, request.body);
    const keep = (values: Record<string, string>) => ({ ...values, password: '', confirmPassword: '' });
    if (!form.ok) return formPage(reply, 'accounts/register.eta', { ...page, values: keep(form.values), errors: form.errors });
    let requestId: string;
    try {
      // One insert, no transaction to hold while the password is hashed.
      ({ requestId } = await askToRegister(db, config.selfRegistrationDomains, form.value));
    } catch (error) {
      if (error instanceof DomainError && error.field) {
        return formPage(reply, 'accounts/register.eta', { ...page, values: keep(form.value as never), errors: { [error.field]: error.message } });
      }
      throw error;
    }
    // The same page whether or not the address has an account: what happens next is in the email.
    return reply.viewAsync('accounts/check-email.eta', {
      title: 'Confirm your email address',
      email: form.value.email,
      emailSent: Boolean(config.smtpUrl),
      devEmailLink: devEmails ? `/register/sent/${requestId}` : null,
    });
  });

  // Without email (development, the demo), the person registering can read what was sent to them.
  // Never in production, and never once email works: then only the mailbox's owner can.
  if (devEmails) {
    app.get('/register/sent/:id', async (request, reply) => {
      const params = idParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const message = await findMessageByDedupeKey(db, `account_request:${params.data.id}`);
      return reply.viewAsync('accounts/sent-email.eta', {
        title: message ? 'The email we sent' : 'The email is on its way',
        message: message ?? null,
        here: `/register/sent/${params.data.id}`,
        splitLinks,
      });
    });
  }

  const confirmPage = (reply: FastifyReply, state: accounts.LinkState, email: string | undefined, errors: FieldErrors = {}) =>
    reply.code(state !== 'valid' ? 410 : Object.keys(errors).length ? 400 : 200).viewAsync('accounts/confirm-email.eta', {
      title: state === 'valid' ? 'Confirm your email address' : 'This link does not work',
      state,
      email,
      problem: accounts.linkProblem(state),
      errors,
      values: {},
    });

  app.get('/register/confirm/:token', async (request, reply) => {
    const params = tokenParams.safeParse(request.params);
    const { state, link } = params.success
      ? await accounts.inspectLink(db, 'email_confirmation', params.data.token)
      : { state: 'unknown' as const, link: undefined };
    return confirmPage(reply, state, link?.email);
  });

  app.post('/register/confirm/:token', async (request, reply) => {
    const params = tokenParams.safeParse(request.params);
    if (!params.success) return linkFailed(reply, 'unknown');
    const { state, link } = await accounts.inspectLink(db, 'email_confirmation', params.data.token);
    if (state !== 'valid') return linkFailed(reply, state);
    const form = parseForm(confirmEmailForm, request.body);
    if (!form.ok) return confirmPage(reply, state, link?.email, form.errors);
    try {
      await db.transaction().execute((tx) => confirmEmail(tx, params.data.token, form.value.password));
    } catch (error) {
      if (error instanceof DomainError && error.code.startsWith('link_')) return linkFailed(reply, error.code.slice(5));
      if (error instanceof DomainError && error.field) return confirmPage(reply, state, link?.email, { [error.field]: error.message });
      if (error instanceof DomainError)
        return reply.code(409).viewAsync('accounts/link-problem.eta', { title: 'You already have an account', problem: error.message });
      throw error;
    }
    return reply.viewAsync('accounts/done.eta', {
      title: 'Your email address is confirmed',
      message: 'Your account is ready. Sign in to find and book taster sessions.',
    });
  });

  // ---------- invitations ----------

  app.get('/invitations/:token', async (request, reply) => {
    const params = tokenParams.safeParse(request.params);
    const inspected = params.success ? await accounts.inspectLink(db, 'invitation', params.data.token) : { state: 'unknown' as const, link: undefined };
    if (inspected.state !== 'valid' || !inspected.link) return linkFailed(reply, inspected.state);
    return formPage(reply, 'accounts/accept-invitation.eta', { title: 'Set up your account', invitation: inspected.link });
  });

  app.post('/invitations/:token', fieldsChecked, async (request, reply) => {
    const params = tokenParams.safeParse(request.params);
    const inspected = params.success ? await accounts.inspectLink(db, 'invitation', params.data.token) : { state: 'unknown' as const, link: undefined };
    if (!params.success || inspected.state !== 'valid' || !inspected.link) return linkFailed(reply, inspected.state);
    const invitation = inspected.link;
    const form = parseForm(acceptInvitationForm(invitation.role === 'link_worker'), request.body);
    const page = { title: 'Set up your account', invitation };
    if (!form.ok) {
      return formPage(reply, 'accounts/accept-invitation.eta', { ...page, values: { ...form.values, password: '', confirmPassword: '' }, errors: form.errors });
    }
    let user: { id: string };
    try {
      user = await db.transaction().execute((tx) => accounts.acceptInvitation(tx, params.data.token, form.value, request.ip));
    } catch (error) {
      if (error instanceof DomainError && error.code.startsWith('link_')) return linkFailed(reply, error.code.slice(5));
      if (error instanceof DomainError) return formPage(reply, 'accounts/accept-invitation.eta', { ...page, errors: { name: error.message } });
      throw error;
    }
    // Signed in at once. A role that must use two-step sign-in is taken to set it up by the gate
    // before anything else.
    await startSignedInSession(request, user.id, { firstStep: 'invitation' });
    const twoStepNext = config.twoStepRequiredRoles.includes(invitation.role ?? 'link_worker');
    return reply.redirect(twoStepNext ? SET_UP_PATH : '/?done=account-ready', 303);
  });

  // ---------- password reset ----------

  app.get('/reset-password', async (_request, reply) => formPage(reply, 'accounts/reset-request.eta', { title: 'Reset your password' }));

  app.post('/reset-password', fieldsChecked, async (request, reply) => {
    const form = parseForm(resetRequestForm, request.body);
    if (!form.ok) return formPage(reply, 'accounts/reset-request.eta', { title: 'Reset your password', values: form.values, errors: form.errors });
    await askForPasswordReset(db, form.value.email);
    // The same answer, and the same work, whether or not the address has an account.
    return reply.viewAsync('accounts/reset-sent.eta', { title: 'Check your email', email: form.value.email });
  });

  app.get('/reset-password/:token', async (request, reply) => {
    const params = tokenParams.safeParse(request.params);
    const { state } = params.success ? await accounts.inspectLink(db, 'password_reset', params.data.token) : { state: 'unknown' as const };
    if (state !== 'valid') return linkFailed(reply, state);
    return formPage(reply, 'accounts/reset-password.eta', { title: 'Choose a new password' });
  });

  app.post('/reset-password/:token', fieldsChecked, async (request, reply) => {
    const params = tokenParams.safeParse(request.params);
    if (!params.success) return linkFailed(reply, 'unknown');
    const form = parseForm(newPasswordForm, request.body);
    if (!form.ok) return formPage(reply, 'accounts/reset-password.eta', { title: 'Choose a new password', errors: form.errors });
    try {
      await db.transaction().execute((tx) => accounts.resetPassword(tx, params.data.token, form.value.password));
    } catch (error) {
      if (error instanceof DomainError && error.code.startsWith('link_')) return linkFailed(reply, error.code.slice(5));
      throw error;
    }
    return reply.viewAsync('accounts/done.eta', {
      title: 'Your password has been changed',
      message: 'You have been signed out everywhere. Sign in with your new password.',
    });
  });

  // ---------- your account ----------

  app.get('/account', { preHandler: requireSignIn }, async (request, reply) => {
    const names = new Map(config.signInProviders.map((p) => [p.id, p.name]));
    const identities = (await identitiesOf(db, userOf(request).id)).map((identity) => ({
      id: identity.id,
      provider: identity.provider,
      // A provider since taken out of the settings is still shown, so the person can remove it.
      name: names.get(identity.provider) ?? identity.provider,
      email: identity.email,
      linkedAt: identity.linkedAt,
    }));
    const flash = flashFor(request.query, {
      'two-step-off': 'Two-step sign-in is off.',
      'provider-connected': 'Your NHS account is connected. You can sign in with it from now on.',
      'provider-removed': 'The NHS account has been removed. Sign in with your password or an emailed link from now on.',
    });
    return reply.viewAsync('accounts/account.eta', {
      title: 'Your account',
      account: request.user,
      twoStep: await twoStepSummary(db, userOf(request).id),
      twoStepRequired: config.twoStepRequiredRoles.includes(userOf(request).role),
      signInProviders: config.signInProviders.map(({ id, name }) => ({ id, name })),
      identities,
      ...(flash ? { flash } : {}),
    });
  });
}

function linkFailed(reply: FastifyReply, state: string) {
  const known = state === 'expired' || state === 'used' || state === 'replaced' ? state : 'unknown';
  return reply.code(410).viewAsync('accounts/link-problem.eta', {
    title: 'This link does not work',
    problem: accounts.linkProblem(known),
  });
}
