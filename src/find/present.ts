import { categoryNames, offerCategories } from '../db/tables/publishing.ts';
import { kindNames } from '../publishing/organisations/schemas.ts';
import type { FindRow } from './queries.ts';
import type { TimeOfDay } from './schemas.ts';

export const timeNames: Record<TimeOfDay, { text: string; hint: string }> = {
  morning: { text: 'Morning', hint: 'starts before 12 noon' },
  afternoon: { text: 'Afternoon', hint: 'starts from 12 noon to 5pm' },
  evening: { text: 'Evening', hint: 'starts from 5pm' },
};

export const categoryOptions = [{ value: '', text: 'Any activity' }, ...offerCategories.map((value) => ({ value, text: categoryNames[value] }))];

export const kindOptions = [{ value: '', text: 'Any organisation' }, ...Object.entries(kindNames).map(([value, text]) => ({ value, text }))];

export type FindResult = ReturnType<typeof toFindResult>;

/** One result as the page shows it; the viewer's own booking, if any, is named. */
export function toFindResult(row: FindRow, now = new Date()) {
  const placesLeft = Math.max(0, Math.min(row.capacity - row.confirmed, row.placesForViewer));
  return {
    id: row.id,
    title: row.title,
    organisationName: row.organisationName,
    kindName: kindNames[row.organisationKind],
    categoryName: categoryNames[row.category],
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    place: row.isOnline ? 'Online' : [row.venueName, row.town].filter(Boolean).join(', '),
    postcode: row.isOnline ? null : row.postcode,
    stepFree: row.isOnline || row.stepFree === true,
    isFree: row.isFree,
    placesLeft,
    bookingClosed: new Date(row.bookingClosesAt) <= now,
    myStatus: row.myStatus as 'confirmed' | 'waitlisted' | null,
  };
}
