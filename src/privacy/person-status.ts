import { twoStepSummary } from '../accounts/two-step/queries.ts';
import type { Queryable } from '../db/database.ts';
import { findErasedAt } from './queries.ts';

/** What the coordinator's page about a person shows of their two-step sign-in and erasure. */
export async function personSecurityStatus(db: Queryable, personId: string) {
  const [erasedAt, twoStep] = await Promise.all([findErasedAt(db, personId), twoStepSummary(db, personId)]);
  return { erasedAt, twoStep };
}
