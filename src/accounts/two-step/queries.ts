import type { Queryable } from '../../db/database.ts';

export async function findCredential(db: Queryable, userId: string) {
  return db.selectFrom('twoStepCredentials').selectAll().where('userId', '=', userId).executeTakeFirst();
}

export async function hasTwoStep(db: Queryable, userId: string): Promise<boolean> {
  return (await db.selectFrom('twoStepCredentials').select('userId').where('userId', '=', userId).executeTakeFirst()) !== undefined;
}

export async function saveCredential(db: Queryable, userId: string, secretEncrypted: string, step: number) {
  await db
    .insertInto('twoStepCredentials')
    .values({ userId, secretEncrypted, lastUsedStep: step })
    .onConflict((oc) => oc.column('userId').doUpdateSet({ secretEncrypted, lastUsedStep: step }))
    .execute();
}

/**
 * Takes a time step for this person: succeeds only if it is later than the last one taken. One
 * conditional UPDATE, so two requests with the same code cannot both succeed.
 */
export async function claimStep(db: Queryable, userId: string, step: number): Promise<boolean> {
  const row = await db
    .updateTable('twoStepCredentials')
    .set({ lastUsedStep: step })
    .where('userId', '=', userId)
    .where((eb) => eb.or([eb('lastUsedStep', 'is', null), eb('lastUsedStep', '<', step)]))
    .returning('userId')
    .executeTakeFirst();
  return row !== undefined;
}

export async function replaceRecoveryCodes(db: Queryable, userId: string, hashes: string[]) {
  await db.deleteFrom('twoStepRecoveryCodes').where('userId', '=', userId).execute();
  await db
    .insertInto('twoStepRecoveryCodes')
    .values(hashes.map((codeHash) => ({ userId, codeHash })))
    .execute();
}

/** Uses a recovery code once: the same conditional-update idea as claimStep. */
export async function useRecoveryCode(db: Queryable, userId: string, codeHash: string): Promise<boolean> {
  const row = await db
    .updateTable('twoStepRecoveryCodes')
    .set({ usedAt: new Date() })
    .where('userId', '=', userId)
    .where('codeHash', '=', codeHash)
    .where('usedAt', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function recoveryCodeWasUsed(db: Queryable, userId: string, codeHash: string): Promise<boolean> {
  const row = await db
    .selectFrom('twoStepRecoveryCodes')
    .select('id')
    .where('userId', '=', userId)
    .where('codeHash', '=', codeHash)
    .where('usedAt', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

export async function twoStepSummary(db: Queryable, userId: string) {
  const credential = await db.selectFrom('twoStepCredentials').select('enabledAt').where('userId', '=', userId).executeTakeFirst();
  if (!credential) return { enabled: false as const };
  const row = await db
    .selectFrom('twoStepRecoveryCodes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('userId', '=', userId)
    .where('usedAt', 'is', null)
    .executeTakeFirstOrThrow();
  return { enabled: true as const, enabledAt: credential.enabledAt, recoveryCodesLeft: Number(row.n) };
}

export async function deleteTwoStep(db: Queryable, userId: string): Promise<boolean> {
  await db.deleteFrom('twoStepRecoveryCodes').where('userId', '=', userId).execute();
  const deleted = await db.deleteFrom('twoStepCredentials').where('userId', '=', userId).returning('userId').executeTakeFirst();
  return deleted !== undefined;
}
