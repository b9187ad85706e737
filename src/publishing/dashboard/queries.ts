import type { Queryable } from '../../db/database.ts';
import { listOffers } from '../offers/queries.ts';
import { listSessionSummaries } from '../sessions/queries.ts';
import { listVenues } from '../venues/queries.ts';

export const PAST_SESSIONS_SHOWN = 30;

/** Everything on an organisation's dashboard: its sessions (upcoming and recent), offers and venues. */
export async function dashboardData(db: Queryable, organisationId: string, now = new Date()) {
  const [upcoming, past, offers, venues] = await Promise.all([
    listSessionSummaries(db, { organisationId, when: 'upcoming', now }),
    listSessionSummaries(db, { organisationId, when: 'past', now, limit: PAST_SESSIONS_SHOWN }),
    listOffers(db, organisationId),
    listVenues(db, organisationId, { includeArchived: true }),
  ]);
  return { organisationId, upcoming, past, offers, venues, now };
}

export type DashboardData = Awaited<ReturnType<typeof dashboardData>>;
