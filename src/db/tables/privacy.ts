/** Column added by migration 0601 to the accounts' users table. */
export type PrivacyTables = {
  users: {
    /** When the person was erased: the row stays, anonymous, so their bookings still count. */
    erasedAt: Date | null;
  };
};
