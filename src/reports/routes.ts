import type { FastifyInstance, FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { organisationKinds } from '../db/tables/organisations.ts';
import { categoryNames, offerCategories } from '../db/tables/publishing.ts';
import { type FieldErrors, formValues, parseForm } from '../lib/forms.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { csvFilename } from './csv.ts';
import { exportCsv } from './export.ts';
import { exportKinds } from './export-queries.ts';
import { filterQueryString, organisationKindNames, reportQuery } from './filters.ts';
import { format, reportView } from './present.ts';
import * as q from './queries.ts';

const exportKind = z.object({ kind: z.enum(exportKinds, { error: 'Choose what to export' }) });

/** The coordinator's reports: one page of figures and charts, and CSV exports with the same filters. */
export async function reportRoutes(app: FastifyInstance) {
  const { db } = app;
  app.addHook('preHandler', requireRole('coordinator'));

  async function filterOptions() {
    const choices = await q.filterChoices(db);
    return {
      organisationOptions: [{ value: '', text: 'All organisations' }, ...choices.organisations.map((o) => ({ value: o.id, text: o.name }))],
      kindOptions: [{ value: '', text: 'All kinds' }, ...organisationKinds.map((k) => ({ value: k, text: organisationKindNames[k] }))],
      categoryOptions: [{ value: '', text: 'All categories' }, ...offerCategories.map((c) => ({ value: c, text: categoryNames[c] }))],
      pcnOptions: [{ value: '', text: 'All PCNs' }, ...choices.pcns.map((p) => ({ value: p, text: p }))],
    };
  }

  async function errorPage(reply: FastifyReply, values: Record<string, string>, errors: FieldErrors) {
    return reply.code(400).viewAsync('reports/report.eta', { title: 'Reports', values, errors, report: null, ...(await filterOptions()) });
  }

  app.get('/reports', fieldsChecked, async (request, reply) => {
    const form = parseForm(reportQuery(new Date()), request.query);
    if (!form.ok) return errorPage(reply, form.values, form.errors);
    const f = form.value;
    const [total, byMonth, byOrganisation, byCategory, byPcn, recorded, pcnsWithout, categoriesWith, options] = await Promise.all([
      q.funnelBy(db, f, 'total'),
      q.funnelBy(db, f, 'month'),
      q.funnelBy(db, f, 'organisation'),
      q.funnelBy(db, f, 'category'),
      q.funnelBy(db, f, 'pcn'),
      q.referralsRecordedSincePeriodStart(db, f),
      q.pcnsWithoutAttendance(db, f),
      q.categoriesWithSessions(db, f),
      filterOptions(),
    ]);
    return reply.viewAsync('reports/report.eta', {
      title: 'Reports',
      values: { ...formValues(request.query), from: f.from, to: f.to },
      errors: {},
      report: reportView(f, { total, byMonth, byOrganisation, byCategory, byPcn, recorded, pcnsWithout, categoriesWith }),
      exportQuery: filterQueryString(f),
      format,
      ...options,
    });
  });

  app.get('/reports/export.csv', fieldsChecked, async (request, reply) => {
    const kind = exportKind.safeParse(request.query);
    const form = parseForm(reportQuery(new Date()), request.query);
    if (!kind.success || !form.ok) {
      const errors = { ...(form.ok ? {} : form.errors), ...(kind.success ? {} : { export: 'Choose bookings, attendance, feedback or referrals to download' }) };
      return errorPage(reply, form.ok ? formValues(request.query) : form.values, errors);
    }
    const f = form.value;
    const stamp = DateTime.now().setZone('Europe/London').toFormat('yyyyMMdd-HHmm');
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${csvFilename('tasters', kind.data.kind, f.from, 'to', f.to, stamp)}"`)
      .header('cache-control', 'no-store')
      .send(exportCsv(db, kind.data.kind, f));
  });
}
