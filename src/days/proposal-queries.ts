import { sql } from 'kysely';
import type { Queryable, Tx } from '../db/database.ts';
import type { DayInput } from './schemas.ts';

/** A day proposed by provider staff: a draft with their organisation, sent straight for approval. */
export async function insertProposal(tx: Tx, input: DayInput, organisationId: string, createdBy: string): Promise<string> {
  const day = await tx
    .insertInto('tasterDays')
    .values({ ...input, organisationId, createdBy, status: 'draft' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.insertInto('dayProposals').values({ tasterDayId: day.id, submittedAt: sql<Date>`now()` }).execute();
  return day.id;
}

const proposalColumns = [
  'd.id',
  'd.title',
  'd.description',
  'd.status',
  'd.startsAt',
  'd.endsAt',
  'd.bookingClosesAt',
  'd.linkWorkerPlaces',
  'd.culturalPlaces',
  'd.venueId',
  'd.organisationId',
  'd.approvedAt',
  'v.name as venueName',
  'org.name as organisationName',
  'u.name as proposedBy',
  'p.submittedAt',
  'p.returnedAt',
  'p.returnReason',
] as const;

function proposals(db: Queryable) {
  return db
    .selectFrom('tasterDays as d')
    .innerJoin('dayProposals as p', 'p.tasterDayId', 'd.id')
    .innerJoin('venues as v', 'v.id', 'd.venueId')
    .innerJoin('organisations as org', 'org.id', 'd.organisationId')
    .leftJoin('users as u', 'u.id', 'd.createdBy')
    .select(proposalColumns);
}

export async function findProposal(db: Queryable, dayId: string) {
  return proposals(db).where('d.id', '=', dayId).executeTakeFirst();
}

export type Proposal = NonNullable<Awaited<ReturnType<typeof findProposal>>>;

/** An organisation's proposals (provider staff), or every proposal (coordinators), soonest first. */
export async function listProposals(db: Queryable, organisationId: string | null) {
  return proposals(db)
    .$call((qb) => (organisationId === null ? qb : qb.where('d.organisationId', '=', organisationId)))
    .orderBy('d.startsAt')
    .orderBy('d.id')
    .execute();
}

/** The proposal's rows, locked, so a return and a resubmission (or a publish) take turns. */
export async function lockProposal(tx: Tx, dayId: string) {
  return tx
    .selectFrom('tasterDays as d')
    .innerJoin('dayProposals as p', 'p.tasterDayId', 'd.id')
    .select(['d.id', 'd.status', 'd.organisationId', 'p.submittedAt'])
    .where('d.id', '=', dayId)
    .forUpdate()
    .executeTakeFirst();
}

export async function markReturned(tx: Tx, dayId: string, by: string, reason: string): Promise<void> {
  await tx
    .updateTable('dayProposals')
    .set({ submittedAt: null, returnedAt: sql<Date>`now()`, returnedBy: by, returnReason: reason, updatedAt: sql<Date>`now()` })
    .where('tasterDayId', '=', dayId)
    .execute();
}

/** The proposer's changed details, sent for approval again (the reason it came back stays, for reference). */
export async function resubmit(tx: Tx, dayId: string, input: DayInput): Promise<void> {
  await tx
    .updateTable('tasterDays')
    .set({ ...input, updatedAt: sql<Date>`now()` })
    .where('id', '=', dayId)
    .execute();
  await tx.updateTable('dayProposals').set({ submittedAt: sql<Date>`now()`, updatedAt: sql<Date>`now()` }).where('tasterDayId', '=', dayId).execute();
}

/** The organisation's own venues still in use: a proposal is for a day at one of them. */
export async function ownVenues(db: Queryable, organisationId: string) {
  return db
    .selectFrom('venues')
    .select(['id', 'name', 'town'])
    .where('organisationId', '=', organisationId)
    .where('archivedAt', 'is', null)
    .orderBy('name')
    .execute();
}

/** The proposal behind a day, if it was proposed: whether it is waiting or returned to its proposer. */
export async function proposalOf(db: Queryable, dayId: string) {
  return db.selectFrom('dayProposals').select(['submittedAt', 'returnedAt']).where('tasterDayId', '=', dayId).executeTakeFirst();
}
