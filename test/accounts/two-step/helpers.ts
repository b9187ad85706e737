import { Secret, TOTP } from 'otpauth';
import type { Visitor } from '../../helper.ts';

/** The set-up key as the page shows it, without its spaces. */
export function secretFromPage(html: string): string {
  const match = /id="two-step-secret"[^>]*>([A-Z2-7 ]+)</.exec(html);
  if (!match) throw new Error('no set-up key on the page');
  return match[1]!.replace(/ /g, '');
}

/** The code an authenticator app would show, now or `offsetSeconds` from now. */
export function codeFor(secret: string, offsetSeconds = 0): string {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
  return totp.generate({ timestamp: Date.now() + offsetSeconds * 1000 });
}

export function recoveryCodesFromPage(html: string): string[] {
  return [...html.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)].map((m) => m[1]!);
}

/** Sets up two-step sign-in for the signed-in visitor; returns the secret and the recovery codes. */
export async function setUpTwoStep(visitor: Visitor): Promise<{ secret: string; recoveryCodes: string[] }> {
  const page = await visitor.get('/account/two-step/set-up');
  const secret = secretFromPage(page.body);
  const done = await visitor.post('/account/two-step/set-up', { code: codeFor(secret), returnTo: '/' });
  if (done.statusCode !== 200) throw new Error(`set-up failed: ${done.statusCode}`);
  return { secret, recoveryCodes: recoveryCodesFromPage(done.body) };
}
