import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ConfigError, DEFAULT_PRODUCTION_PROXIES, loadConfig } from '../src/config.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tasters-config-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

const SECRET = 'a-secret-that-is-long-enough-for-production-use';
const production = {
  NODE_ENV: 'production',
  BASE_URL: 'https://tasters.example',
  SESSION_SECRET: SECRET,
  DATA_DIR: dataDir,
  SMTP_URL: 'smtp://mail.tasters.example:587',
};

/** Loads a config and returns the error it stops with. */
function refusal(environment: Record<string, string>): ConfigError {
  try {
    loadConfig({ DATA_DIR: dataDir, ...environment });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`no error for ${JSON.stringify(environment)}`);
}

t.test('with nothing set, the defaults run the embedded database on a laptop', async (t) => {
  const config = loadConfig({ DATA_DIR: dataDir });
  t.equal(config.env, 'development');
  t.equal(config.port, 3000);
  t.equal(config.host, '127.0.0.1');
  t.equal(config.databaseUrl, undefined, 'no DATABASE_URL: the embedded database');
  t.equal(config.dataDir, path.resolve(dataDir));
  t.equal(config.baseUrl, 'http://localhost:3000');
  t.same(config.selfRegistrationDomains, ['nhs.net']);
  t.equal(config.sessionIdleMinutes, 30);
  t.equal(config.sessionAbsoluteHours, 12);
  t.equal(config.demoData, true, 'demo data in development');
  t.equal(config.trustProxy, false, 'no proxy trusted on a laptop');
  t.equal(config.shutdownDrainSeconds, 1, 'on SIGTERM, one second of 503s before the listener closes');
  t.ok(config.sessionSecret.length >= 32, 'a session secret is made');
});

t.test('the generated session secret is kept in the data folder, readable only by its owner', async (t) => {
  const folder = mkdtempSync(path.join(tmpdir(), 'tasters-secret-'));
  t.teardown(() => rmSync(folder, { recursive: true, force: true }));
  const first = loadConfig({ DATA_DIR: folder });
  const second = loadConfig({ DATA_DIR: folder });
  t.equal(second.sessionSecret, first.sessionSecret, 'the same secret after a restart');
  const file = path.join(folder, 'session-secret');
  t.equal(readFileSync(file, 'utf8').trim(), first.sessionSecret);
  t.equal(statSync(file).mode & 0o777, 0o600);
  const other = loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tasters-secret-')) });
  t.not(other.sessionSecret, first.sessionSecret, 'each deployment its own');
});

t.test('every setting is read', async (t) => {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '8080',
    HOST: '0.0.0.0',
    DATABASE_URL: 'postgres://tasters:secret@db.internal:5432/tasters',
    DATABASE_POOL_SIZE: '20',
    DATA_DIR: dataDir,
    BASE_URL: 'https://tasters.example/',
    SESSION_SECRET: SECRET,
    SELF_REGISTRATION_DOMAINS: ' NHS.net , nhs.uk ',
    SESSION_IDLE_MINUTES: '15',
    SESSION_ABSOLUTE_HOURS: '8',
    DEMO_DATA: 'true',
    TRUST_PROXY: '10.0.0.0/8, 192.168.0.1',
    LOG_LEVEL: 'warn',
    SHUTDOWN_DRAIN_SECONDS: '3',
  });
  t.match(config, {
    env: 'test',
    port: 8080,
    host: '0.0.0.0',
    databaseUrl: 'postgres://tasters:secret@db.internal:5432/tasters',
    databasePoolSize: 20,
    baseUrl: 'https://tasters.example',
    sessionSecret: SECRET,
    selfRegistrationDomains: ['nhs.net', 'nhs.uk'],
    sessionIdleMinutes: 15,
    sessionAbsoluteHours: 8,
    demoData: true,
    trustProxy: '10.0.0.0/8, 192.168.0.1',
    logLevel: 'warn',
    shutdownDrainSeconds: 3,
  });
  t.equal(loadConfig({ DATA_DIR: dataDir, TRUST_PROXY: 'true' }).trustProxy, true);
  t.equal(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: 'postgresql://x@y/z' }).databaseUrl, 'postgresql://x@y/z');
});

t.test('behind PgBouncer, DATABASE_DIRECT_URL names PostgreSQL itself, for migrations', async (t) => {
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: 'postgres://tasters:secret@pgbouncer.internal:6432/tasters',
    DATABASE_DIRECT_URL: 'postgres://tasters:secret@db.internal:5432/tasters',
  });
  t.equal(config.databaseUrl, 'postgres://tasters:secret@pgbouncer.internal:6432/tasters');
  t.equal(config.databaseDirectUrl, 'postgres://tasters:secret@db.internal:5432/tasters');
  t.equal(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: 'postgres://x@y/z' }).databaseDirectUrl, undefined, 'unset: one address for everything');
});

t.test('an empty value counts as not set', async (t) => {
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '', DATABASE_URL: '', SELF_REGISTRATION_DOMAINS: '' });
  t.equal(config.port, 3000);
  t.equal(config.databaseUrl, undefined);
  t.same(config.selfRegistrationDomains, ['nhs.net']);
});

t.test('production needs its secret and address, trusts the proxy in front, and has no demo data', async (t) => {
  const config = loadConfig(production);
  t.equal(config.env, 'production');
  t.equal(config.demoData, false);
  t.equal(config.trustProxy, DEFAULT_PRODUCTION_PROXIES, 'proxies on private addresses are trusted: TLS ends there');
  t.equal(loadConfig({ ...production, TRUST_PROXY: 'false' }).trustProxy, false, 'unless told otherwise');
});

t.test('email goes through the SMTP server named, from the sender named, or from the service itself', async (t) => {
  const config = loadConfig({ ...production, MAIL_FROM: 'Tasters Oxford <tasters@oxford.example>' });
  t.equal(config.smtpUrl, 'smtp://mail.tasters.example:587');
  t.equal(config.mailFrom, 'Tasters Oxford <tasters@oxford.example>');
  t.equal(loadConfig(production).mailFrom, 'Tasters <no-reply@tasters.example>', "the default sender is at the service's own host");
  const development = loadConfig({ DATA_DIR: dataDir });
  t.equal(development.smtpUrl, undefined, 'outside production, no SMTP server: messages go to the development mailbox');
});

t.test('a wrong or missing value stops the start with one line naming the variable', async (t) => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ PORT: 'abc' }, 'PORT', /whole number from 0 to 65535/],
    [{ PORT: '70000' }, 'PORT', /whole number/],
    [{ PORT: '-1' }, 'PORT', /whole number/],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /postgres:\/\//],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE', /whole number/],
    [
      { DATABASE_URL: 'postgres://x@pgbouncer/z', DATABASE_DIRECT_URL: 'db.internal:5432' },
      'DATABASE_DIRECT_URL',
      /postgres:\/\/ connection string straight to PostgreSQL/,
    ],
    [{ DATABASE_DIRECT_URL: 'postgres://x@db/z' }, 'DATABASE_DIRECT_URL', /needs DATABASE_URL too/],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV', /development, production, test/],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET', /at least 32 characters/],
    [{ BASE_URL: 'not a url' }, 'BASE_URL', /web address/],
    [{ BASE_URL: 'ftp://tasters.example' }, 'BASE_URL', /web address/],
    [{ SELF_REGISTRATION_DOMAINS: 'nhs.net, not a domain' }, 'SELF_REGISTRATION_DOMAINS', /domain such as nhs\.net/],
    [{ SELF_REGISTRATION_DOMAINS: '@nhs.net' }, 'SELF_REGISTRATION_DOMAINS', /domain/],
    [{ SESSION_IDLE_MINUTES: '1.5' }, 'SESSION_IDLE_MINUTES', /whole number/],
    [{ SESSION_ABSOLUTE_HOURS: '0' }, 'SESSION_ABSOLUTE_HOURS', /whole number/],
    [{ DEMO_DATA: 'yes' }, 'DEMO_DATA', /true, false/],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY', /true, false/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /info/],
    [{ SHUTDOWN_DRAIN_SECONDS: '6' }, 'SHUTDOWN_DRAIN_SECONDS', /whole number from 0 to 5/],
    [{ ...production, SESSION_SECRET: '' }, 'SESSION_SECRET', /required in production/],
    [{ ...production, BASE_URL: '' }, 'BASE_URL', /required in production/],
    [{ ...production, BASE_URL: 'http://tasters.example' }, 'BASE_URL', /https/],
    [{ ...production, SMTP_URL: '' }, 'SMTP_URL', /required in production/],
    [{ SMTP_URL: 'mail.example.org' }, 'SMTP_URL', /smtp:\/\//],
    [{ SMTP_URL: 'http://mail.example.org' }, 'SMTP_URL', /smtp:\/\//],
    [{ MAIL_FROM: 'Tasters' }, 'MAIL_FROM', /such as Tasters <tasters@example.org>/],
    [{ MAIL_FROM: 'Tasters <tasters@example.org>\nBcc: x@y.z' }, 'MAIL_FROM', /such as/],
  ];
  for (const [environment, variable, explanation] of cases) {
    const error = refusal(environment);
    const what = JSON.stringify(environment).slice(0, 80);
    t.ok(error.message.startsWith(`Configuration error: ${variable} `), `${what}: names ${variable} (${error.message})`);
    t.match(error.message, explanation, `${what}: says what is wrong`);
    t.notMatch(error.message, /\n/, `${what}: one line`);
    t.notMatch(error.message, /Invalid input|expected/, `${what}: in words, not a validator's`);
  }
});

t.test('production never writes a generated secret', async (t) => {
  const folder = mkdtempSync(path.join(tmpdir(), 'tasters-production-'));
  t.teardown(() => rmSync(folder, { recursive: true, force: true }));
  loadConfig({ ...production, DATA_DIR: folder });
  t.throws(() => statSync(path.join(folder, 'session-secret')), 'no secret file');
});

t.test('sign-in providers: none by default; each one complete, https, and named in any error', async (t) => {
  t.same(loadConfig({ DATA_DIR: dataDir }).signInProviders, [], 'none configured: nothing changes');
  const nhsmail = {
    SIGN_IN_PROVIDERS: 'nhsmail, CIS2',
    SIGN_IN_NHSMAIL_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0',
    SIGN_IN_NHSMAIL_CLIENT_ID: 'client',
    SIGN_IN_NHSMAIL_CLIENT_SECRET: 'secret',
    SIGN_IN_NHSMAIL_LABEL: 'Sign in with NHSmail',
    SIGN_IN_NHSMAIL_EMAIL_DOMAINS: 'nhs.net',
    SIGN_IN_NHSMAIL_EMAIL_VERIFIED_CLAIM: 'xms_edov',
    SIGN_IN_NHSMAIL_TWO_STEP_AMR: 'mfa',
    SIGN_IN_CIS2_ISSUER: 'https://cis2.example.nhs.uk/openam/oauth2/realms/root/realms/oidc',
    SIGN_IN_CIS2_CLIENT_ID: 'cis2-client',
    SIGN_IN_CIS2_CLIENT_SECRET: 'cis2-secret',
    SIGN_IN_CIS2_LABEL: 'Sign in with NHS Care Identity',
    SIGN_IN_CIS2_EMAIL_DOMAINS: 'nhs.net, nhs.uk',
    SIGN_IN_CIS2_TWO_STEP_ACR: 'AAL3_ANY',
  };
  const config = loadConfig({ DATA_DIR: dataDir, ...nhsmail });
  t.same(
    config.signInProviders.map((p) => [p.id, p.name, p.emailDomains, p.twoStepAmr, p.twoStepAcr, p.emailVerifiedClaim, p.scopes]),
    [
      ['nhsmail', 'NHSmail', ['nhs.net'], ['mfa'], [], 'xms_edov', 'openid email profile'],
      ['cis2', 'NHS Care Identity', ['nhs.net', 'nhs.uk'], [], ['AAL3_ANY'], 'email_verified', 'openid email profile'],
    ],
  );
  t.equal(config.signInProvidersAllowHttp, false);

  const { SIGN_IN_CIS2_CLIENT_SECRET: _secret, ...withoutSecret } = nhsmail;
  t.match(refusal(withoutSecret).message, /^Configuration error: SIGN_IN_CIS2_CLIENT_SECRET is required/);
  t.match(refusal({ ...nhsmail, SIGN_IN_NHSMAIL_EMAIL_DOMAINS: '' }).message, /^Configuration error: SIGN_IN_NHSMAIL_EMAIL_DOMAINS must list at least one/);
  t.match(refusal({ ...nhsmail, SIGN_IN_PROVIDERS: 'nhs-mail' }).message, /^Configuration error: SIGN_IN_PROVIDERS must be a comma-separated list/);
  t.equal(
    refusal({ ...nhsmail, SIGN_IN_NHSMAIL_ISSUER: 'http://127.0.0.1:4000' }).message,
    'Configuration error: SIGN_IN_NHSMAIL_ISSUER must use https://',
    'plain http only when asked for',
  );
  t.equal(
    loadConfig({ DATA_DIR: dataDir, ...nhsmail, SIGN_IN_NHSMAIL_ISSUER: 'http://127.0.0.1:4000', SIGN_IN_PROVIDERS_ALLOW_HTTP: 'true' }).signInProviders[0]
      ?.issuer,
    'http://127.0.0.1:4000',
  );
  t.equal(
    refusal({ ...production, ...nhsmail, SIGN_IN_PROVIDERS_ALLOW_HTTP: 'true' }).message,
    'Configuration error: SIGN_IN_PROVIDERS_ALLOW_HTTP cannot be true in production',
  );
});
