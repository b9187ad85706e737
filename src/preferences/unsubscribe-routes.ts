import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { messageChoices } from './schemas.ts';
import { findUnsubscribeTarget, readUnsubscribeToken, type UnsubscribeTarget, unsubscribe, unsubscribePath } from './unsubscribe.ts';

const tokenParams = z.object({ token: z.string().max(200) });

/**
 * The "stop these emails" link of optional emails (unsubscribe.ts). Registered outside the pages'
 * sessions and CSRF, like the calendar feed: mail clients send the one-click POST (RFC 8058) with
 * no cookie and no CSRF token, and the signed link is the only credential, so no cookie is read or
 * set. GET only asks; POST, from the mail client or the page's button, switches the email off.
 */
export async function unsubscribeRoutes(app: FastifyInstance) {
  const { db, config } = app;

  // RFC 8058 lets the one-click body come as a url-encoded or a multipart form. Its one field is
  // fixed and says nothing the address does not, so a multipart body is read (within the app's body limit)
  // and set aside. JSON and plain text are refused with 415, as on every page.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (_request, _body, done) => done(null, {}));

  // The pages name a person's kind of email: never kept by a shared cache.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  function targetOf(params: unknown): UnsubscribeTarget | null {
    const parsed = tokenParams.safeParse(params);
    return parsed.success ? readUnsubscribeToken(config.sessionSecret, parsed.data.token) : null;
  }

  // Forged, altered, unknown and erased alike: nothing to say about whose link it might have been.
  const unknownLink = (reply: FastifyReply) =>
    reply.code(404).viewAsync('preferences/unsubscribe-problem.eta', { title: 'This link does not work', user: null, csrfToken: '' });

  app.get('/unsubscribe/:token', async (request, reply) => {
    const target = targetOf(request.params);
    if (!target || !(await findUnsubscribeTarget(db, target))) return unknownLink(reply);
    const choice = messageChoices[target.choice];
    return reply.viewAsync('preferences/unsubscribe.eta', {
      title: `Stop getting ${choice.inSentence}?`,
      choice,
      action: unsubscribePath(config.sessionSecret, target.userId, target.choice),
      user: null,
      csrfToken: '',
    });
  });

  app.post('/unsubscribe/:token', async (request, reply) => {
    const target = targetOf(request.params);
    if (!target) return unknownLink(reply);
    if ((await unsubscribe(db, target, request.ip)) === 'not_found') return unknownLink(reply);
    request.log.info({ event: 'unsubscribed', userId: target.userId, choice: target.choice }, 'optional email switched off from its link');
    const choice = messageChoices[target.choice];
    return reply.viewAsync('preferences/unsubscribed.eta', { title: `You will no longer get ${choice.inSentence}`, choice, user: null, csrfToken: '' });
  });
}
