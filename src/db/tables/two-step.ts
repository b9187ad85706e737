import type { ColumnType, Generated } from 'kysely';

export interface TwoStepCredentialsTable {
  userId: string;
  /** AES-256-GCM ciphertext of the base32 secret (see crypto.ts); never the secret itself. */
  secretEncrypted: string;
  /** The last 30-second time step whose code was accepted: codes of that step or earlier are refused. */
  lastUsedStep: number | null;
  enabledAt: ColumnType<Date, Date | undefined, never>;
}

export interface TwoStepRecoveryCodesTable {
  id: Generated<string>;
  userId: string;
  /** HMAC-SHA256 of the code under a key derived from SESSION_SECRET. */
  codeHash: string;
  usedAt: Date | null;
  createdAt: ColumnType<Date, Date | undefined, never>;
}

/**
 * What was tried: a password, or a second-step code after the password, after an emailed sign-in
 * link, after signing in with a provider, or while signed in (each path has its own counts; see accounts/throttle.ts).
 */
export type SignInAttemptKind = 'password' | 'two_step' | 'link_two_step' | 'signed_in_two_step' | 'provider_two_step';

export type TwoStepTables = {
  twoStepCredentials: TwoStepCredentialsTable;
  twoStepRecoveryCodes: TwoStepRecoveryCodesTable;
  /** Column added by migration 0601 to the accounts' table (kinds widened by 0802). */
  signInAttempts: { kind: ColumnType<SignInAttemptKind, SignInAttemptKind | undefined, never> };
};
