import { z } from 'zod';
import { optionalText, requiredText } from '../../lib/forms.ts';
import { normalisePostcode } from '../../lib/postcode.ts';
import { checkbox, notesText } from '../organisations/fields.ts';

/** The structured access information, in the order a person planning a visit asks about it. */
export const accessFeatures = [
  ['stepFree', 'Step-free access'],
  ['accessibleToilet', 'Accessible toilet'],
  ['hearingLoop', 'Hearing loop'],
  ['seating', 'Seating available'],
  ['parking', 'Parking, including disabled parking'],
  ['quietSpace', 'A quiet space'],
] as const;

export type AccessFeature = (typeof accessFeatures)[number][0];

const missingPostcode = 'Enter the postcode';
export const postcode = z
  .string({ error: missingPostcode })
  .trim()
  .min(1, { error: missingPostcode })
  .max(10, { error: 'Enter a real UK postcode, like OX1 3BG' })
  .transform((value, ctx) => {
    const normal = normalisePostcode(value);
    if (!normal) {
      ctx.addIssue({ code: 'custom', message: 'Enter a real UK postcode, like OX1 3BG' });
      return z.NEVER;
    }
    return normal;
  });

export const venueForm = z.object({
  name: requiredText('Enter the name of the venue', 120, 'Venue name must be 120 characters or fewer'),
  addressLine1: requiredText('Enter the first line of the address', 200, 'Address line 1 must be 200 characters or fewer'),
  addressLine2: optionalText(200, 'Address line 2 must be 200 characters or fewer'),
  town: requiredText('Enter the town or city', 100, 'Town or city must be 100 characters or fewer'),
  postcode,
  stepFree: checkbox,
  accessibleToilet: checkbox,
  hearingLoop: checkbox,
  seating: checkbox,
  parking: checkbox,
  quietSpace: checkbox,
  travelNotes: notesText(2000, 'Getting there must be 2,000 characters or fewer', { multiline: true }),
  accessNotes: notesText(2000, 'Access notes must be 2,000 characters or fewer', { multiline: true }),
});

export type VenueInput = z.output<typeof venueForm>;
