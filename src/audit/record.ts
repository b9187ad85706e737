import type { Queryable } from '../db/database.ts';
import { type AuditEntry, insertAuditEvent } from './queries.ts';

export type { AuditEntry };

/** Written in the caller's transaction, so an action that rolls back leaves no entry. */
export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await insertAuditEvent(db, entry);
}
