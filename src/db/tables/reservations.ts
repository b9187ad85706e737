import type { ColumnType, Generated, Selectable } from 'kysely';

/**
 * Places of a session kept for link workers of one PCN until release_days before it starts
 * (London calendar). The release is a time computed from the session's start, never a stored
 * flag: see migration 20261204_0501.
 */
export interface SessionReservationsTable {
  id: Generated<string>;
  tasterSessionId: string;
  pcn: string;
  places: number;
  releaseDays: number;
  createdBy: string | null;
  createdAt: ColumnType<Date, never, never>;
}

export type SessionReservationRow = Selectable<SessionReservationsTable>;

export type ReservationTables = { sessionReservations: SessionReservationsTable };
