import { createHash } from 'node:crypto';

/**
 * Our own namespace for name-based UUIDs. It must never change: every id the feed derives
 * (taxonomy, terms, schedules, cost options, addresses, service at location) is computed from
 * it, and directories that read the feed keep those ids.
 */
export const FEED_NAMESPACE = '5a69e1dc-c67d-4277-8277-3311f0da8985';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/** A name-based UUID (RFC 9562): version 5 hashes with SHA-1, version 3 with MD5. */
export function nameBasedUuid(namespace: string, name: string, version: 3 | 5): string {
  const bytes = createHash(version === 5 ? 'sha1' : 'md5')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes.readUInt8(6) & 0x0f) | (version << 4);
  bytes[8] = (bytes.readUInt8(8) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A stable id for something that has no row of its own (a schedule, an address, a term). */
export function derivedId(name: string): string {
  return nameBasedUuid(FEED_NAMESPACE, name, 5);
}

/**
 * The id of an offer at a venue. Version 3 (MD5) rather than 5, because the database must
 * compute the same id to find a pair by it, and PostgreSQL has md5() built in but not SHA-1
 * (see serviceAtLocationIdSql in queries.ts; a test checks the two agree).
 */
export function serviceAtLocationId(offerId: string, venueId: string): string {
  return nameBasedUuid(FEED_NAMESPACE, serviceAtLocationName(offerId, venueId), 3);
}

export function serviceAtLocationName(offerId: string, venueId: string): string {
  return `${offerId.toLowerCase()}/${venueId.toLowerCase()}`;
}
