import type { ColumnType, Generated, Selectable } from 'kysely';

export const roles = ['provider', 'link_worker', 'coordinator'] as const;
export type Role = (typeof roles)[number];
export type AccountStatus = 'unconfirmed' | 'active' | 'disabled';
export type AccountLinkPurpose = 'invitation' | 'email_confirmation' | 'password_reset' | 'sign_in';

type CreatedAt = ColumnType<Date, never, never>;

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  role: Role;
  organisationId: string | null;
  practice: string | null;
  pcn: string | null;
  passwordHash: string | null;
  status: Generated<AccountStatus>;
  createdAt: CreatedAt;
  updatedAt: ColumnType<Date, Date | undefined, Date>;
  lastSignedInAt: Date | null;
}

export interface AccountLinksTable {
  id: Generated<string>;
  purpose: AccountLinkPurpose;
  tokenHash: string;
  email: string;
  userId: string | null;
  role: Role | null;
  organisationId: string | null;
  createdBy: string | null;
  createdAt: CreatedAt;
  expiresAt: Date;
  usedAt: Date | null;
  /** A newer link of the same purpose was sent to the same address: this one no longer works. */
  replacedAt: Date | null;
  /** What an email confirmation link confirms: the registration, kept here until then. */
  name: string | null;
  practice: string | null;
  pcn: string | null;
  passwordHash: string | null;
}

export type AccountRequestKind = 'registration' | 'password_reset' | 'sign_in_link';

/** A registration or password-reset request, waiting for its job (src/accounts/request-worker.ts). */
export interface AccountRequestsTable {
  id: Generated<string>;
  kind: AccountRequestKind;
  email: string;
  name: string | null;
  practice: string | null;
  pcn: string | null;
  passwordHash: string | null;
  /** Where a sign-in link request came from, for the audit trail. */
  address: string | null;
  createdAt: CreatedAt;
  dispatchedAt: Date | null;
}

export interface LoginSessionsTable {
  idHash: string;
  userId: string | null;
  data: ColumnType<Record<string, unknown>, string, string>;
  createdAt: CreatedAt;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
}

export interface SignInAttemptsTable {
  id: Generated<number>;
  email: string;
  address: string;
  succeeded: boolean;
  attemptedAt: ColumnType<Date, Date | undefined, never>;
}

export interface AuditEventsTable {
  id: Generated<number>;
  occurredAt: ColumnType<Date, Date | undefined, never>;
  actorId: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  address: string | null;
}

/** An account's identity at an OpenID Connect provider (src/accounts/providers/). */
export interface SignInIdentitiesTable {
  id: Generated<string>;
  userId: string;
  /** The provider's short name in the settings (SIGN_IN_PROVIDERS). */
  provider: string;
  /** The provider's `sub`: what identifies the person there, whatever their email becomes. */
  subject: string;
  /** The address the provider gave when the identity was linked, shown on Your account. */
  email: string;
  linkedAt: ColumnType<Date, Date | undefined, never>;
  lastUsedAt: Date | null;
}

export type UserRow = Selectable<UsersTable>;

export type AccountTables = {
  users: UsersTable;
  accountLinks: AccountLinksTable;
  accountRequests: AccountRequestsTable;
  loginSessions: LoginSessionsTable;
  signInAttempts: SignInAttemptsTable;
  auditEvents: AuditEventsTable;
  signInIdentities: SignInIdentitiesTable;
};
