import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError } from '../../lib/errors.ts';
import { pathOf } from '../../web/request.ts';
import { hasTwoStep } from './queries.ts';
import '../signed-in-session.ts';

export const SET_UP_PATH = '/account/two-step/set-up';

// What someone who must still set up two-step sign-in may reach: the set-up itself, their own
// account page (which leads to it), signing out, keeping the session alive while they do it, and
// the pages every service must always show.
const open = [/^\/account$/, /^\/account\/two-step(\/|$)/, /^\/sign-out$/, /^\/signed-out$/, /^\/session\/keep-alive$/, /^\/(help|accessibility|privacy)$/];

/**
 * For a signed-in person whose role requires two-step sign-in and who has not set it up: a page
 * sends them to set it up (then back), anything else is refused. Runs for every page, after the
 * session and CSRF checks. Returns true when it has answered the request.
 */
export async function enforceTwoStepSetUp(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const user = request.user;
  if (!user || !app.config.twoStepRequiredRoles.includes(user.role)) return false;
  const path = pathOf(request.url);
  if (open.some((pattern) => pattern.test(path))) return false;
  // Signed in through a provider whose multi-factor sign-in the settings accept (SIGN_IN_<ID>_TWO_STEP_AMR/ACR):
  // that was the second factor, checked by the provider, for this session only.
  if (request.session.signedInWith?.mfa) return false;
  if (await hasTwoStep(app.db, user.id)) return false;
  if (request.method === 'GET' && !request.headers['hx-request']) {
    await reply.redirect(`${SET_UP_PATH}?returnTo=${encodeURIComponent(request.url)}`, 303);
    return true;
  }
  throw new ForbiddenError('Set up two-step sign-in before you continue. Reload the page to start.');
}
