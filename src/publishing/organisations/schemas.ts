import { z } from 'zod';
import { type OrganisationKind, organisationKinds } from '../../db/tables/organisations.ts';
import { requiredText } from '../../lib/forms.ts';
import { checkbox, embedWebsites, notesText, optionalEmail, optionalPhone, optionalWebsite } from './fields.ts';

export const kindNames: Record<OrganisationKind, string> = {
  gallery: 'Gallery',
  library: 'Library',
  garden: 'Garden',
  museum: 'Museum',
  arts: 'Arts organisation',
  heritage: 'Heritage site',
  community: 'Community group',
  other: 'Other',
};

export const organisationForm = z.object({
  name: requiredText("Enter the organisation's name", 120, 'Name must be 120 characters or fewer'),
  kind: z.enum(organisationKinds, { error: 'Select the kind of organisation' }),
  description: notesText(3000, 'Description must be 3,000 characters or fewer', { multiline: true }),
  website: optionalWebsite('Enter a website address in the correct format, like https://www.example.org'),
  contactEmail: optionalEmail('Enter an email address in the correct format, like learning@example.org'),
  contactPhone: optionalPhone('Enter a UK phone number, like 01865 123456'),
  publishesOpenData: checkbox,
  embedWebsites,
});

export type OrganisationInput = z.output<typeof organisationForm>;
