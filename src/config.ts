import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { type Role, roles } from './db/tables/accounts.ts';

const emailDomain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'must be a domain such as nhs.net');

// Messages finish the sentence "Configuration error: NAME …", so an operator reads what to fix.
const wholeNumber = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });

const environmentSchema = z.object({
  NODE_ENV: oneOf(['development', 'production', 'test']).default('development'),
  PORT: wholeNumber(0, 65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
    .optional(),
  DATABASE_DIRECT_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string straight to PostgreSQL, not through PgBouncer')
    .optional(),
  DATABASE_POOL_SIZE: wholeNumber(1, 100).default(10),
  DATA_DIR: z.string().default('./data'),
  BASE_URL: z.url({ protocol: /^https?$/, error: 'must be a web address such as https://tasters.example.org' }).optional(),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SELF_REGISTRATION_DOMAINS: z
    .string()
    .default('nhs.net')
    .transform((value) =>
      value
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean),
    )
    .pipe(z.array(emailDomain)),
  SESSION_IDLE_MINUTES: wholeNumber(1, 24 * 60).default(30),
  SESSION_ABSOLUTE_HOURS: wholeNumber(1, 7 * 24).default(12),
  DEMO_DATA: oneOf(['true', 'false']).optional(),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|((loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/[0-9]{1,3})?)(\s*,\s*|$))+)$/,
      'must be true, false, or the addresses of the proxies in front of the app, such as 10.0.0.0/8 or uniquelocal',
    )
    .optional(),
  SHUTDOWN_DRAIN_SECONDS: wholeNumber(0, 5).default(1),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TWO_STEP_REQUIRED_ROLES: z
    .string()
    .default('coordinator')
    .transform((value) =>
      value
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.enum(roles, { error: `must be a comma-separated list of ${roles.join(', ')}` }))
        .refine((list) => list.includes('coordinator'), { error: 'must include coordinator' }),
    ),
  RETENTION_FEEDBACK_COMMENTS_MONTHS: wholeNumber(1, 120).default(24),
  RETENTION_AUDIT_MONTHS: wholeNumber(1, 120).default(24),
  RETENTION_INACTIVE_ACCOUNT_MONTHS: wholeNumber(1, 120).default(24),
  RETENTION_SIGN_IN_ATTEMPTS_DAYS: wholeNumber(1, 3650).default(90),
  MINIMUM_CHECK_HOURS: wholeNumber(1, 720).default(72),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/\s]+/, 'must be an smtp:// or smtps:// address such as smtp://user:password@mail.example.org:587')
    .optional(),
  MAIL_FROM: z
    .string()
    .trim()
    .regex(/^([^<>@\r\n]*<[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+)$/, 'must be an address such as Tasters <tasters@example.org>')
    .optional(),
  SIGN_IN_PROVIDERS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((id) => id.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z][a-z0-9]{0,19}$/, 'must be a comma-separated list of short names such as nhsmail,cis2 (letters and digits)'))),
  SIGN_IN_PROVIDERS_ALLOW_HTTP: oneOf(['true', 'false']).default('false'),
});

/**
 * One OpenID Connect provider people may sign in with (NHSmail through Microsoft Entra ID, NHS
 * CIS2), from SIGN_IN_<ID>_* settings. See src/accounts/providers/ and README "Sign in with NHSmail or CIS2".
 */
export type SignInProvider = {
  /** Short name in the provider's addresses (/sign-in/with/<id>) and settings. */
  id: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The button's words, such as "Sign in with NHSmail". */
  label: string;
  /** What people call it, such as "NHSmail", in messages and on Your account (SIGN_IN_<ID>_NAME, or the label without "Sign in with"). */
  name: string;
  /** Whose people may come in this way at all (an address from another domain is refused). */
  emailDomains: string[];
  /** `amr` values (such as mfa) that show the person passed the provider's multi-factor sign-in. */
  twoStepAmr: string[];
  /** `acr` values (such as CIS2's AAL3_ANY) that show the same. */
  twoStepAcr: string[];
  scopes: string;
  /** The claim that must be true for the address to count as verified: email_verified, or Entra ID's xms_edov. */
  emailVerifiedClaim: string;
};

const providerSchema = (id: string) => {
  const name = (setting: string) => `SIGN_IN_${id.toUpperCase()}_${setting}`;
  const list = z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    );
  return z.object({
    [name('ISSUER')]: z.url({ protocol: /^https?$/, error: 'must be the provider’s issuer address, such as https://login.microsoftonline.com/<tenant>/v2.0' }),
    [name('CLIENT_ID')]: z.string({ error: 'is required (the application id the provider gave you)' }).min(1),
    [name('CLIENT_SECRET')]: z.string({ error: 'is required (the client secret the provider gave you)' }).min(1),
    [name('LABEL')]: z.string({ error: 'is required (the words on the button, such as Sign in with NHSmail)' }).min(1).max(60, 'must be at most 60 characters'),
    [name('NAME')]: z.string().max(40, 'must be at most 40 characters').optional(),
    [name('EMAIL_DOMAINS')]: list.pipe(z.array(emailDomain).min(1, 'must list at least one email domain, such as nhs.net')),
    [name('TWO_STEP_AMR')]: list,
    [name('TWO_STEP_ACR')]: list,
    [name('EMAIL_VERIFIED_CLAIM')]: z
      .string()
      .regex(/^[a-z_]{1,40}$/, 'must be the name of a claim, such as email_verified or xms_edov')
      .default('email_verified'),
    [name('SCOPES')]: z
      .string()
      .default('openid email profile')
      .refine((s) => s.split(' ').includes('openid'), 'must include openid'),
  });
};

function signInProviders(environment: Record<string, string>, ids: string[], env: Config['env'], allowHttp: boolean): SignInProvider[] {
  return ids.map((id) => {
    const parsed = providerSchema(id).safeParse(environment);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(`Configuration error: ${String(issue?.path[0] ?? `SIGN_IN_${id.toUpperCase()}`)} ${issue?.message ?? 'is not valid'}`);
    }
    const setting = (key: string) => parsed.data[`SIGN_IN_${id.toUpperCase()}_${key}`];
    const text = (key: string) => setting(key) as string;
    const list = (key: string) => setting(key) as string[];
    const [issuer, clientId, clientSecret, label, scopes] = ['ISSUER', 'CLIENT_ID', 'CLIENT_SECRET', 'LABEL', 'SCOPES'].map(text) as [
      string,
      string,
      string,
      string,
      string,
    ];
    const [emailDomains, twoStepAmr, twoStepAcr] = ['EMAIL_DOMAINS', 'TWO_STEP_AMR', 'TWO_STEP_ACR'].map(list) as [string[], string[], string[]];
    // Plain http only where someone asked for it outside production (the tests' own provider):
    // the client library refuses it too unless told (src/accounts/providers/client.ts).
    if (!issuer.startsWith('https://') && (env === 'production' || !allowHttp)) {
      throw new ConfigError(`Configuration error: SIGN_IN_${id.toUpperCase()}_ISSUER must use https://`);
    }
    const shortName = (setting('NAME') as string | undefined) ?? label.replace(/^sign in with\s+/i, '');
    const emailVerifiedClaim = setting('EMAIL_VERIFIED_CLAIM') as string;
    return { id, issuer, clientId, clientSecret, label, name: shortName, emailDomains, twoStepAmr, twoStepAcr, scopes, emailVerifiedClaim };
  });
}

/** How long personal data is kept: applied daily by src/privacy/retention.ts, stated in the privacy notice. */
export type RetentionPolicy = {
  /** Free-text feedback (comments, what would make referring easier, what got in the way). */
  feedbackCommentsMonths: number;
  auditMonths: number;
  /** Accounts not signed in to for this long are erased (their bookings stay as anonymous counts). */
  inactiveAccountMonths: number;
  signInAttemptsDays: number;
};

export type Config = {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /**
   * PostgreSQL itself, when databaseUrl goes through a transaction pooler (PgBouncer in
   * transaction mode). Migrations run on it: their lock belongs to a database session, which a
   * transaction pooler does not keep. Set, it also tells the app that databaseUrl is such a pooler.
   */
  databaseDirectUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  baseUrl: string;
  sessionSecret: string;
  selfRegistrationDomains: string[];
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  demoData: boolean;
  logLevel: string;
  /**
   * After SIGTERM, how long new requests are answered 503 (so the load balancer moves traffic
   * away) before the listener closes. Bounded so the whole shutdown fits in 10 seconds.
   */
  shutdownDrainSeconds: number;
  /**
   * Behind a load balancer, the client's address and protocol come from X-Forwarded-For and
   * X-Forwarded-Proto, from proxies at these addresses (a comma-separated list, or true for any).
   */
  trustProxy: boolean | string;
  /** Roles that must use two-step sign-in (always coordinators). */
  twoStepRequiredRoles: Role[];
  retention: RetentionPolicy;
  /** How many hours before a session with a minimum number of bookings its staff are told if it is short (src/minimum). */
  minimumCheckHours: number;
  /** Where email goes. Without it (development, the demo) messages stay in the development mailbox. */
  smtpUrl: string | undefined;
  /** The sender of every email, such as "Tasters <tasters@example.org>". */
  mailFrom: string;
  /** OpenID Connect providers people may sign in with beside passwords; none: no button, no routes. */
  signInProviders: SignInProvider[];
  /** Lets the client talk to a provider over plain http: only for the tests' own provider, never in production. */
  signInProvidersAllowHttp: boolean;
};

export class ConfigError extends Error {}

/** Reads the environment once, at start; a bad value stops the process with one line naming it. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const emptyAsMissing = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(emptyAsMissing);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`Configuration error: ${name} ${issue?.message ?? 'is not valid'}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production') {
    if (!e.SESSION_SECRET) throw new ConfigError('Configuration error: SESSION_SECRET is required in production');
    if (!e.BASE_URL) throw new ConfigError('Configuration error: BASE_URL is required in production');
    if (!e.BASE_URL.startsWith('https://')) {
      throw new ConfigError('Configuration error: BASE_URL must use https:// in production');
    }
    // Without it, invitations, confirmations and booking emails would never leave the building.
    if (!e.SMTP_URL) throw new ConfigError('Configuration error: SMTP_URL is required in production');
  }
  if (e.DATABASE_DIRECT_URL && !e.DATABASE_URL) {
    throw new ConfigError('Configuration error: DATABASE_DIRECT_URL needs DATABASE_URL too (the address through PgBouncer that the app uses)');
  }
  if (e.SIGN_IN_PROVIDERS_ALLOW_HTTP === 'true' && e.NODE_ENV === 'production') {
    throw new ConfigError('Configuration error: SIGN_IN_PROVIDERS_ALLOW_HTTP cannot be true in production');
  }
  const allowHttp = e.SIGN_IN_PROVIDERS_ALLOW_HTTP === 'true';
  const providers = signInProviders(emptyAsMissing as Record<string, string>, [...new Set(e.SIGN_IN_PROVIDERS)], e.NODE_ENV, allowHttp);
  const dataDir = resolve(e.DATA_DIR);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databaseDirectUrl: e.DATABASE_DIRECT_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir,
    baseUrl: (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    sessionSecret: e.SESSION_SECRET ?? keptSecret(dataDir),
    selfRegistrationDomains: e.SELF_REGISTRATION_DOMAINS,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: e.SESSION_ABSOLUTE_HOURS,
    demoData: e.DEMO_DATA ? e.DEMO_DATA === 'true' : e.NODE_ENV === 'development',
    logLevel: e.LOG_LEVEL,
    shutdownDrainSeconds: e.SHUTDOWN_DRAIN_SECONDS,
    trustProxy: trustProxy(e.TRUST_PROXY, e.NODE_ENV),
    twoStepRequiredRoles: [...new Set(e.TWO_STEP_REQUIRED_ROLES)],
    retention: {
      feedbackCommentsMonths: e.RETENTION_FEEDBACK_COMMENTS_MONTHS,
      auditMonths: e.RETENTION_AUDIT_MONTHS,
      inactiveAccountMonths: e.RETENTION_INACTIVE_ACCOUNT_MONTHS,
      signInAttemptsDays: e.RETENTION_SIGN_IN_ATTEMPTS_DAYS,
    },
    minimumCheckHours: e.MINIMUM_CHECK_HOURS,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? defaultSender(e.BASE_URL ?? 'http://localhost'),
    signInProviders: providers,
    signInProvidersAllowHttp: allowHttp,
  };
}

function defaultSender(baseUrl: string): string {
  return `Tasters <no-reply@${new URL(baseUrl).hostname}>`;
}

// In production the app speaks plain HTTP behind the proxy that ends TLS, so by default it trusts
// proxies on private and loopback addresses: without that the Secure session cookie is never set
// (every request looks like http) and all visitors share the proxy's address for the sign-in
// limits. Not "true": trusting every hop would let a client choose its address in X-Forwarded-For.
export const DEFAULT_PRODUCTION_PROXIES = 'loopback, linklocal, uniquelocal';

function trustProxy(value: string | undefined, env: Config['env']): boolean | string {
  if (value === undefined) return env === 'production' ? DEFAULT_PRODUCTION_PROXIES : false;
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

// Outside production a secret is generated on first start and kept, so sign-ins survive restarts.
function keptSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** A complete config for tests, without touching the environment. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    env: 'test',
    port: 0,
    host: '127.0.0.1',
    databaseUrl: undefined,
    databaseDirectUrl: undefined,
    databasePoolSize: 5,
    dataDir: './data-test',
    baseUrl: 'http://localhost:3000',
    sessionSecret: 'test-secret-that-is-long-enough-for-signing-cookies',
    selfRegistrationDomains: ['nhs.net'],
    sessionIdleMinutes: 30,
    sessionAbsoluteHours: 12,
    demoData: false,
    logLevel: 'silent',
    shutdownDrainSeconds: 1,
    trustProxy: false,
    // Off in the shared test config so other features' tests can sign coordinators in with a
    // password alone; the two-step tests turn it on (test/accounts/two-step/, test/browser/security.test.ts).
    twoStepRequiredRoles: [],
    retention: { feedbackCommentsMonths: 24, auditMonths: 24, inactiveAccountMonths: 24, signInAttemptsDays: 90 },
    minimumCheckHours: 72,
    smtpUrl: undefined,
    mailFrom: 'Tasters <no-reply@localhost>',
    signInProviders: [],
    signInProvidersAllowHttp: false,
    ...overrides,
  };
}
