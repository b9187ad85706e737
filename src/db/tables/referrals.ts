import type { ColumnType, Generated } from 'kysely';

/** Counts only: how many people a link worker referred to an offer in a month. Never who. */
export interface ReferralReportsTable {
  id: Generated<string>;
  /** Null only after the link worker's account has been erased: the count stays, anonymous. */
  userId: string | null;
  offerId: string;
  /** The first day of the month, 'YYYY-MM-01' (a date column, returned as text). */
  month: string;
  referralCount: number;
  createdAt: ColumnType<Date, Date | undefined, never>;
  updatedAt: ColumnType<Date, Date | undefined, Date>;
}

export type ReferralTables = { referralReports: ReferralReportsTable };
