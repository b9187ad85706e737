import { z } from 'zod';
import { requiredText } from '../lib/forms.ts';

/** A coordinator's reason for returning a proposal: the proposer reads it, so it must say something. */
export const returnForm = z.object({
  reason: requiredText('Enter why the proposal is being returned', 1000, 'The reason must be 1,000 characters or fewer', { multiline: true }),
});
