import type { ColumnType } from 'kysely';

export interface CalendarFeedsTable {
  userId: string;
  /** sha256 of the secret in the feed's address; the secret itself is never stored. */
  tokenHash: string;
  createdAt: ColumnType<Date, Date | undefined, Date>;
  lastFetchedAt: Date | null;
}

export type CalendarTables = { calendarFeeds: CalendarFeedsTable };
