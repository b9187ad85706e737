import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Intention } from './feedback.ts';

/** Feedback on a taster day: the day as a whole (no choice), or one taster a person tried. */
export interface DayFeedbackTable {
  id: Generated<string>;
  registrationId: string;
  dayTasterChoiceId: string | null;
  confidenceBefore: number;
  confidenceAfter: number;
  rating: number;
  /** 1–5; null is "don't know" (and always null on the day's own feedback). */
  accessible: number | null;
  appropriate: number | null;
  adequate: number | null;
  affordable: number | null;
  available: number | null;
  intendsToRefer: Intention | null;
  referringEasier: string | null;
  comments: string | null;
  submittedAt: ColumnType<Date, Date | undefined, never>;
  updatedAt: ColumnType<Date, Date | undefined, Date>;
}

/** A day proposed by provider staff: sent for approval, or returned with a reason. */
export interface DayProposalsTable {
  tasterDayId: string;
  submittedAt: Date | null;
  returnedAt: Date | null;
  returnedBy: string | null;
  returnReason: string | null;
  updatedAt: ColumnType<Date, Date | undefined, Date>;
}

export type DayFeedbackRow = Selectable<DayFeedbackTable>;

export type DayAfterTables = {
  dayFeedback: DayFeedbackTable;
  dayProposals: DayProposalsTable;
};
