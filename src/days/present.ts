import type { Audience, PlaceStatus } from '../db/tables/days.ts';
import { accessFeatures } from '../publishing/venues/schemas.ts';
import type { DayDetails, TasterListing } from './queries.ts';
import { slotField } from './schemas.ts';

export const audienceNames: Record<Audience, string> = { link_worker: 'Link workers', cultural: 'Cultural-sector staff' };
export const audienceName: Record<Audience, string> = { link_worker: 'Link worker', cultural: 'Cultural-sector staff' };

export type ProgrammeItem = {
  id: string;
  kind: 'plenary' | 'slot';
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  field: string;
  tasters: Array<TasterListing & { placesLeft: number }>;
};

/** The programme in time order, each slot with its tasters and the places left in each. */
export function programmeOf(
  items: Array<{ id: string; kind: 'plenary' | 'slot'; title: string; description: string; startsAt: Date; endsAt: Date }>,
  tasters: TasterListing[],
): ProgrammeItem[] {
  return items.map((item) => ({
    ...item,
    field: slotField(item.id),
    tasters: tasters.filter((t) => t.programmeItemId === item.id).map((t) => ({ ...t, placesLeft: Math.max(0, t.capacity - t.confirmed) })),
  }));
}

/** The venue's address lines and its access information, as the session pages show them. */
export function venueOf(day: DayDetails) {
  return {
    lines: [day.venueName, day.addressLine1, day.addressLine2, day.town, day.postcode].filter((line): line is string => Boolean(line)),
    access: accessFeatures.map(([key, text]) => ({ text, available: day[key] })),
    accessNotes: day.accessNotes,
    travelNotes: day.travelNotes,
  };
}

export type MyChoice = { itemId: string; tasterId: string; status: PlaceStatus; position: number | null };

/** Where a person's place in a slot stands, in words. */
export function choiceText(choice: MyChoice | undefined, registrationStatus: PlaceStatus): string {
  if (!choice) return 'No taster chosen';
  if (choice.status === 'confirmed') return 'Place confirmed';
  if (registrationStatus !== 'confirmed') return 'Waiting for a place on the day first';
  return `On the waiting list: number ${choice.position ?? 1}`;
}
