import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AttemptPath, Throttle } from './throttle.ts';

/**
 * The answer to a throttled password or code: logged (never what was typed), 429 with Retry-After,
 * and a page that says what the person can do now. On the password path that is always the
 * emailed sign-in link as well as waiting: its codes are counted apart, so no stranger's guesses
 * hold it.
 */
export function throttledPage(
  request: FastifyRequest,
  reply: FastifyReply,
  throttle: Throttle,
  at: { stage: 'password' | 'two_step'; path: AttemptPath; userId?: string; email?: string },
) {
  const [event, message] = at.stage === 'password' ? ['sign_in_throttled', 'sign-in throttled'] : ['two_step_throttled', 'two-step sign-in throttled'];
  request.log.warn({ event, limit: throttle.limit, path: at.path, ...(at.userId ? { userId: at.userId } : {}) }, message);
  return reply
    .code(429)
    .header('retry-after', String(throttle.retryInMinutes * 60))
    .viewAsync('errors/throttled.eta', {
      title: 'Too many attempts',
      limit: throttle.limit,
      retryInMinutes: throttle.retryInMinutes,
      stage: at.stage,
      offerLink: at.path === 'password',
      values: { email: at.email ?? '' },
    });
}
