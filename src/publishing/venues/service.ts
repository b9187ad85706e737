import type { ActorInRole } from '../../audit/actor.ts';
import { recordAudit } from '../../audit/record.ts';
import type { Tx } from '../../db/database.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { assertManages } from '../organisations/access.ts';
import { findOrganisation } from '../organisations/queries.ts';
import * as q from './queries.ts';
import type { VenueInput } from './schemas.ts';

/** A venue the actor may change, locked for the rest of the transaction; anyone else's is "not found". */
export async function venueForChange(tx: Tx, actor: ActorInRole, id: string) {
  const venue = await q.lockVenue(tx, id);
  if (!venue) throw new NotFoundError();
  assertManages(actor, venue.organisationId);
  return venue;
}

export async function createVenue(tx: Tx, actor: ActorInRole, organisationId: string, input: VenueInput): Promise<string> {
  assertManages(actor, organisationId);
  const organisation = await findOrganisation(tx, organisationId);
  if (!organisation) throw new NotFoundError();
  const { id } = await q.insertVenue(tx, organisationId, input);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'venue_created',
    subjectType: 'venue',
    subjectId: id,
    details: { organisationId, name: input.name, postcode: input.postcode },
    address: actor.address ?? null,
  });
  return id;
}

export async function updateVenue(tx: Tx, actor: ActorInRole, id: string, input: VenueInput): Promise<void> {
  const venue = await venueForChange(tx, actor, id);
  await q.updateVenue(tx, id, input);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'venue_updated',
    subjectType: 'venue',
    subjectId: id,
    details: { organisationId: venue.organisationId, name: input.name },
    address: actor.address ?? null,
  });
}

/** An archived venue leaves the lists for new sessions; sessions already there keep it. */
export async function setVenueArchived(tx: Tx, actor: ActorInRole, id: string, archived: boolean): Promise<void> {
  const venue = await venueForChange(tx, actor, id);
  if ((venue.archivedAt !== null) === archived) return;
  await q.setVenueArchived(tx, id, archived);
  await recordAudit(tx, {
    actorId: actor.id,
    action: archived ? 'venue_archived' : 'venue_restored',
    subjectType: 'venue',
    subjectId: id,
    details: { organisationId: venue.organisationId },
    address: actor.address ?? null,
  });
}
