import type { ColumnType, Generated, Selectable } from 'kysely';

export const organisationKinds = ['gallery', 'library', 'garden', 'museum', 'arts', 'heritage', 'community', 'other'] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

export interface OrganisationsTable {
  id: Generated<string>;
  name: string;
  kind: OrganisationKind;
  description: Generated<string>;
  website: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  publishesOpenData: Generated<boolean>;
  /** The organisation's own websites (https origins) that may show its activities in a frame: see the embed page. */
  embedWebsites: ColumnType<string[], string[] | undefined, string[]>;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, Date | undefined, Date>;
}

export type OrganisationRow = Selectable<OrganisationsTable>;

export type OrganisationTables = {
  organisations: OrganisationsTable;
};
