import { createRequire } from 'node:module';
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { plainText } from '../lib/forms.ts';

// OWASP's argon2id floor: 46 MiB, one pass. Measured here at about 60 ms a hash.
// 2 is Algorithm.Argon2id; the package exports it as a const enum, which type stripping cannot inline.
const argon2Options = { algorithm: 2 as Algorithm, memoryCost: 47_104, timeCost: 1, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

// The list is 49,000 words (about 19 MB once in memory): read at the first password chosen, not at
// every start, since most starts serve sign-ins and pages, never a new password. Synchronous because
// the check runs inside a zod refinement.
const require = createRequire(import.meta.url);
let commonPasswordList: Set<string> | undefined;
function commonPasswords(): Set<string> {
  if (!commonPasswordList) {
    const { dictionary } = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    commonPasswordList = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  }
  return commonPasswordList;
}

export function isCommonPassword(password: string): boolean {
  const common = commonPasswords();
  const lower = password.toLowerCase();
  // "password1234" or "qwertyqwerty": a common word padded or doubled to reach the length.
  const stripped = lower.replace(/[\d\W_]+$/u, '');
  const half = lower.slice(0, lower.length / 2);
  return (
    common.has(lower) ||
    (stripped.length > 0 && common.has(stripped)) ||
    (lower.length % 2 === 0 && half.repeat(2) === lower && common.has(half)) ||
    /^(.)\1+$/u.test(lower)
  );
}

/** New passwords: length only (no composition rules, as NCSC advises), and not a known common one. */
export const newPassword = plainText(z.string({ error: 'Enter a password' }), 'Password', true)
  .min(1, { error: 'Enter a password' })
  .min(MIN_PASSWORD_LENGTH, { error: `Password must be ${MIN_PASSWORD_LENGTH} characters or more` })
  .max(MAX_PASSWORD_LENGTH, { error: `Password must be ${MAX_PASSWORD_LENGTH} characters or fewer` })
  .refine((password) => !isCommonPassword(password), {
    error: 'This password is too common and easy to guess. Choose a different one, such as three random words',
  });

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Options);
}

// Verifying against this when there is no account keeps sign-in timing the same for unknown
// emails. Made as the module loads, not at the first unknown email: that refusal would otherwise
// take a whole hash longer than a wrong password does.
const decoyHash: Promise<string> = hashPassword('decoy password that no account has');

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) {
    await verify(await decoyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
