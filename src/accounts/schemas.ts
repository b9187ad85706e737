import { z } from 'zod';
import { emailAddress, requiredText } from '../lib/forms.ts';
import { MAX_PASSWORD_LENGTH, newPassword } from './passwords.ts';

export const signInForm = z.object({
  email: emailAddress(),
  password: z
    .string({ error: 'Enter your password' })
    .min(1, { error: 'Enter your password' })
    .max(MAX_PASSWORD_LENGTH, { error: 'Enter a correct email address and password' }),
  returnTo: z.string().optional(),
});

const name = requiredText('Enter your full name', 100, 'Full name must be 100 characters or fewer');

const passwords = { password: newPassword, confirmPassword: z.string().optional() };
const passwordsMatch: [(form: { password: string; confirmPassword?: string | undefined }) => boolean, { error: string; path: string[] }] = [
  (form) => form.password === form.confirmPassword,
  { error: 'The passwords do not match. Enter the same password twice', path: ['confirmPassword'] },
];

const practice = requiredText('Enter your GP practice or team', 150, 'GP practice must be 150 characters or fewer');
const pcn = requiredText('Enter your Primary Care Network', 150, 'Primary Care Network must be 150 characters or fewer');
const notAsked = z
  .string()
  .optional()
  .transform(() => null);

export const registerForm = z.object({ name, email: emailAddress('Enter your work email address'), practice, pcn, ...passwords }).refine(...passwordsMatch);

export const acceptInvitationForm = (linkWorker: boolean) =>
  linkWorker
    ? z.object({ name, practice, pcn, ...passwords }).refine(...passwordsMatch)
    : z.object({ name, practice: notAsked, pcn: notAsked, ...passwords }).refine(...passwordsMatch);

/** The password chosen when registering: confirming a registration needs the link and this. */
export const confirmEmailForm = z.object({
  password: z
    .string({ error: 'Enter the password you chose when you registered' })
    .min(1, { error: 'Enter the password you chose when you registered' })
    .max(MAX_PASSWORD_LENGTH, { error: 'Enter the password you chose when you registered' }),
});

export const resetRequestForm = z.object({ email: emailAddress() });

export const newPasswordForm = z.object(passwords).refine(...passwordsMatch);

export const signInLinkForm = z.object({ email: emailAddress() });

export const signInLinkParams = z.object({
  token: z
    .string()
    .min(20)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/),
});

/**
 * Only a path on this site: never "//elsewhere" or an absolute URL. Browsers drop tabs and line
 * breaks from a URL and read "\\" as "/", so "/<tab>/evil.example" would leave the site; dot
 * segments resolve away ("/..//evil.example" is "//evil.example"); and a path that only says
 * "//" or "\\" once decoded ("/%2F%2Fevil.example", "/%5Cevil.example") can become one on a
 * later redirect. Anything like that goes to the home page. What is left is sent back
 * percent-encoded, as a valid Location header.
 */
export function safeReturnTo(value: string | undefined): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
  if (!value || value.length > 2000 || !value.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(value)) return '/';
  const end = value.search(/[?#]/);
  const path = end === -1 ? value : value.slice(0, end);
  let decoded = path;
  try {
    // Decoded until it stops changing, so "%252F" is caught as well as "%2F".
    for (let i = 0; i < 5 && decoded.includes('%'); i++) decoded = decodeURIComponent(decoded);
  } catch {
    return '/';
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
  if (/[\u0000-\u001f\u007f\\]|\/\/|(^|\/)\.\.?(\/|$)/.test(decoded)) return '/';
  const here = 'http://tasters.invalid';
  const url = new URL(value, here);
  if (url.origin !== here || url.pathname.startsWith('//')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

// ---------- signing in with a provider (providers/routes.ts) ----------

/** The few details of a new link worker's account the provider does not give: the rest is theirs. */
export const providerNewAccountForm = z.object({ name, practice, pcn });

/** The existing account's password, to link the provider to it. */
export const providerLinkForm = z.object({
  password: z
    .string({ error: 'Enter the password of your Tasters account' })
    .min(1, { error: 'Enter the password of your Tasters account' })
    .max(MAX_PASSWORD_LENGTH, { error: 'The password is not right. Enter the password of your Tasters account' }),
});

export const providerStartForm = z.object({ returnTo: z.string().max(2000).optional() });
