import { z } from 'zod';
import { offerCategories } from '../db/tables/publishing.ts';
import { plainText } from '../lib/forms.ts';

export const PUBLIC_PAGE_SIZE = 20;

/** The public index's filters, from the query string: a type of activity and a town, both optional. */
export const publicIndexQuery = z.object({
  category: z
    .string()
    .optional()
    .transform((value) => (value ? value : null))
    .pipe(z.enum(offerCategories, { error: 'Select a type of activity from the list' }).nullable()),
  town: plainText(z.string().trim(), 'Town')
    .max(60, { error: 'Select a town from the list' })
    .optional()
    .transform((value) => (value ? value.replace(/\s+/g, ' ') : null)),
  // A broken page number is not worth a message: start at the first page.
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});

export type PublicIndexQuery = z.output<typeof publicIndexQuery>;

export function publicIndexQueryString(query: Pick<PublicIndexQuery, 'category' | 'town'>, page = 1): string {
  const params = new URLSearchParams();
  if (query.category) params.set('category', query.category);
  if (query.town) params.set('town', query.town);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `?${text}` : '';
}
