import type { FastifyInstance } from 'fastify';
import { parseForm } from '../lib/forms.ts';
import { askForSignInLink } from './requests.ts';
import { signInLinkForm, signInLinkParams } from './schemas.ts';
import { inspectLink, linkProblem, SIGN_IN_LINK_MINUTES } from './service.ts';
import { SIGN_IN_LINK_REISSUE_MINUTES, signInWithLink } from './sign-in-links.ts';
import { startSignedInSession } from './signed-in-session.ts';
import { startSecondStep } from './two-step/session.ts';

/** Signing in with an emailed one-time link instead of the password: asking for one, and using it. */
export async function signInLinkRoutes(app: FastifyInstance) {
  const { db } = app;
  const title = 'Get a sign-in link by email';

  app.get('/sign-in/email-link', async (_request, reply) => reply.viewAsync('accounts/sign-in-link-request.eta', { title, values: {}, errors: {} }));

  app.post('/sign-in/email-link', async (request, reply) => {
    const form = parseForm(signInLinkForm, request.body);
    if (!form.ok) return reply.code(400).viewAsync('accounts/sign-in-link-request.eta', { title, values: form.values, errors: form.errors });
    // Stored for the job queue whatever the address: the answer takes the same work either way.
    await askForSignInLink(db, form.value.email, request.ip);
    request.log.info({ event: 'sign_in_link_requested' }, 'sign-in link asked for');
    // The same answer whether or not the address has an account, and whether or not a link went.
    return reply.viewAsync('accounts/sign-in-link-sent.eta', {
      title: 'Check your email',
      email: form.value.email,
      minutes: SIGN_IN_LINK_MINUTES,
      reissueMinutes: SIGN_IN_LINK_REISSUE_MINUTES,
    });
  });

  // Opening the link only shows a button: mail scanners that fetch links must not use it up.
  app.get('/sign-in/link/:token', async (request, reply) => {
    const params = signInLinkParams.safeParse(request.params);
    const { state } = params.success ? await inspectLink(db, 'sign_in', params.data.token) : { state: 'unknown' as const };
    return reply.code(state === 'valid' ? 200 : 410).viewAsync('accounts/sign-in-link.eta', {
      title: state === 'valid' ? 'Sign in to Tasters' : 'This link does not work',
      state,
      problem: linkProblem(state),
    });
  });

  app.post('/sign-in/link/:token', async (request, reply) => {
    const params = signInLinkParams.safeParse(request.params);
    const token = params.success ? params.data.token : null;
    const result = await db.transaction().execute((tx) => signInWithLink(tx, { token, address: request.ip }));
    switch (result.outcome) {
      case 'refused':
        request.log.info({ event: 'sign_in_link_refused', reason: result.state }, 'sign-in link refused');
        return reply
          .code(410)
          .viewAsync('accounts/sign-in-link.eta', { title: 'This link does not work', state: result.state, problem: linkProblem(result.state) });
      case 'two_step':
        // The link stands in for the password only: the code is still needed.
        await request.session.regenerate();
        startSecondStep(request.session, result.userId, '/', 'link');
        request.log.info({ event: 'sign_in_link_used', userId: result.userId }, 'sign-in link used');
        return reply.redirect('/sign-in/two-step', 303);
      case 'signed_in':
        await startSignedInSession(request, result.userId, { firstStep: 'sign_in_link' });
        return reply.redirect('/', 303);
    }
  });
}
