import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

// Keys for two-step secrets come from SESSION_SECRET, so there is no second secret to manage. The
// price: changing SESSION_SECRET makes every stored second step unreadable, and people then need a
// coordinator to reset theirs (the README says so).
function derivedKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'tasters', purpose, 32));
}

const VERSION = 'v1';

/** AES-256-GCM: "v1.<iv>.<tag>.<ciphertext>", base64url. The tag makes a tampered value fail to open. */
export function encryptSecret(sessionSecret: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derivedKey(sessionSecret, 'two-step-secret-v1'), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), body].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

export function decryptSecret(sessionSecret: string, stored: string): string {
  const [version, iv, tag, body] = stored.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('unreadable two-step secret');
  const decipher = createDecipheriv('aes-256-gcm', derivedKey(sessionSecret, 'two-step-secret-v1'), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/**
 * Recovery codes carry 50 random bits each, so a keyed fast hash is enough (a slow password hash
 * protects guessable secrets); the key keeps a stolen table from being checked offline.
 */
export function hashRecoveryCode(sessionSecret: string, userId: string, code: string): string {
  return createHmac('sha256', derivedKey(sessionSecret, 'two-step-recovery-v1')).update(`${userId}:${code}`).digest('hex');
}
