import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../audit/record.ts';
import type { SignInProvider } from '../../config.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { type FieldErrors, parseForm } from '../../lib/forms.ts';
import { requireSignIn } from '../../plugins/auth.ts';
import { fieldsChecked } from '../../plugins/hostile-input.ts';
import { formPage } from '../../web/forms.ts';
import { idParams, paramsOf } from '../../web/params.ts';
import { userOf } from '../../web/request.ts';
import { providerLinkForm, providerNewAccountForm, providerStartForm, safeReturnTo } from '../schemas.ts';
import { startSignedInSession } from '../signed-in-session.ts';
import { throttledPage } from '../throttled-page.ts';
import { startSecondStep } from '../two-step/session.ts';
import { finishSignIn, ProviderError, type ProviderProblem, startSignIn } from './client.ts';
import { createAccountWithProvider, linkWithPassword, type RefusalReason, removeIdentity, signInWithProvider } from './service.ts';
import { stillFresh } from './session.ts';

const providerParams = z.object({ provider: z.string().regex(/^[a-z][a-z0-9]{0,19}$/) });

/** The provider an address names, if the settings configure it: any other is a page that does not exist. */
export function providerFrom(app: FastifyInstance, request: FastifyRequest): SignInProvider {
  const { provider: id } = paramsOf(providerParams, request);
  const provider = app.config.signInProviders.find((p) => p.id === id);
  if (!provider) throw new NotFoundError();
  return provider;
}

export function callbackUrl(baseUrl: string, provider: SignInProvider): string {
  return `${baseUrl}/sign-in/with/${provider.id}/callback`;
}

type Problem = ProviderProblem | RefusalReason | 'already_registered';

const problemStatus: Record<Problem, number> = {
  unreachable: 503,
  mismatch: 400,
  expired: 410,
  cancelled: 400,
  no_email: 403,
  email_unverified: 403,
  domain_not_allowed: 403,
  disabled: 403,
  unconfirmed: 403,
  invited: 403,
  linked_elsewhere: 409,
  already_registered: 409,
};

/**
 * Signing in with an OpenID Connect provider (NHSmail, CIS2): starting, the provider's answer,
 * creating or proving an account for a new identity, and removing a provider from your account.
 * With no provider configured every address here is a page that does not exist.
 */
export async function providerRoutes(app: FastifyInstance) {
  const { db, config } = app;
  const allowHttp = () => config.signInProvidersAllowHttp;

  const problemPage = (reply: FastifyReply, provider: SignInProvider, problem: Problem) =>
    reply.code(problemStatus[problem]).viewAsync('accounts/providers/problem.eta', {
      title: problemTitle(provider, problem),
      problem,
      provider: { name: provider.name, domains: provider.emailDomains },
    });

  // Starting is a form post with the CSRF token: nothing on another site can start one for you.
  // Its one field is hidden (where to go after): hostile values are refused at the edge, and
  // anything else that is not a path here means the home page.
  app.post('/sign-in/with/:provider', async (request, reply) => {
    const provider = providerFrom(app, request);
    const form = parseForm(providerStartForm, request.body);
    const returnTo = safeReturnTo(form.ok ? form.value.returnTo : undefined);
    const connectTo = request.user?.id;
    let started: Awaited<ReturnType<typeof startSignIn>>;
    try {
      started = await startSignIn(provider, {
        allowHttp: allowHttp(),
        redirectUri: callbackUrl(config.baseUrl, provider),
        returnTo,
        ...(connectTo ? { connectTo } : {}),
      });
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      request.log.warn({ event: 'provider_unreachable', provider: provider.id, cause: causeOf(error) }, 'sign-in provider unreachable');
      await recordAudit(db, {
        actorId: connectTo ?? null,
        action: 'provider_sign_in_refused',
        details: { provider: provider.id, reason: error.problem },
        address: request.ip,
      });
      return problemPage(reply, provider, error.problem);
    }
    request.session.providerSignIn = { ...started.pending, startedAt: Date.now() };
    return reply.redirect(started.url, 303);
  });

  // The provider sends the person back here with a GET (a top-level navigation, so the SameSite=Lax
  // session cookie comes with it). What makes it safe is the state: random, kept in this browser's
  // session, matched once and then gone, so a callback another site sends does nothing.
  app.get('/sign-in/with/:provider/callback', async (request, reply) => {
    const provider = providerFrom(app, request);
    const pending = request.session.providerSignIn;
    // Taken out before anything else: a callback replayed finds nothing to finish.
    request.session.providerSignIn = undefined;
    const refuse = async (problem: ProviderProblem, cause?: unknown) => {
      request.log.info(
        { event: 'provider_sign_in_refused', provider: provider.id, reason: problem, ...(cause ? { err: cause } : {}) },
        'sign-in with provider refused',
      );
      await recordAudit(db, { actorId: null, action: 'provider_sign_in_refused', details: { provider: provider.id, reason: problem }, address: request.ip });
      return problemPage(reply, provider, problem);
    };
    if (!pending || pending.provider !== provider.id || !stillFresh(pending.startedAt)) return refuse('expired');
    const answer = new URL(callbackUrl(config.baseUrl, provider));
    answer.search = new URL(request.url, 'http://callback').search;
    let claims: Awaited<ReturnType<typeof finishSignIn>>;
    try {
      claims = await finishSignIn(provider, pending, answer, { allowHttp: allowHttp() });
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      return refuse(error.problem, error);
    }
    // Connecting from Your account counts only for the person still signed in who asked.
    const connectTo = pending.connectTo && pending.connectTo === request.user?.id ? pending.connectTo : undefined;
    if (pending.connectTo && !connectTo) return refuse('expired');
    const result = await db
      .transaction()
      .execute((tx) => signInWithProvider(tx, provider, claims, { address: request.ip, ...(connectTo ? { connectTo } : {}) }));
    switch (result.outcome) {
      case 'refused':
        request.log.info({ event: 'provider_sign_in_refused', provider: provider.id, reason: result.reason }, 'sign-in with provider refused');
        return problemPage(reply, provider, result.reason);
      case 'connected':
        request.log.info({ event: 'provider_linked', provider: provider.id, userId: result.userId }, 'sign-in provider connected');
        return reply.redirect('/account?done=provider-connected', 303);
      case 'two_step':
        await request.session.regenerate();
        startSecondStep(request.session, result.userId, pending.returnTo, 'provider', provider.id);
        return reply.redirect('/sign-in/two-step', 303);
      case 'signed_in':
        await startSignedInSession(request, result.userId, { firstStep: 'provider', provider: provider.id }, { provider: provider.id, mfa: result.mfa });
        return reply.redirect(pending.returnTo, 303);
      case 'new_account':
      case 'prove_account': {
        request.session.providerIdentity = { ...result.identity, returnTo: pending.returnTo, at: Date.now() };
        const next = result.outcome === 'new_account' ? 'new-account' : 'link-account';
        return reply.redirect(`/sign-in/with/${provider.id}/${next}`, 303);
      }
    }
  });

  /** The identity this browser's session holds for the provider in the address, still fresh; or none. */
  const identityFor = (request: FastifyRequest, provider: SignInProvider) => {
    const identity = request.session.providerIdentity;
    return identity && identity.provider === provider.id && stillFresh(identity.at) ? identity : undefined;
  };

  // ---------- no account yet: a link worker's, as registering makes ----------

  const newAccountPage = (reply: FastifyReply, provider: SignInProvider, email: string, values: Record<string, unknown>, errors: FieldErrors = {}) =>
    formPage(reply, 'accounts/providers/new-account.eta', {
      title: 'Create a link worker account',
      provider: { id: provider.id, name: provider.name },
      email,
      values,
      errors,
    });

  app.get('/sign-in/with/:provider/new-account', async (request, reply) => {
    const provider = providerFrom(app, request);
    const identity = identityFor(request, provider);
    if (!identity) return problemPage(reply, provider, 'expired');
    return newAccountPage(reply, provider, identity.email, { name: identity.name ?? '' });
  });

  app.post('/sign-in/with/:provider/new-account', fieldsChecked, async (request, reply) => {
    const provider = providerFrom(app, request);
    const identity = identityFor(request, provider);
    if (!identity) return problemPage(reply, provider, 'expired');
    const form = parseForm(providerNewAccountForm, request.body);
    if (!form.ok) return newAccountPage(reply, provider, identity.email, form.values, form.errors);
    const result = await db.transaction().execute((tx) => createAccountWithProvider(tx, provider, identity, form.value, { address: request.ip }));
    if (result.outcome === 'refused') {
      request.session.providerIdentity = undefined;
      return problemPage(reply, provider, result.reason);
    }
    await startSignedInSession(
      request,
      result.userId,
      { firstStep: 'provider', provider: provider.id, registered: 'true' },
      { provider: provider.id, mfa: result.mfa },
    );
    return reply.redirect('/?done=account-ready', 303);
  });

  // ---------- an account with this address already: prove it, then it is linked ----------

  const linkPage = (reply: FastifyReply, provider: SignInProvider, email: string, errors: FieldErrors = {}) =>
    formPage(reply, 'accounts/providers/link-account.eta', {
      title: `Connect ${provider.name} to your Tasters account`,
      provider: { id: provider.id, name: provider.name },
      email,
      errors,
    });

  app.get('/sign-in/with/:provider/link-account', async (request, reply) => {
    const provider = providerFrom(app, request);
    const identity = identityFor(request, provider);
    if (!identity) return problemPage(reply, provider, 'expired');
    return linkPage(reply, provider, identity.email);
  });

  app.post('/sign-in/with/:provider/link-account', fieldsChecked, async (request, reply) => {
    const provider = providerFrom(app, request);
    const identity = identityFor(request, provider);
    if (!identity) return problemPage(reply, provider, 'expired');
    const form = parseForm(providerLinkForm, request.body);
    if (!form.ok) return linkPage(reply, provider, identity.email, form.errors);
    const result = await db.transaction().execute((tx) => linkWithPassword(tx, provider, identity, { password: form.value.password, address: request.ip }));
    switch (result.outcome) {
      case 'throttled':
        return throttledPage(request, reply, result, { stage: 'password', path: 'password', email: identity.email });
      case 'wrong_password':
        request.log.info({ event: 'provider_sign_in_refused', provider: provider.id, reason: 'wrong_password' }, 'sign-in with provider refused');
        return linkPage(reply, provider, identity.email, { password: 'The password is not right. Enter the password of your Tasters account' });
      case 'gone':
        request.session.providerIdentity = undefined;
        return problemPage(reply, provider, 'expired');
      case 'two_step':
        await request.session.regenerate();
        startSecondStep(request.session, result.userId, identity.returnTo, 'provider', provider.id);
        return reply.redirect('/sign-in/two-step', 303);
      case 'signed_in':
        await startSignedInSession(request, result.userId, { firstStep: 'provider', provider: provider.id }, { provider: provider.id, mfa: result.mfa });
        return reply.redirect(identity.returnTo, 303);
    }
  });

  // ---------- Your account: removing a provider ----------

  app.post('/account/sign-in-providers/:id/remove', { preHandler: requireSignIn }, async (request, reply) => {
    const { id } = paramsOf(idParams, request);
    const removed = await db.transaction().execute((tx) => removeIdentity(tx, userOf(request).id, id, request.ip));
    if (!removed) throw new NotFoundError();
    request.log.info({ event: 'provider_unlinked', userId: userOf(request).id }, 'sign-in provider removed');
    return reply.redirect('/account?done=provider-removed', 303);
  });
}

/**
 * What went wrong, for the log: the library's error names and codes down the chain, never the
 * error objects, which can hold the provider's response, claims (names, addresses) or tokens.
 */
function causeOf(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    parts.push(`${e.name}${typeof code === 'string' ? ` ${code}` : ''}`);
  }
  return parts.join(' < ');
}

function problemTitle(provider: SignInProvider, problem: Problem): string {
  switch (problem) {
    case 'unreachable':
      return `${provider.name} cannot be reached at the moment`;
    case 'mismatch':
      return 'We could not check this sign-in';
    case 'expired':
      return 'This sign-in has expired or has already been used';
    case 'cancelled':
      return `You did not finish signing in with ${provider.name}`;
    case 'no_email':
    case 'email_unverified':
      return `${provider.name} has not confirmed your email address`;
    case 'domain_not_allowed':
      return 'This email address cannot be used to sign in to Tasters';
    case 'disabled':
      return 'This account has been disabled';
    case 'unconfirmed':
      return 'Confirm your email address first';
    case 'invited':
      return 'You have an invitation waiting';
    case 'linked_elsewhere':
      return `This ${provider.name} account is connected to another Tasters account`;
    case 'already_registered':
      return 'You already have an account';
  }
}
