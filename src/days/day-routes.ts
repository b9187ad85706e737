import type { FastifyInstance } from 'fastify';
import { requireSignIn } from '../plugins/auth.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { userOf } from '../web/request.ts';
import { dayPage } from './page.ts';
import * as q from './queries.ts';

/** The list of days and a day's page, for everyone signed in (drafts for coordinators only). */
export async function dayRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireSignIn);

  app.get('/days', async (request, reply) => {
    const user = userOf(request);
    const canManage = user.role === 'coordinator';
    const list = await q.listDays(db, { includeDrafts: canManage, now: new Date() });
    return reply.viewAsync('days/index.eta', { title: 'Taster days', days: list, canManage });
  });

  app.get('/days/:id', async (request, reply) => dayPage(db, request, reply, paramsOf(idParams, request).id));
}
