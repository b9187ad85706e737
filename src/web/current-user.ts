import type { Role } from '../db/tables/accounts.ts';

/** Who is signed in, as every route sees them. */
export type CurrentUser = {
  id: string;
  email: string;
  name: string;
  role: Role;
  organisationId: string | null;
  practice: string | null;
  pcn: string | null;
};

export const roleNames: Record<Role, string> = {
  provider: 'Provider staff',
  link_worker: 'Link worker',
  coordinator: 'Coordinator',
};
