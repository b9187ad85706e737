import type { ActorInRole } from '../../audit/actor.ts';
import { recordAudit } from '../../audit/record.ts';
import type { Tx } from '../../db/database.ts';
import { DomainError, NotFoundError } from '../../lib/errors.ts';
import { assertManages } from './access.ts';
import * as q from './queries.ts';
import type { OrganisationInput } from './schemas.ts';

const nameTaken = () => new DomainError('organisation_name_taken', 'There is already an organisation with this name. Enter a different name', 'name');

/** Only coordinators add organisations: provider staff are invited into one. */
export async function createOrganisation(tx: Tx, actor: ActorInRole, input: OrganisationInput): Promise<string> {
  if (actor.role !== 'coordinator') throw new NotFoundError();
  if (await q.organisationNameTaken(tx, input.name)) throw nameTaken();
  const { id } = await q.insertOrganisation(tx, input);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'organisation_created',
    subjectType: 'organisation',
    subjectId: id,
    details: { name: input.name, kind: input.kind },
    address: actor.address ?? null,
  });
  return id;
}

export async function updateOrganisation(tx: Tx, actor: ActorInRole, id: string, input: OrganisationInput): Promise<void> {
  assertManages(actor, id);
  const existing = await q.lockOrganisation(tx, id);
  if (!existing) throw new NotFoundError();
  if (await q.organisationNameTaken(tx, input.name, id)) throw nameTaken();
  await q.updateOrganisation(tx, id, input);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'organisation_updated',
    subjectType: 'organisation',
    subjectId: id,
    details: { name: input.name },
    address: actor.address ?? null,
  });
}

/** Two people saving the same new name at once: the unique index decides, and it reads as a field message. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

export { nameTaken };
