import { randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

export const PERIOD_SECONDS = 30;
/** One step either side of now: a phone clock up to 30 seconds out still works. */
export const WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secret: string, label: string): TOTP {
  return new TOTP({ issuer: 'Tasters', label, algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secret) });
}

/** The otpauth:// address an authenticator app reads from the QR code. */
export function provisioningUri(secret: string, label: string): string {
  return totp(secret, label).toString();
}

/** The secret in groups of four, easier to type into an app by hand. */
export function groupedSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/**
 * The time step a code belongs to, or null if it matches none within the window. The caller
 * refuses a step that is not later than the last one used, so each code works once.
 */
export function matchingStep(secret: string, code: string, now: Date): number | null {
  const delta = totp(secret, '').validate({ token: code, timestamp: now.getTime(), window: WINDOW });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
}

// No 0/o, 1/l/i: codes are read off paper and typed by hand.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** "abcde-fghjk": ten characters from a 31-letter alphabet (about 50 bits). */
export function newRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < 10; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** What a person typed, as stored: spaces and dashes dropped, lower case. */
export function normaliseCode(input: string): string {
  return input.replace(/[\s-]+/g, '').toLowerCase();
}

export function looksLikeTotp(normalised: string): boolean {
  return /^\d{6}$/.test(normalised);
}

export function formatRecoveryCode(normalised: string): string {
  return `${normalised.slice(0, 5)}-${normalised.slice(5)}`;
}
