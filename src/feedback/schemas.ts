import { z } from 'zod';
import { type FiveA, fiveAs, intentions, missedReasons } from '../db/tables/feedback.ts';
import { optionalText } from '../lib/forms.ts';

/** A whole number on a scale, sent as the value of a radio button. */
export function scale(min: number, max: number, message: string) {
  return z
    .string({ error: message })
    .regex(/^\d{1,2}$/, { error: message })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: message }).max(max, { error: message }));
}

/** One of the five As: 1 to 5, or "don't know" (stored as null). */
function fiveA(message: string) {
  return z.union([z.literal('dont_know').transform(() => null), scale(1, 5, message)], { error: message });
}

export const fiveAQuestions: Record<FiveA, { label: string; hint: string; missing: string }> = {
  accessible: {
    label: 'Accessible',
    hint: 'Can your patients get there and take part: the building, the route, transport, support for disabilities?',
    missing: 'Select how accessible it is for your patients, or don’t know',
  },
  appropriate: {
    label: 'Appropriate',
    hint: 'Does it suit your patients’ needs, interests, age and culture?',
    missing: 'Select how appropriate it is for your patients, or don’t know',
  },
  adequate: {
    label: 'Adequate',
    hint: 'Is it run well enough, with enough support, for the patients you see?',
    missing: 'Select how adequate it is for your patients, or don’t know',
  },
  affordable: {
    label: 'Affordable',
    hint: 'Can your patients afford it, including travel and anything they need to bring?',
    missing: 'Select how affordable it is for your patients, or don’t know',
  },
  available: {
    label: 'Available',
    hint: 'Is it on when and where your patients could go, with places for them?',
    missing: 'Select how available it is for your patients, or don’t know',
  },
};

export const CONFIDENCE_QUESTION = 'How confident do you feel today about suggesting this kind of activity to a patient?';

export const feedbackForm = z.object({
  confidenceAfter: scale(0, 10, 'Select how confident you feel now, from 0 (not at all) to 10 (completely)'),
  rating: scale(1, 5, 'Select a rating from 1 (poor) to 5 (excellent)'),
  ...(Object.fromEntries(fiveAs.map((a) => [a, fiveA(fiveAQuestions[a].missing)])) as Record<FiveA, ReturnType<typeof fiveA>>),
  intendsToRefer: z.enum(intentions, { error: 'Select whether you now intend to refer patients to this activity' }),
  referringEasier: optionalText(2000, 'What would make referring easier must be 2000 characters or fewer', { multiline: true }),
  comments: optionalText(2000, 'Comments must be 2000 characters or fewer', { multiline: true }),
});

export type FeedbackValues = z.output<typeof feedbackForm>;

export const missedForm = z
  .object({
    reason: z
      .string()
      .optional()
      .transform((value) => (value ? value : null))
      .pipe(z.enum(missedReasons, { error: 'Select what got in the way' }).nullable()),
    details: optionalText(1000, 'What got in the way must be 1000 characters or fewer', { multiline: true }),
  })
  .refine((form) => form.reason !== null || form.details !== null, {
    error: 'Select what got in the way, or tell us in your own words',
    path: ['reason'],
  });

export const missedReasonNames: Record<(typeof missedReasons)[number], string> = {
  work: 'Work got in the way',
  unwell: 'I was unwell',
  travel: 'Travel or transport',
  forgot: 'I forgot',
  other: 'Something else',
};
