import type { ActorInRole } from '../../audit/actor.ts';
import { recordAudit } from '../../audit/record.ts';
import type { Tx } from '../../db/database.ts';
import { DomainError, NotFoundError } from '../../lib/errors.ts';
import { assertManages } from '../organisations/access.ts';
import { findOrganisation } from '../organisations/queries.ts';
import { findUsableVenue } from '../venues/queries.ts';
import * as q from './queries.ts';
import type { OfferInput } from './schemas.ts';

/** An offer the actor may change, locked for the rest of the transaction; anyone else's is "not found". */
export async function offerForChange(tx: Tx, actor: ActorInRole, id: string) {
  const offer = await q.lockOffer(tx, id);
  if (!offer) throw new NotFoundError();
  assertManages(actor, offer.organisationId);
  return offer;
}

// The usual venue must be one of this organisation's own, still in use.
async function checkUsualVenue(tx: Tx, organisationId: string, venueId: string | null) {
  if (!venueId) return;
  if (!(await findUsableVenue(tx, organisationId, venueId))) throw new DomainError('venue_not_found', 'Select one of your venues, or none', 'usualVenueId');
}

export async function createOffer(tx: Tx, actor: ActorInRole, organisationId: string, input: OfferInput): Promise<string> {
  assertManages(actor, organisationId);
  const organisation = await findOrganisation(tx, organisationId);
  if (!organisation) throw new NotFoundError();
  await checkUsualVenue(tx, organisationId, input.usualVenueId);
  const { id } = await q.insertOffer(tx, organisationId, input);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'offer_created',
    subjectType: 'offer',
    subjectId: id,
    details: { organisationId, title: input.title, category: input.category },
    address: actor.address ?? null,
  });
  return id;
}

export async function updateOffer(tx: Tx, actor: ActorInRole, id: string, input: OfferInput): Promise<void> {
  const offer = await offerForChange(tx, actor, id);
  // A venue that was archived after it was chosen may stay; a newly chosen one must be in use.
  if (input.usualVenueId !== offer.usualVenueId) await checkUsualVenue(tx, offer.organisationId, input.usualVenueId);
  await q.updateOffer(tx, id, input);
  await recordAudit(tx, {
    actorId: actor.id,
    action: 'offer_updated',
    subjectType: 'offer',
    subjectId: id,
    details: { organisationId: offer.organisationId, title: input.title },
    address: actor.address ?? null,
  });
}

/**
 * Archiving says the activity no longer runs: it leaves the open-data feed and takes no new
 * taster sessions. Sessions already published stay as they are.
 */
export async function setOfferStatus(tx: Tx, actor: ActorInRole, id: string, status: 'active' | 'archived'): Promise<void> {
  const offer = await offerForChange(tx, actor, id);
  if (offer.status === status) return;
  await q.setOfferStatus(tx, id, status);
  await recordAudit(tx, {
    actorId: actor.id,
    action: status === 'archived' ? 'offer_archived' : 'offer_restored',
    subjectType: 'offer',
    subjectId: id,
    details: { organisationId: offer.organisationId },
    address: actor.address ?? null,
  });
}
