import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../lib/errors.ts';
import { type FieldErrors, parseForm } from '../../lib/forms.ts';
import { qrCodeImage } from '../../lib/qr-code.ts';
import { requireRole, requireSignIn } from '../../plugins/auth.ts';
import { actorOf, userOf } from '../../web/request.ts';
import { safeReturnTo } from '../schemas.ts';
import { startSignedInSession } from '../signed-in-session.ts';
import { throttledPage } from '../throttled-page.ts';
import { decryptSecret, encryptSecret } from './crypto.ts';
import { SET_UP_PATH } from './gate.ts';
import { twoStepSummary } from './queries.ts';
import { codeForm, setUpForm } from './schemas.ts';
import * as twoStep from './service.ts';
import './session.ts';
import { fieldsChecked } from '../../plugins/hostile-input.ts';
import { formPage } from '../../web/forms.ts';
import { idParams, paramsOf } from '../../web/params.ts';
import { groupedSecret, newTotpSecret, provisioningUri } from './totp.ts';

/** Two-step sign-in: the second step of signing in, setting it up, managing it, and a coordinator's reset. */
export async function twoStepRoutes(app: FastifyInstance) {
  const { db, config } = app;
  const keys = { sessionSecret: config.sessionSecret };

  // ---------- the second step of signing in ----------

  const codePage = (reply: FastifyReply, errors: FieldErrors = {}) => formPage(reply, 'twostep/code.eta', { title: 'Enter your security code', errors });

  app.get('/sign-in/two-step', async (request, reply) => {
    if (request.user) return reply.redirect('/', 303);
    if (!request.session.twoStepPending) return reply.redirect('/sign-in', 303);
    return codePage(reply);
  });

  app.post('/sign-in/two-step', fieldsChecked, async (request, reply) => {
    const userId = request.session.twoStepPending;
    if (!userId) return reply.redirect('/sign-in', 303);
    const form = parseForm(codeForm, request.body);
    if (!form.ok) return codePage(reply, form.errors);
    const path = request.session.twoStepPath ?? 'password';
    const provider = path === 'provider' ? request.session.twoStepProvider : undefined;
    const result = await db
      .transaction()
      .execute((tx) => twoStep.completeSignIn(tx, keys, { userId, code: form.value.code, address: request.ip, path, ...(provider ? { provider } : {}) }));
    switch (result.outcome) {
      case 'throttled':
        return throttledPage(request, reply, result, { stage: 'two_step', path, userId });
      case 'gone':
        await request.session.destroy();
        return reply.redirect('/sign-in', 303);
      case 'reused':
        request.log.info({ event: 'two_step_refused', userId, reason: 'reused' }, 'two-step code refused');
        return codePage(reply, { code: 'This code has already been used. Wait for your app to show a new code, then enter it' });
      case 'wrong':
        request.log.info({ event: 'two_step_refused', userId, reason: 'wrong' }, 'two-step code refused');
        return codePage(reply, { code: 'The code is not right. Enter the code your app shows now, or one of your recovery codes' });
      case 'accepted': {
        const returnTo = safeReturnTo(request.session.twoStepReturnTo);
        const firstStep: Record<string, string> = path === 'link' ? { firstStep: 'sign_in_link' } : provider ? { firstStep: 'provider', provider } : {};
        await startSignedInSession(request, userId, { secondStep: result.method, ...firstStep }, provider ? { provider, mfa: false } : undefined);
        return reply.redirect(returnTo, 303);
      }
    }
  });

  // ---------- your own two-step sign-in ----------

  app.get('/account/two-step', { preHandler: requireSignIn }, async (request, reply) => {
    const summary = await twoStepSummary(db, userOf(request).id);
    if (!summary.enabled) return reply.redirect(SET_UP_PATH, 303);
    return formPage(reply, 'twostep/manage.eta', {
      title: 'Two-step sign-in',
      summary,
      required: config.twoStepRequiredRoles.includes(userOf(request).role),
      backLink: { href: '/account', text: 'Back to your account' },
    });
  });

  async function setUpPage(request: FastifyRequest, reply: FastifyReply, values: Record<string, string>, errors: FieldErrors = {}) {
    // The secret waits in the session (encrypted) until confirmed, so reloading shows the same one.
    let encrypted = request.session.twoStepSetUpSecret;
    if (!encrypted) {
      encrypted = encryptSecret(keys.sessionSecret, newTotpSecret());
      request.session.twoStepSetUpSecret = encrypted;
    }
    const secret = decryptSecret(keys.sessionSecret, encrypted);
    const required = config.twoStepRequiredRoles.includes(userOf(request).role);
    return formPage(reply, 'twostep/set-up.eta', {
      title: 'Set up two-step sign-in',
      required,
      qrCode: await qrCodeImage(provisioningUri(secret, userOf(request).email)),
      secret: groupedSecret(secret),
      values: { ...values, code: '' },
      ...(required ? {} : { backLink: { href: '/account', text: 'Back to your account' } }),
      errors,
    });
  }

  app.get(SET_UP_PATH, { preHandler: requireSignIn }, async (request, reply) => {
    if ((await twoStepSummary(db, userOf(request).id)).enabled) return reply.redirect('/account/two-step', 303);
    const returnTo = (request.query as Record<string, unknown>).returnTo;
    return setUpPage(request, reply, { returnTo: safeReturnTo(typeof returnTo === 'string' ? returnTo : undefined) });
  });

  app.post(SET_UP_PATH, { preHandler: requireSignIn, ...fieldsChecked }, async (request, reply) => {
    if ((await twoStepSummary(db, userOf(request).id)).enabled) return reply.redirect('/account/two-step', 303);
    const form = parseForm(setUpForm, request.body);
    if (!form.ok) return setUpPage(request, reply, form.values, form.errors);
    const values = { returnTo: form.value.returnTo ?? '/' };
    const encrypted = request.session.twoStepSetUpSecret;
    if (!encrypted) return setUpPage(request, reply, values, { code: 'The set-up timed out. Scan the new QR code, then enter the code your app shows' });
    const secret = decryptSecret(keys.sessionSecret, encrypted);
    try {
      const codes = await db.transaction().execute((tx) => twoStep.enableTwoStep(tx, keys, actorOf(request), secret, form.value.code));
      request.session.twoStepSetUpSecret = undefined;
      request.log.info({ event: 'two_step_enabled', userId: userOf(request).id }, 'two-step sign-in set up');
      return reply.viewAsync('twostep/recovery-codes.eta', {
        title: 'Two-step sign-in is on: save your recovery codes',
        codes,
        next: safeReturnTo(form.value.returnTo),
      });
    } catch (error) {
      if (error instanceof DomainError && error.field) return setUpPage(request, reply, values, { [error.field]: error.message });
      throw error;
    }
  });

  async function managePage(request: FastifyRequest, reply: FastifyReply, errors: FieldErrors) {
    const summary = await twoStepSummary(db, userOf(request).id);
    return formPage(reply, 'twostep/manage.eta', {
      title: 'Two-step sign-in',
      summary,
      required: config.twoStepRequiredRoles.includes(userOf(request).role),
      backLink: { href: '/account', text: 'Back to your account' },
      errors,
    });
  }

  app.post('/account/two-step/recovery-codes', { preHandler: requireSignIn, ...fieldsChecked }, async (request, reply) => {
    if (!(await twoStepSummary(db, userOf(request).id)).enabled) return reply.redirect(SET_UP_PATH, 303);
    const form = parseForm(codeForm, request.body);
    if (!form.ok) return managePage(request, reply, form.errors);
    try {
      const codes = await db.transaction().execute((tx) => twoStep.replaceRecoveryCodes(tx, keys, actorOf(request), form.value.code));
      return reply.viewAsync('twostep/recovery-codes.eta', { title: 'Your new recovery codes', codes, next: '/account/two-step' });
    } catch (error) {
      if (error instanceof DomainError && error.field) return managePage(request, reply, { [error.field]: error.message });
      throw error;
    }
  });

  app.post('/account/two-step/turn-off', { preHandler: requireSignIn, ...fieldsChecked }, async (request, reply) => {
    if (!(await twoStepSummary(db, userOf(request).id)).enabled) return reply.redirect('/account', 303);
    const form = parseForm(codeForm, request.body);
    if (!form.ok) return managePage(request, reply, form.errors);
    try {
      await db.transaction().execute((tx) => twoStep.turnOffTwoStep(tx, keys, actorOf(request), config.twoStepRequiredRoles, form.value.code));
    } catch (error) {
      if (error instanceof DomainError && error.field) return managePage(request, reply, { [error.field]: error.message });
      throw error;
    }
    return reply.redirect('/account?done=two-step-off', 303);
  });

  // ---------- a coordinator resets someone's second step ----------

  app.post('/people/:id/two-step/reset', { preHandler: requireRole('coordinator') }, async (request, reply) => {
    const params = paramsOf(idParams, request);
    try {
      await db.transaction().execute((tx) => twoStep.resetTwoStep(tx, actorOf(request), params.id));
    } catch (error) {
      if (error instanceof DomainError && error.code !== 'not_found') {
        return reply.code(409).viewAsync('privacy/refused.eta', {
          title: 'Two-step sign-in was not reset',
          message: error.message,
          back: { href: `/people/${params.id}`, text: 'Back to the person' },
        });
      }
      throw error;
    }
    request.log.info({ event: 'two_step_reset', userId: userOf(request).id, personId: params.id }, 'two-step sign-in reset');
    return reply.redirect(`/people/${params.id}?done=two-step-reset`, 303);
  });
}
