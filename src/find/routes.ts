import type { FastifyInstance } from 'fastify';
import { weekdays } from '../db/tables/publishing.ts';
import { formValues, parseForm } from '../lib/forms.ts';
import { requireRole } from '../plugins/auth.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { dayNames } from '../publishing/offers/schemas.ts';
import { isHtmx, userOf } from '../web/request.ts';
import { categoryOptions, kindOptions, timeNames, toFindResult } from './present.ts';
import { findSessions } from './queries.ts';
import { findQuery, findQueryString, hasFilters, PAGE_SIZE, timesOfDay } from './schemas.ts';

/**
 * Find tasters: one GET handler for the whole page and for its results alone. The filters are a
 * plain GET form (shareable URL, works without JavaScript); htmx asks the same URL with
 * HX-Request and swaps in just the results, which the full page includes from the same partial.
 */
export async function findRoutes(app: FastifyInstance) {
  const { db } = app;

  app.get('/find', { preHandler: requireRole('link_worker', 'coordinator'), ...fieldsChecked }, async (request, reply) => {
    const user = userOf(request);
    const parsed = parseForm(findQuery, request.query);
    const raw = parsed.ok ? formValues(request.query) : parsed.values;
    const partial = isHtmx(request);
    const common = {
      values: { ...raw, day: raw.day?.split('\n') ?? [], time: raw.time?.split('\n') ?? [] },
      canBook: user.role === 'link_worker',
    };

    let results: Record<string, unknown>;
    if (!parsed.ok) {
      results = { ...common, errors: parsed.errors, items: [], total: 0 };
    } else {
      const filters = parsed.value;
      const { rows, total, more } = await findSessions(db, filters, { id: user.id, pcn: user.pcn });
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      results = {
        ...common,
        errors: {},
        items: rows.map((row) => toFindResult(row)),
        total,
        more,
        filtered: hasFilters(filters),
        shareHref: `/find${findQueryString(filters)}`,
        page: filters.page,
        pages,
        previousHref: filters.page > 1 ? `/find${findQueryString(filters, Math.min(filters.page - 1, pages))}` : null,
        nextHref: filters.page < pages ? `/find${findQueryString(filters, filters.page + 1)}` : null,
      };
    }

    if (partial) return reply.code(parsed.ok ? 200 : 400).viewAsync('find/results.eta', { ...results, announce: true });
    return reply.code(parsed.ok ? 200 : 400).viewAsync('find/page.eta', {
      ...results,
      title: 'Find tasters',
      categoryOptions,
      kindOptions,
      days: weekdays.map((value) => ({ value, text: dayNames[value] })),
      times: timesOfDay.map((value) => ({ value, ...timeNames[value] })),
    });
  });
}
