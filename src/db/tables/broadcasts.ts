import type { ColumnType, Generated } from 'kysely';

/** Who a provider's message on a session goes to: everyone with a place, or everyone waiting. */
export type BroadcastAudience = 'booked' | 'waiting';

/** A message a provider sent to the people of a taster session (migration 20261204_0401). */
export interface SessionBroadcastsTable {
  id: Generated<string>;
  tasterSessionId: string;
  audience: BroadcastAudience;
  body: string;
  /** How many people it was queued for. */
  recipients: number;
  sentBy: string | null;
  sentAt: ColumnType<Date, Date | undefined, never>;
}

export type BroadcastTables = { sessionBroadcasts: SessionBroadcastsTable };
