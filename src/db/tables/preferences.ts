import type { ColumnType } from 'kysely';

/** Optional messages a person can turn off. No row means everything is on. */
export interface MessagePreferencesTable {
  userId: string;
  reminders: ColumnType<boolean, boolean | undefined, boolean>;
  feedbackRequests: ColumnType<boolean, boolean | undefined, boolean>;
  referralPrompts: ColumnType<boolean, boolean | undefined, boolean>;
  digests: ColumnType<boolean, boolean | undefined, boolean>;
  updatedAt: ColumnType<Date, Date | undefined, Date>;
}

export type PreferenceTables = { messagePreferences: MessagePreferencesTable };
