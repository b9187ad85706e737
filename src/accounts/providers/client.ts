import * as client from 'openid-client';
import type { SignInProvider } from '../../config.ts';

/**
 * The OpenID Connect side of signing in with a provider, through openid-client (certified by the
 * OpenID Foundation): authorisation code flow with PKCE, state and nonce. Nothing here is kept
 * between requests but each provider's discovered metadata, which any instance can fetch again:
 * what one sign-in needs (state, nonce, code verifier) lives in the person's server-side session.
 */

/** Why a sign-in with a provider could not finish: each has its own page (routes.ts). */
export type ProviderProblem = 'unreachable' | 'mismatch' | 'expired' | 'cancelled';

export class ProviderError extends Error {
  readonly problem: ProviderProblem;
  constructor(problem: ProviderProblem, cause?: unknown) {
    super(`sign-in with provider failed: ${problem}`, { cause });
    this.problem = problem;
  }
}

/** What one sign-in carries from its start to the provider's answer, kept in the session. */
export type PendingSignIn = { provider: string; state: string; nonce: string; codeVerifier: string; returnTo: string; connectTo?: string };

/** What Tasters uses from a verified ID token. */
export type ProviderClaims = { subject: string; email: string | null; emailVerified: boolean; name: string | null; amr: string[]; acr: string | null };

const discovered = new Map<string, Promise<client.Configuration>>();

/** The provider's metadata and keys, fetched once per process; a failed fetch is tried again next time. */
function configurationOf(provider: SignInProvider, allowHttp: boolean): Promise<client.Configuration> {
  const key = `${provider.id} ${provider.issuer} ${provider.clientId}`;
  let configuration = discovered.get(key);
  if (!configuration) {
    configuration = client
      .discovery(new URL(provider.issuer), provider.clientId, undefined, client.ClientSecretPost(provider.clientSecret), {
        // Only the tests' provider on loopback, by an explicit setting refused in production (config.ts).
        ...(allowHttp ? { execute: [client.allowInsecureRequests] } : {}),
        // Every request to the provider (discovery, keys, token, userinfo) gives up after 10 s, well
        // inside the app's 30 s request timeout: a provider that hangs gets the "cannot be reached" page.
        timeout: 10,
      })
      .catch((error: unknown) => {
        discovered.delete(key);
        throw new ProviderError('unreachable', error);
      });
    discovered.set(key, configuration);
  }
  return configuration;
}

/** Where to send the person to sign in, and what to keep in the session until they come back. */
export async function startSignIn(
  provider: SignInProvider,
  options: { allowHttp: boolean; redirectUri: string; returnTo: string; connectTo?: string },
): Promise<{ url: string; pending: PendingSignIn }> {
  const configuration = await configurationOf(provider, options.allowHttp);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: options.redirectUri,
    scope: provider.scopes,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const pending: PendingSignIn = { provider: provider.id, state, nonce, codeVerifier, returnTo: options.returnTo };
  if (options.connectTo) pending.connectTo = options.connectTo;
  return { url: url.href, pending };
}

/**
 * Checks the provider's answer against the sign-in it belongs to and exchanges the code: the
 * state must be the one sent, the ID token signed by the provider, for this client, with the
 * nonce sent. Throws ProviderError saying which kind of failure it was.
 */
export async function finishSignIn(
  provider: SignInProvider,
  pending: PendingSignIn,
  callbackUrl: URL,
  options: { allowHttp: boolean },
): Promise<ProviderClaims> {
  // Checked here as well as by the library, so a mismatch is told apart from the provider being down.
  if (callbackUrl.searchParams.get('state') !== pending.state) throw new ProviderError('mismatch');
  if (callbackUrl.searchParams.has('error')) throw new ProviderError('cancelled');
  const configuration = await configurationOf(provider, options.allowHttp);
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    throw new ProviderError(problemOf(error), error);
  }
  const idToken = tokens.claims();
  if (!idToken) throw new ProviderError('mismatch');
  let claims: Record<string, unknown> & { sub: string } = idToken;
  // Some providers put only the subject in the ID token and the address in userinfo (CIS2, and any
  // that follow the standard's default for the code flow): asked there for the same subject.
  if (idToken.email === undefined && configuration.serverMetadata().userinfo_endpoint) {
    try {
      const userinfo = await client.fetchUserInfo(configuration, tokens.access_token, idToken.sub);
      claims = { ...userinfo, ...idToken, email: userinfo.email, [provider.emailVerifiedClaim]: userinfo[provider.emailVerifiedClaim] };
    } catch (error) {
      throw new ProviderError(problemOf(error), error);
    }
  }
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);
  return {
    subject: claims.sub,
    email: text(claims.email)?.trim().toLowerCase() ?? null,
    // Entra ID has no email_verified; its xms_edov (the domain's owner verified it) is named in the settings instead.
    emailVerified: claims[provider.emailVerifiedClaim] === true,
    name: text(claims.name),
    amr: Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === 'string') : [],
    acr: text(claims.acr),
  };
}

// Codes that mean the provider answered but the answer does not belong to this sign-in (nonce,
// audience, issuer, signature, times); any other failure means no usable answer came at all.
const mismatchCodes = new Set([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_KEY_SELECTION_FAILED',
]);

function problemOf(error: unknown): ProviderProblem {
  // The provider answered, and refused: the code was used before or has expired (invalid_grant).
  if (error instanceof client.ResponseBodyError) return 'expired';
  if (error instanceof client.AuthorizationResponseError) return 'cancelled';
  if (error instanceof client.ClientError && error.code && mismatchCodes.has(error.code)) return 'mismatch';
  // Refused connection, time-out, a broken gateway page.
  return 'unreachable';
}

/**
 * The provider's own sign-out address, when it has one (RP-initiated logout), bringing the
 * person back to Tasters' signed-out page. Null when it has none or cannot be reached now.
 */
export async function providerSignOutUrl(provider: SignInProvider, options: { allowHttp: boolean; returnTo: string }): Promise<string | null> {
  try {
    const configuration = await configurationOf(provider, options.allowHttp);
    if (!configuration.serverMetadata().end_session_endpoint) return null;
    // client_id rather than the ID token as hint: no token of the provider's is kept after sign-in.
    return client.buildEndSessionUrl(configuration, { client_id: provider.clientId, post_logout_redirect_uri: options.returnTo }).href;
  } catch {
    return null;
  }
}
