import { derivedId } from './ids.ts';
import { type Json, present } from './json.ts';

/** A venue as the feed reads it: the public fields only. */
export type FeedVenue = {
  id: string;
  name: string;
  addressLine1: string;
  addressLine2: string | null;
  town: string;
  postcode: string;
  latitude: number | null;
  longitude: number | null;
  stepFree: boolean;
  accessibleToilet: boolean;
  hearingLoop: boolean;
  seating: boolean;
  parking: boolean;
  quietSpace: boolean;
  travelNotes: string;
  accessNotes: string;
};

const accessFeatures = [
  ['stepFree', 'step-free', 'Step-free access'],
  ['accessibleToilet', 'accessible-toilet', 'Accessible toilet'],
  ['hearingLoop', 'hearing-loop', 'Hearing loop'],
  ['seating', 'seating', 'Seating available'],
  ['parking', 'parking', 'Parking'],
  ['quietSpace', 'quiet-space', 'Quiet space'],
] as const;

/** The location's one-to-one fields: what /service_at_locations lists. */
export function mapLocationSummary(venue: FeedVenue): Json {
  return present({
    id: venue.id,
    location_type: 'physical',
    name: venue.name,
    // Coordinates only when the venue has them; the schema forbids null.
    latitude: venue.latitude ?? undefined,
    longitude: venue.longitude ?? undefined,
  });
}

export function mapLocation(venue: FeedVenue): Json {
  const accessibility: Array<{ id: string; location_id: string; description: string; accessibility: string }> = accessFeatures
    .filter(([field]) => venue[field])
    .map(([, slug, text]) => ({ id: derivedId(`venue/${venue.id}/accessibility/${slug}`), location_id: venue.id, description: text, accessibility: text }));
  const notes = venue.accessNotes.trim();
  if (notes) accessibility.push({ id: derivedId(`venue/${venue.id}/accessibility/notes`), location_id: venue.id, description: notes, accessibility: notes });
  return {
    ...mapLocationSummary(venue),
    // HSDS 3.0's field for getting there by public or private transport.
    ...present({ transportation: venue.travelNotes.trim() }),
    addresses: [
      {
        id: derivedId(`venue/${venue.id}/address`),
        location_id: venue.id,
        address_1: [venue.addressLine1, venue.addressLine2]
          .map((line) => line?.trim())
          .filter(Boolean)
          .join(', '),
        city: venue.town,
        // Required by the profile; our venues record no county, so it is left empty rather than guessed.
        state_province: '',
        postal_code: venue.postcode,
        country: 'GB',
        address_type: 'physical',
      },
    ],
    accessibility,
  };
}
