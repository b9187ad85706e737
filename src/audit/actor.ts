import type { Role } from '../db/tables/accounts.ts';

/**
 * Who does something, as every service takes it: the person, and the address they came from for
 * the audit trail. The web layer builds it from the signed-in user (actorOf in web/request.ts).
 */
export type Actor = { id: string; address?: string | null };

/** A person acting in their role: what the publishing and preference rules check. */
export type ActorInRole = Actor & { role: Role; organisationId: string | null };

/** The service's own scheduled work (retention), which acts for no person. */
export const SYSTEM = { id: null, address: null } as const;
