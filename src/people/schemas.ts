import { z } from 'zod';
import { roles } from '../db/tables/accounts.ts';
import { emailAddress } from '../lib/forms.ts';

const role = z.enum(roles, { error: 'Select a role' });
const organisationId = z
  .string()
  .optional()
  .transform((value) => (value ? value : null))
  .pipe(z.uuid({ error: 'Select the organisation this person works for' }).nullable());

export const inviteForm = z
  .object({ email: emailAddress('Enter the email address of the person to invite'), role, organisationId })
  .refine((form) => form.role !== 'provider' || form.organisationId !== null, {
    error: 'Select the organisation this person works for',
    path: ['organisationId'],
  });

export const roleForm = z.object({ role, organisationId }).refine((form) => form.role !== 'provider' || form.organisationId !== null, {
  error: 'Select the organisation this person works for',
  path: ['organisationId'],
});
