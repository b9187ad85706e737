import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../lib/errors.ts';
import { parseForm } from '../lib/forms.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { fieldErrorFrom, flashFor } from '../web/forms.ts';
import { idParams, paramsOf } from '../web/params.ts';
import { actorOf, userOf } from '../web/request.ts';
import { chooseShareEmail, findMyRegistration, sharedContacts, shareEmailProblem } from './contacts.ts';
import { dayPage } from './page.ts';
import { audienceName } from './present.ts';
import * as q from './queries.ts';
import { whereOf } from './register-routes.ts';

export const shareEmailForm = z.object({
  shareEmail: z.enum(['yes', 'no'], { error: 'Select whether to share your email with the people you met' }),
});

/** Sharing work emails with the people met on the day: the choice, and the list it opens. */
export async function dayContactsRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('link_worker', 'provider'));

  async function publishedDay(request: FastifyRequest) {
    const day = await q.findDay(db, paramsOf(idParams, request).id);
    if (!day || day.status === 'draft') throw new NotFoundError();
    return day;
  }

  app.post('/days/:id/share-email', fieldsChecked, async (request, reply) => {
    const day = await publishedDay(request);
    const form = parseForm(shareEmailForm, request.body);
    if (!form.ok) return dayPage(db, request, reply, day.id, { errors: { shareEmail: form.errors.shareEmail ?? 'Select whether to share your email' } });
    const share = form.value.shareEmail === 'yes';
    try {
      await db.transaction().execute((tx) => chooseShareEmail(tx, actorOf(request), day, share));
    } catch (error) {
      const errors = fieldErrorFrom(error, 'shareEmail');
      if (!errors) throw error;
      return dayPage(db, request, reply, day.id, { errors });
    }
    return reply.redirect(share ? `/days/${day.id}/contacts?done=shared` : `/days/${day.id}?done=email-withdrawn`, 303);
  });

  // Only for someone who agreed: the others who agreed. Anyone else is asked first, and sees nobody.
  app.get('/days/:id/contacts', async (request, reply) => {
    const day = await publishedDay(request);
    const user = userOf(request);
    const mine = await findMyRegistration(db, day.id, user.id);
    const problem = shareEmailProblem(day, mine);
    const sharing = Boolean(mine?.shareEmail) && !problem;
    const people = sharing ? await sharedContacts(db, day.id, user.id) : [];
    return reply.viewAsync('days/contacts.eta', {
      title: `People you met: ${day.title}`,
      day,
      sharing,
      problem: problem?.message ?? null,
      people: people.map((p) => ({ name: p.name, role: audienceName[p.audience], where: whereOf(p), email: p.email })),
      flash: flashFor(request.query, { shared: 'You are sharing your email with the people you met who agreed too' }),
      backLink: { href: `/days/${day.id}`, text: `Back to ${day.title}` },
    });
  });
}
