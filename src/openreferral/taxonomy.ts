import { categoryNames, type OfferCategory, offerCategories } from '../db/tables/publishing.ts';
import { derivedId } from './ids.ts';

/** Our offer categories, published as one taxonomy. Ids derive from the category codes, so they never change. */
export const TAXONOMY_NAME = 'Tasters activity categories';
export const TAXONOMY_VERSION = '1';
export const taxonomyId = derivedId('taxonomy/activity-categories');

const categoryDescriptions: Record<OfferCategory, string> = {
  dance_movement: 'Dance, movement and gentle exercise groups.',
  singing_music: 'Singing groups, choirs and making music together.',
  arts_crafts: 'Making things by hand: crafts, textiles, printmaking, origami and similar.',
  drawing_painting: 'Drawing, painting and cartooning classes and groups.',
  reading_writing: 'Reading groups, creative writing and storytelling.',
  heritage_museums: 'Museum, gallery and heritage activities, such as object handling and tours.',
  gardening_nature: 'Gardening, growing and activities in nature.',
  volunteering: 'Volunteering placements with cultural and community organisations.',
  wellbeing_mindfulness: 'Mindfulness, relaxation and wellbeing sessions.',
  other: 'Other cultural and community activities.',
};

export type OrukTaxonomyTerm = {
  id: string;
  name: string;
  description: string;
  code: string;
  taxonomy: string;
  taxonomy_id: string;
  term: string;
  term_uri: string;
};

export type OrukTaxonomy = {
  id: string;
  name: string;
  description: string;
  uri: string;
  version: string;
  taxonomy_terms?: OrukTaxonomyTerm[];
};

export function taxonomyTermId(category: OfferCategory): string {
  return derivedId(`taxonomy/activity-categories/${category}`);
}

const categoryByTermId = new Map(offerCategories.map((category) => [taxonomyTermId(category), category]));

/** The category a term id stands for, or undefined for an id that is not one of ours. */
export function categoryForTermId(id: string): OfferCategory | undefined {
  return categoryByTermId.get(id.toLowerCase());
}

export function taxonomyTerm(category: OfferCategory, baseUrl: string): OrukTaxonomyTerm {
  const id = taxonomyTermId(category);
  return {
    id,
    name: categoryNames[category],
    description: categoryDescriptions[category],
    // `code` is the HSDS 3.0 field for a term's code; the UK profile allows it alongside its own fields.
    code: category,
    taxonomy: TAXONOMY_NAME,
    taxonomy_id: taxonomyId,
    term: categoryNames[category],
    term_uri: `${baseUrl}/openreferral/taxonomy_terms/${id}`,
  };
}

export function taxonomyTerms(baseUrl: string): OrukTaxonomyTerm[] {
  return offerCategories.map((category) => taxonomyTerm(category, baseUrl));
}

export function taxonomy(baseUrl: string, options: { withTerms: boolean }): OrukTaxonomy {
  return {
    id: taxonomyId,
    name: TAXONOMY_NAME,
    description: 'The kinds of activity that galleries, libraries, gardens, museums and community groups offer through Tasters.',
    uri: `${baseUrl}/openreferral/taxonomies/${taxonomyId}`,
    version: TAXONOMY_VERSION,
    ...(options.withTerms ? { taxonomy_terms: taxonomyTerms(baseUrl) } : {}),
  };
}

/** Whether every word of a search appears, in any case, in one of the texts (the services' rule too). */
export function matchesSearch(texts: string[], search: string | undefined): boolean {
  const haystack = texts.join('\n').toLowerCase();
  return (search ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

export type TermFilters = { search?: string | undefined; taxonomyId?: string | undefined; topOnly?: boolean | undefined; parentId?: string | undefined };

/**
 * The terms a /taxonomy_terms query asks for. Ours form one flat taxonomy: every term is at the
 * top, so top_only changes nothing and a parent_id matches no term; a taxonomy_id that is not ours
 * names no terms (never all of them).
 */
export function findTaxonomyTerms(baseUrl: string, filters: TermFilters): OrukTaxonomyTerm[] {
  if (filters.taxonomyId !== undefined && filters.taxonomyId.toLowerCase() !== taxonomyId) return [];
  if (filters.parentId !== undefined) return [];
  return taxonomyTerms(baseUrl).filter((term) => matchesSearch([term.name, term.description, term.code], filters.search));
}
