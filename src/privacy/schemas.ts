import { z } from 'zod';

export const eraseForm = z.object({
  confirm: z.literal('yes', { error: 'Confirm that this person asked for their data to be erased, and that you have downloaded it if they want a copy' }),
});
