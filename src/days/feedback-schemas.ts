import { z } from 'zod';
import { feedbackForm, scale } from '../feedback/schemas.ts';

/** Confidence before, asked in the feedback itself: registering for a day asks nothing about it. */
const confidenceBefore = scale(0, 10, 'Select how confident you felt before, from 0 (not at all) to 10 (completely)');

export const DAY_BEFORE_QUESTION = 'Before the day, how confident did you feel about suggesting arts and cultural activities to a patient?';
export const DAY_AFTER_QUESTION = 'How confident do you feel now about suggesting arts and cultural activities to a patient?';
export const TASTER_BEFORE_QUESTION = 'Before this taster, how confident did you feel about suggesting this kind of activity to a patient?';

/** Feedback on the day as a whole: confidence before and after, a rating, and comments. */
export const dayFeedbackForm = z.object({
  confidenceBefore,
  confidenceAfter: feedbackForm.shape.confidenceAfter,
  rating: scale(1, 5, 'Select a rating for the day from 1 (poor) to 5 (excellent)'),
  referringEasier: feedbackForm.shape.referringEasier,
  comments: feedbackForm.shape.comments,
});

export type DayFeedbackValues = z.output<typeof dayFeedbackForm>;

/** Feedback on a taster tried on the day: the questions asked after a session, and confidence before. */
export const tasterFeedbackForm = feedbackForm.extend({ confidenceBefore });

export type TasterFeedbackValues = z.output<typeof tasterFeedbackForm>;
