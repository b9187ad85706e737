import type { FastifyInstance } from 'fastify';
import { countGivenUp } from '../delivery/undelivered.ts';

/** The home page for each role, and the pages every service must have. */
export async function pageRoutes(app: FastifyInstance) {
  app.get('/', async (request, reply) => {
    const user = request.user;
    if (!user) return reply.viewAsync('pages/start.eta', { title: 'Try an activity before you refer to it' });
    // Straight after accepting an invitation (signed in by it): say the account is ready.
    const flash = (request.query as Record<string, unknown>).done === 'account-ready' ? 'Your account is ready, and you are signed in.' : undefined;
    if (user.role === 'coordinator') {
      return reply.viewAsync('pages/home-coordinator.eta', {
        title: 'Home',
        flash,
        undelivered: await countGivenUp(app.db),
        showMailbox: app.config.env !== 'production',
      });
    }
    return reply.viewAsync(`pages/home-${user.role.replace('_', '-')}.eta`, { title: 'Home', flash });
  });

  app.get('/help', async (_request, reply) => reply.viewAsync('pages/help.eta', { title: 'Help and contact' }));
  app.get('/accessibility', async (_request, reply) => reply.viewAsync('pages/accessibility.eta', { title: 'Accessibility statement' }));
  app.get('/privacy', async (_request, reply) => reply.viewAsync('pages/privacy.eta', { title: 'Privacy notice' }));
}
