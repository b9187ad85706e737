import { z } from 'zod';
import { requiredText } from '../../lib/forms.ts';

export const MESSAGE_MAX_LENGTH = 2000;

/** A plain-text message to the people of a session: who it is for, and what it says. */
export const sessionMessageForm = z.object({
  audience: z.enum(['booked', 'waiting'], { error: 'Select who the message is for' }),
  message: requiredText('Enter your message', MESSAGE_MAX_LENGTH, 'Your message must be 2,000 characters or fewer', { multiline: true }),
});

export type SessionMessage = z.output<typeof sessionMessageForm>;
