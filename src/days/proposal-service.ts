import type { ActorInRole } from '../audit/actor.ts';
import { recordAudit } from '../audit/record.ts';
import type { Tx } from '../db/database.ts';
import { DomainError, NotFoundError } from '../lib/errors.ts';
import * as q from './proposal-queries.ts';
import type { DayInput } from './schemas.ts';

/**
 * Provider staff propose a taster day for their organisation (issue 15, item 1). It is a draft,
 * invisible and closed to registration like any draft, until a coordinator approves and publishes
 * it (publishing records approved_by/approved_at), or returns it with a reason its proposer sees,
 * who may change it and send it again.
 */
export type ProposalState = 'waiting' | 'returned' | 'published' | 'cancelled';

export function proposalState(p: { status: string; submittedAt: Date | null; returnedAt: Date | null }): ProposalState {
  if (p.status === 'published') return 'published';
  if (p.status === 'cancelled') return 'cancelled';
  return p.submittedAt === null && p.returnedAt !== null ? 'returned' : 'waiting';
}

export async function proposeDay(tx: Tx, actor: ActorInRole, input: DayInput): Promise<string> {
  if (actor.role !== 'provider' || !actor.organisationId) throw new NotFoundError();
  const venue = await tx.selectFrom('venues').select('organisationId').where('id', '=', input.venueId).where('archivedAt', 'is', null).executeTakeFirst();
  if (venue?.organisationId !== actor.organisationId) throw new DomainError('venue_not_found', 'Select one of your organisation’s venues', 'venueId');
  const id = await q.insertProposal(tx, input, actor.organisationId, actor.id);
  await recordAudit(tx, { actorId: actor.id, action: 'day_proposed', subjectType: 'taster_day', subjectId: id, address: actor.address ?? null });
  return id;
}

/** A coordinator sends a proposal back, with the reason. Only one waiting for approval. */
export async function returnProposal(tx: Tx, actor: ActorInRole, dayId: string, reason: string): Promise<void> {
  const proposal = await q.lockProposal(tx, dayId);
  if (!proposal) throw new NotFoundError();
  if (proposal.status !== 'draft') throw new DomainError('already_published', 'This day has already been published, so it cannot be returned', 'reason');
  if (proposal.submittedAt === null) throw new DomainError('not_draft', 'This proposal has already been returned', 'reason');
  await q.markReturned(tx, dayId, actor.id, reason);
  await recordAudit(tx, { actorId: actor.id, action: 'day_proposal_returned', subjectType: 'taster_day', subjectId: dayId, address: actor.address ?? null });
}

/** The proposer changes a returned proposal and sends it again. */
export async function resubmitProposal(tx: Tx, actor: ActorInRole, dayId: string, input: DayInput): Promise<void> {
  const proposal = await q.lockProposal(tx, dayId);
  if (!proposal || actor.role !== 'provider' || proposal.organisationId !== actor.organisationId) throw new NotFoundError();
  if (proposal.status !== 'draft' || proposal.submittedAt !== null) {
    throw new DomainError('not_draft', 'Only a proposal returned to you can be changed and sent again', 'title');
  }
  const venue = await tx.selectFrom('venues').select('organisationId').where('id', '=', input.venueId).where('archivedAt', 'is', null).executeTakeFirst();
  if (venue?.organisationId !== actor.organisationId) throw new DomainError('venue_not_found', 'Select one of your organisation’s venues', 'venueId');
  await q.resubmit(tx, dayId, input);
  await recordAudit(tx, { actorId: actor.id, action: 'day_proposal_resubmitted', subjectType: 'taster_day', subjectId: dayId, address: actor.address ?? null });
}
