import { z } from 'zod';
import { requiredText } from '../../lib/forms.ts';

/** The sign-in code: from the app, or a recovery code. */
export const codeForm = z.object({
  code: requiredText(
    'Enter the 6-digit code from your authenticator app, or a recovery code',
    40,
    'Enter the 6-digit code from your authenticator app, or a recovery code',
  ),
});

/** Setting up: only the app's code proves the app was set up right. */
export const setUpForm = z.object({
  code: z
    .string({ error: 'Enter the 6-digit code from your authenticator app' })
    .transform((value) => value.replace(/[\s-]+/g, ''))
    .pipe(
      z
        .string()
        .min(1, { error: 'Enter the 6-digit code from your authenticator app' })
        .regex(/^\d{6}$/, { error: 'Enter the 6-digit code from your authenticator app, like 123456' }),
    ),
  returnTo: z.string().optional(),
});
