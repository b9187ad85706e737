import { z } from 'zod';
import type { CurrentUser } from '../../web/current-user.ts';

/** Where an organisation's sessions, offers and venues are listed, for the person looking. */
export function dashboardHref(user: CurrentUser, organisationId: string): string {
  return user.role === 'coordinator' ? `/organisations/${organisationId}` : '/provider';
}

/** The organisation a coordinator chose (from the query or a hidden field); anything else is no choice. */
export function requestedOrganisation(source: unknown): string | null {
  const value = (source as Record<string, unknown> | undefined)?.organisationId;
  return typeof value === 'string' && z.uuid().safeParse(value).success ? value : null;
}

/** Success messages after a change, shown where the dashboard lands. */
export const dashboardMessages: Record<string, string> = {
  created: 'Organisation added. Now invite its staff.',
  saved: 'Organisation details saved.',
  venue: 'Venue saved.',
  'venue-archive': 'Venue archived. It is no longer offered for new sessions.',
  'venue-restore': 'Venue restored.',
  deleted: 'Draft session deleted.',
};
