import type { FastifyInstance } from 'fastify';
import { categoryNames, offerCategories } from '../db/tables/publishing.ts';
import { formValues, parseForm } from '../lib/forms.ts';
import { findVenuesOfOffers } from '../openreferral/location-queries.ts';
import { fieldsChecked } from '../plugins/hostile-input.ts';
import { isHtmx } from '../web/request.ts';
import { toOfferSummary } from './present.ts';
import { listPublicOffers, listPublicTowns } from './queries.ts';
import { PUBLIC_PAGE_SIZE, publicIndexQuery, publicIndexQueryString } from './schemas.ts';

const categoryOptions = [{ value: '', text: 'Any activity' }, ...offerCategories.map((value) => ({ value, text: categoryNames[value] }))];

/**
 * The public index of activities, by type and town: a plain GET form (a link that can be shared,
 * works without JavaScript) that htmx refreshes as the filters change, asking the same address
 * for the results alone, which the full page includes from the same partial (as find does).
 */
export async function indexRoutes(app: FastifyInstance) {
  app.get('/activities', fieldsChecked, async (request, reply) => {
    const parsed = parseForm(publicIndexQuery, request.query);
    const towns = await listPublicTowns(app.db);
    const values = parsed.ok ? formValues(request.query) : parsed.values;
    let results: Record<string, unknown>;
    let ok = parsed.ok;
    if (parsed.ok && parsed.value.town && !towns.some((town) => town.toLowerCase() === parsed.value.town?.toLowerCase())) ok = false;
    if (!parsed.ok || !ok) {
      const errors = parsed.ok ? { town: 'Select a town from the list' } : parsed.errors;
      results = { errors, offers: [], total: 0 };
    } else {
      const query = parsed.value;
      const { total, offers } = await listPublicOffers(app.db, query, { page: query.page, perPage: PUBLIC_PAGE_SIZE });
      const venues = await findVenuesOfOffers(
        app.db,
        offers.map((offer) => offer.id),
      );
      const pages = Math.max(1, Math.ceil(total / PUBLIC_PAGE_SIZE));
      results = {
        errors: {},
        offers: offers.map((offer) => toOfferSummary(offer, venues.get(offer.id) ?? [])),
        total,
        filtered: Boolean(query.category || query.town),
        page: query.page,
        pages,
        previousHref: query.page > 1 ? `/activities${publicIndexQueryString(query, Math.min(query.page - 1, pages))}` : null,
        nextHref: query.page < pages ? `/activities${publicIndexQueryString(query, query.page + 1)}` : null,
      };
    }
    const status = ok ? 200 : 400;
    if (isHtmx(request)) return reply.code(status).viewAsync('public/results.eta', { ...results, announce: true });
    return reply.code(status).viewAsync('public/index.eta', {
      ...results,
      title: 'Activities you can be referred to',
      metaDescription: 'Arts, culture, nature and community activities near you that a social prescribing link worker or your GP practice can refer you to.',
      canonical: `${app.config.baseUrl}/activities`,
      values,
      categoryOptions,
      townOptions: [{ value: '', text: 'Any town' }, ...towns.map((town) => ({ value: town, text: town }))],
      user: null,
      csrfToken: '',
    });
  });
}
