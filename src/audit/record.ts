import type { Queryable } from '../db/database.ts';

export type AuditEntry = {
  actorId: string | null;
  action: string;
  subjectType?: string;
  subjectId?: string;
  details?: Record<string, unknown>;
  address?: string | null;
};

/** Written in the caller's transaction, so an action that rolls back leaves no entry. */
export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('auditEvents')
    .values({
      actorId: entry.actorId,
      action: entry.action,
      subjectType: entry.subjectType ?? null,
      subjectId: entry.subjectId ?? null,
      details: JSON.stringify(entry.details ?? {}),
      address: entry.address ?? null,
    })
    .execute();
}
