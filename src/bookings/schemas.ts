import { z } from 'zod';

const confidenceMessage = 'Enter a whole number from 0 to 10, or leave it empty';

/** The booking form: one optional question, asked before the taster (feedback asks it again after). */
export const bookForm = z.object({
  confidenceBefore: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : null))
    .pipe(
      z
        .string()
        .regex(/^\d{1,2}$/, { error: confidenceMessage })
        .transform(Number)
        .pipe(z.number().int().min(0, { error: confidenceMessage }).max(10, { error: confidenceMessage }))
        .nullable(),
    ),
});

export const confidenceQuestion = 'How confident do you feel today about suggesting this kind of activity to a patient?';
