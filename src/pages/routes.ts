import type { FastifyInstance } from 'fastify';
import { requireRole } from '../plugins/auth.ts';
import { listRecentMessages } from '../messages/outbox.ts';

/** The home page for each role, and the pages every service must have. */
export async function pageRoutes(app: FastifyInstance) {
  app.get('/', async (request, reply) => {
    const user = request.user;
    if (!user) return reply.viewAsync('pages/start.eta', { title: 'Try an activity before you refer to it' });
    return reply.viewAsync(`pages/home-${user.role.replace('_', '-')}.eta`, { title: 'Home' });
  });

  app.get('/help', async (_request, reply) => reply.viewAsync('pages/help.eta', { title: 'Help and contact' }));
  app.get('/accessibility', async (_request, reply) => reply.viewAsync('pages/accessibility.eta', { title: 'Accessibility statement' }));
  app.get('/privacy', async (_request, reply) => reply.viewAsync('pages/privacy.eta', { title: 'Privacy notice' }));

  // Until email delivery is configured, messages can be read here — never in production.
  if (app.config.env !== 'production') {
    app.get('/dev/mailbox', { preHandler: requireRole('coordinator') }, async (_request, reply) =>
      reply.viewAsync('pages/mailbox.eta', { title: 'Development mailbox', messages: await listRecentMessages(app.db) }),
    );
  }
}
