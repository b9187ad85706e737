/**
 * The columns this feature adds to taster_sessions (migration 0401). Kept here, beside the feature
 * that writes them; the database type merges them into the publishing table's own columns.
 */
export interface RegisterColumns {
  registerCompletedAt: Date | null;
  registerCompletedBy: string | null;
}

export type AttendanceTables = { tasterSessions: RegisterColumns };
