import { createHmac } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { inTransaction } from '../db/transaction.ts';
import { sameSecret } from '../lib/tokens.ts';
import type { MailContext } from './message-queries.ts';
import { cancelRegistration } from './service.ts';

/**
 * The "I can't come — release my place" link in a day's reminder, as for sessions
 * (src/bookings/release.ts): the registration's id and an HMAC of it under the app's secret, with
 * its own purpose in what is signed, so no other signed link can pass for it. It opens only its
 * own registration and works once.
 */
function signature(secret: string, registrationId: string): string {
  return createHmac('sha256', secret).update(`release-day-place:${registrationId}`).digest('base64url');
}

const tokenPattern = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

export function dayReleasePath(secret: string, registrationId: string): string {
  return `/release-day-place/${registrationId}.${signature(secret, registrationId)}`;
}

/** The registration a release token stands for, or null for anything forged, altered or malformed. */
export function registrationIdFromToken(secret: string, token: string): string | null {
  const [, registrationId, given] = tokenPattern.exec(token) ?? [];
  if (!registrationId || !given) return null;
  return sameSecret(given, signature(secret, registrationId)) ? registrationId : null;
}

/** What the release page shows: the registration, its owner and its day. */
export async function findRegistrationToRelease(db: Db, registrationId: string) {
  return db
    .selectFrom('dayRegistrations as r')
    .innerJoin('tasterDays as d', 'd.id', 'r.tasterDayId')
    .innerJoin('venues as v', 'v.id', 'd.venueId')
    .select(['r.id', 'r.status', 'r.userId', 'r.tasterDayId', 'd.title', 'd.status as dayStatus', 'd.startsAt', 'd.endsAt', 'v.name as venueName', 'v.town'])
    .where('r.id', '=', registrationId)
    .executeTakeFirst();
}

/**
 * Releases the place through the days' own cancel path, acting as its owner: the same lock, audit
 * entry and promotion of the longest-waiting person (who is emailed).
 */
export async function releaseDayPlace(
  db: Db,
  registrationId: string,
  options: MailContext & { address?: string | null },
): Promise<'released' | 'already_released' | 'not_found'> {
  const registration = await findRegistrationToRelease(db, registrationId);
  if (!registration?.userId) return 'not_found';
  if (registration.status === 'cancelled') return 'already_released';
  const userId = registration.userId;
  await inTransaction(db, (tx) => cancelRegistration(tx, { id: userId, address: options.address ?? null }, registration.tasterDayId, options));
  return 'released';
}
