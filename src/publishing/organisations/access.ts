import type { ActorInRole } from '../../audit/actor.ts';
import { NotFoundError } from '../../lib/errors.ts';

/** Coordinators manage every organisation; provider staff only their own. */
export function manages(actor: ActorInRole, organisationId: string): boolean {
  if (actor.role === 'coordinator') return true;
  return actor.role === 'provider' && actor.organisationId === organisationId;
}

/**
 * Another organisation's row is answered as "not found", not "forbidden": saying it exists would
 * tell provider staff which ids belong to someone else.
 */
export function assertManages(actor: ActorInRole, organisationId: string): void {
  if (!manages(actor, organisationId)) throw new NotFoundError();
}

/** The organisation a new venue or offer belongs to: provider staff always their own, whatever the form says. */
export function organisationForNew(actor: ActorInRole, requested: string | null | undefined): string {
  if (actor.role === 'provider' && actor.organisationId) return actor.organisationId;
  if (actor.role === 'coordinator' && requested) return requested;
  throw new NotFoundError();
}
