import { z } from 'zod';
import { emailAddress } from '../lib/forms.ts';

export const entryParams = z.object({ id: z.uuid(), bookingId: z.uuid() });

export const markForm = z.object({
  attendance: z.enum(['attended', 'no_show'], { error: 'Choose attended or did not attend' }),
});

export const walkInForm = z.object({
  email: emailAddress('Enter the email address of the link worker who turned up'),
});
