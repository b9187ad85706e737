import type { AccountTables } from '../accounts/tables.ts';
import type { MessageTables } from '../messages/tables.ts';
import type { OrganisationTables } from '../organisations/tables.ts';

/** The whole database, assembled from each feature's own table types. */
export type Database = AccountTables & MessageTables & OrganisationTables;
