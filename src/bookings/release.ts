import { createHmac } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { sameSecret } from '../lib/tokens.ts';
import { findBookingToRelease } from './queries.ts';
import { cancelBooking } from './service.ts';

// The release page reads the booking through this module too; the statement is in queries.ts.
export { findBookingToRelease };

/**
 * The "I can't come — release my place" link in a reminder works without signing in, so the link
 * itself is the credential: the booking's id and an HMAC of it under the app's secret. It opens only
 * its own booking (changing the id breaks the signature), and works once: the first release cancels
 * the booking, after which the link only says so.
 */
export function releaseToken(secret: string, bookingId: string): string {
  return `${bookingId}.${signature(secret, bookingId)}`;
}

function signature(secret: string, bookingId: string): string {
  return createHmac('sha256', secret).update(`release-place:${bookingId}`).digest('base64url');
}

const tokenPattern = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

/** The booking a release token stands for, or null for anything forged, altered or malformed. */
export function bookingIdFromToken(secret: string, token: string): string | null {
  const [, bookingId, given] = tokenPattern.exec(token) ?? [];
  if (!bookingId || !given) return null;
  return sameSecret(given, signature(secret, bookingId)) ? bookingId : null;
}

export function releasePath(secret: string, bookingId: string): string {
  return `/release-place/${releaseToken(secret, bookingId)}`;
}

export type ReleaseOutcome = 'released' | 'already_released';

/**
 * Releases the place through the booking feature's own cancel path, acting as the booking's
 * owner: the same lock, audit entry, message, and promotion of the longest-waiting person.
 */
export async function releasePlace(
  db: Db,
  bookingId: string,
  options: { baseUrl: string; mailFrom?: string | undefined; address?: string | null },
): Promise<ReleaseOutcome | 'not_found'> {
  const booking = await findBookingToRelease(db, bookingId);
  if (!booking?.userId) return 'not_found';
  if (booking.status === 'cancelled') return 'already_released';
  await cancelBooking(db, { id: booking.userId, address: options.address ?? null }, bookingId, { baseUrl: options.baseUrl, mailFrom: options.mailFrom });
  // A second click racing the first finds the booking cancelled under the session lock and
  // changes nothing; either way the place is released now.
  return 'released';
}
