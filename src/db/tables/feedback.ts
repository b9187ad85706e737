import type { ColumnType, Generated, Selectable } from 'kysely';

export const intentions = ['yes', 'maybe', 'no'] as const;
export type Intention = (typeof intentions)[number];

/** The research's "five As": is the activity right for your patients on each of these? */
export const fiveAs = ['accessible', 'appropriate', 'adequate', 'affordable', 'available'] as const;
export type FiveA = (typeof fiveAs)[number];

export const missedReasons = ['work', 'unwell', 'travel', 'forgot', 'other'] as const;
export type MissedReason = (typeof missedReasons)[number];

export interface FeedbackTable {
  id: Generated<string>;
  bookingId: string;
  confidenceAfter: number;
  rating: number;
  /** 1–5; null is "don't know". */
  accessible: number | null;
  appropriate: number | null;
  adequate: number | null;
  affordable: number | null;
  available: number | null;
  intendsToRefer: Intention;
  referringEasier: string | null;
  comments: string | null;
  submittedAt: ColumnType<Date, Date | undefined, never>;
  updatedAt: ColumnType<Date, Date | undefined, Date>;
}

export interface MissedSessionReasonsTable {
  id: Generated<string>;
  bookingId: string;
  reason: MissedReason | null;
  details: string | null;
  createdAt: ColumnType<Date, Date | undefined, never>;
  updatedAt: ColumnType<Date, Date | undefined, Date>;
}

export type FeedbackRow = Selectable<FeedbackTable>;

export type FeedbackTables = { feedback: FeedbackTable; missedSessionReasons: MissedSessionReasonsTable };
