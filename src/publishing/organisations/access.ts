import type { FastifyRequest } from 'fastify';
import type { Role } from '../../db/tables/accounts.ts';
import { NotFoundError } from '../../lib/errors.ts';

/** Who is acting, as the publishing services see them: enough to check the organisation boundary. */
export type Actor = {
  id: string;
  role: Role;
  organisationId: string | null;
  address?: string | null;
};

export function actorFrom(request: FastifyRequest): Actor {
  const user = request.user!;
  return { id: user.id, role: user.role, organisationId: user.organisationId, address: request.ip };
}

/** Coordinators manage every organisation; provider staff only their own. */
export function manages(actor: Actor, organisationId: string): boolean {
  if (actor.role === 'coordinator') return true;
  return actor.role === 'provider' && actor.organisationId === organisationId;
}

/**
 * Another organisation's row is answered as "not found", not "forbidden": saying it exists would
 * tell provider staff which ids belong to someone else.
 */
export function assertManages(actor: Actor, organisationId: string): void {
  if (!manages(actor, organisationId)) throw new NotFoundError();
}

/** The organisation a new venue or offer belongs to: provider staff always their own, whatever the form says. */
export function organisationForNew(actor: Actor, requested: string | null | undefined): string {
  if (actor.role === 'provider' && actor.organisationId) return actor.organisationId;
  if (actor.role === 'coordinator' && requested) return requested;
  throw new NotFoundError();
}
