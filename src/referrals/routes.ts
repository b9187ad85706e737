import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { DomainError } from '../lib/errors.ts';
import { type FieldErrors, formValues, parseForm } from '../lib/forms.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { formPage } from '../web/forms.ts';
import { actorOf, userOf } from '../web/request.ts';
import { referralPrompts } from './prompts.ts';
import * as q from './queries.ts';
import { MAX_REFERRALS, monthNames, referralForm } from './schemas.ts';
import { recordReferrals } from './service.ts';

const offerQuery = z.object({ offer: z.uuid().optional().catch(undefined) });

/** Link workers record how many people they referred to an offer, month by month. */
export async function referralRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('link_worker'));

  app.get('/referrals', async (request, reply) => {
    const userId = userOf(request).id;
    const [reports, prompts] = await Promise.all([q.listOwnReports(db, userId), referralPrompts(db, userId, new Date())]);
    const done = (request.query as Record<string, unknown>).done;
    return reply.viewAsync('referrals/list.eta', {
      title: 'Referrals',
      reports,
      prompts,
      monthNames,
      flash:
        done === 'recorded'
          ? 'Referrals recorded. Thank you.'
          : done === 'replaced'
            ? 'Referrals changed. The new number replaces the one you recorded before.'
            : undefined,
    });
  });

  async function referralsPage(reply: FastifyReply, values: Record<string, string>, errors: FieldErrors = {}) {
    const offers = await q.offerChoices(db);
    return formPage(reply, 'referrals/new.eta', {
      title: 'Record referrals',
      values,
      errors,
      maxReferrals: MAX_REFERRALS,
      offerOptions: [{ value: '', text: 'Select an activity' }, ...offers.map((o) => ({ value: o.id, text: `${o.title} (${o.organisationName})` }))],
      monthOptions: [{ value: '', text: 'Select a month' }, ...monthNames.map((name, i) => ({ value: String(i + 1), text: name }))],
      backLink: { href: '/referrals', text: 'Back to referrals' },
    });
  }

  app.get('/referrals/new', async (request, reply) => {
    const { offer } = offerQuery.parse(request.query ?? {});
    const today = DateTime.now().setZone('Europe/London');
    return referralsPage(reply, { offerId: offer ?? '', month: String(today.month), year: String(today.year) });
  });

  app.post('/referrals', fieldsChecked, async (request: FastifyRequest, reply) => {
    const form = parseForm(referralForm(new Date()), request.body);
    if (!form.ok) return referralsPage(reply, form.values, form.errors);
    try {
      const result = await db.transaction().execute((tx) => recordReferrals(tx, actorOf(request), form.value));
      return reply.redirect(`/referrals?done=${result.previous === null ? 'recorded' : 'replaced'}`, 303);
    } catch (error) {
      if (error instanceof DomainError && error.field) return referralsPage(reply, formValues(request.body), { [error.field]: error.message });
      throw error;
    }
  });
}
