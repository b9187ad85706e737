import { z } from 'zod';
import type { Role } from '../db/tables/accounts.ts';

export const optionalMessages = ['reminders', 'feedbackRequests', 'referralPrompts', 'digests'] as const;
export type OptionalMessage = (typeof optionalMessages)[number];
export type Preferences = Record<OptionalMessage, boolean>;

/** The optional messages each role can get, and so choose. */
export const messagesFor: Record<Role, OptionalMessage[]> = {
  link_worker: ['reminders', 'feedbackRequests', 'referralPrompts'],
  provider: ['digests'],
  coordinator: ['digests'],
};

/** `inSentence` finishes "Stop getting …" and "You will no longer get …" (the unsubscribe link). */
export const messageChoices: Record<OptionalMessage, { label: string; hint: string; inSentence: string }> = {
  reminders: {
    label: 'Reminders',
    hint: 'The day before each taster session you have a place on, with a link to release your place if you cannot come.',
    inSentence: 'reminders',
  },
  feedbackRequests: {
    label: 'Feedback requests',
    hint: 'After a taster session you attended, a link to say what you thought.',
    inSentence: 'feedback requests',
  },
  referralPrompts: {
    label: 'Referral questions',
    hint: '4 and 12 weeks after a taster, a question about whether you have referred anyone to it.',
    inSentence: 'referral questions',
  },
  digests: {
    label: 'Weekly digest',
    hint: 'On Monday mornings, the taster sessions in the next two weeks that still have places.',
    inSentence: 'the weekly digest',
  },
};

// A checkbox is sent as "yes" when ticked and not at all when not: anything else did not come from the form.
const box = z
  .string()
  .optional()
  .refine((value) => value === undefined || value === 'yes', { error: 'Tick the box to get these emails, or clear it to stop them' })
  .transform((value) => value === 'yes');

export const preferencesForm = z.object({
  reminders: box,
  feedbackRequests: box,
  referralPrompts: box,
  digests: box,
});
