import type { FastifyInstance } from 'fastify';
import { formValues, parseForm } from '../lib/forms.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { actionNames } from './actions.ts';
import { toAuditItem } from './present.ts';
import { AUDIT_PAGE_SIZE, searchAuditEvents } from './queries.ts';
import { auditSearchForm } from './schemas.ts';

const actionOptions = [
  { value: '', text: 'Any action' },
  ...Object.entries(actionNames)
    .map(([value, text]) => ({ value, text }))
    .sort((a, b) => a.text.localeCompare(b.text)),
];

/** Coordinators search who did what, and when. */
export async function auditRoutes(app: FastifyInstance) {
  const { db } = app;

  app.get('/audit', { preHandler: requireRole('coordinator'), ...fieldsChecked }, async (request, reply) => {
    const form = parseForm(auditSearchForm, request.query);
    const values = form.ok ? formValues(request.query) : form.values;
    const page = { title: 'Audit trail', values, actionOptions };
    if (!form.ok) return reply.code(400).viewAsync('audit/list.eta', { ...page, errors: form.errors, items: [], more: false, pageNumber: 1, searched: false });
    const { rows, more } = await searchAuditEvents(db, form.value);
    // The page links keep the search: every value but the page number.
    const query = new URLSearchParams(Object.entries(values).filter(([name, value]) => name !== 'page' && value !== ''));
    const link = (n: number) => `/audit?${new URLSearchParams([...query, ['page', String(n)]]).toString()}`;
    return reply.viewAsync('audit/list.eta', {
      ...page,
      errors: {},
      items: rows.map(toAuditItem),
      more,
      pageNumber: form.value.page,
      first: (form.value.page - 1) * AUDIT_PAGE_SIZE + 1,
      newer: form.value.page > 1 ? link(form.value.page - 1) : null,
      older: more ? link(form.value.page + 1) : null,
      searched: query.size > 0,
    });
  });
}
