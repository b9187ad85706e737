import type { Queryable } from '../db/database.ts';
import { twoStepSummary } from '../accounts/two-step/queries.ts';

/** What the coordinator's page about a person shows of their two-step sign-in and erasure. */
export async function personSecurityStatus(db: Queryable, personId: string) {
  const [row, twoStep] = await Promise.all([
    db.selectFrom('users').select('erasedAt').where('id', '=', personId).executeTakeFirst(),
    twoStepSummary(db, personId),
  ]);
  return { erasedAt: row?.erasedAt ?? null, twoStep };
}
