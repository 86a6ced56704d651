import * as client from 'openid-client';
import { AppError, unavailable } from '../../../platform/errors.js';
import type { ProviderIdentity } from './oidc.rules.js';

export interface RelyingPartySettings {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** PUBLIC_URL + /auth/oidc/callback: what the provider has registered for this client. */
  redirectUri: string;
  allowHttp: boolean;
  timeoutMs: number;
}

/** What the callback must present again: the values the authorization request was made with. */
export interface AuthorizationChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

const SCOPES = 'openid email profile';

/** The provider refused or failed the sign-in; `code` is what the web app is told. */
export class SignInFailed extends AppError {
  constructor(code: 'oidc_denied' | 'oidc_failed', message: string) {
    super('unauthenticated', code, message);
  }
}

/**
 * The relying party, openid-client's: it checks state, PKCE, and the ID token's signature,
 * issuer, audience, expiry and nonce. The provider's metadata is discovered on first use and
 * kept (a failed discovery is tried again on the next sign-in, so a provider that was down at
 * start-up does not need a restart).
 */
export class RelyingParty {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(private readonly settings: RelyingPartySettings) {}

  /** The provider's authorization URL for a sign-in with these checks (PKCE S256). */
  async authorizationUrl(checks: AuthorizationChecks): Promise<URL> {
    const config = await this.discovered();
    return client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: SCOPES,
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /**
   * Redeems the authorization response at the token endpoint and reads who signed in: the
   * ID token's claims, completed by userinfo (many providers put `email` only there).
   * @throws SignInFailed `oidc_denied` when the provider answered with an error (the person
   * cancelled), `oidc_failed` for anything that does not check out; `oidc_provider_unavailable`
   */
  async redeem(callbackUrl: URL, checks: AuthorizationChecks): Promise<ProviderIdentity> {
    const config = await this.discovered();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      });
    } catch (error) {
      if (error instanceof client.AuthorizationResponseError) {
        throw new SignInFailed('oidc_denied', `the provider did not sign you in (${error.error})`);
      }
      throw failed(error);
    }
    const claims = tokens.claims();
    if (!claims) throw failed(new Error('no ID token'));
    let profile: Record<string, unknown> = claims;
    if (config.serverMetadata().userinfo_endpoint) {
      try {
        // expectedSubject: userinfo must be about the person the ID token names.
        profile = { ...claims, ...(await client.fetchUserInfo(config, tokens.access_token, claims.sub)) };
      } catch (error) {
        throw failed(error);
      }
    }
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email: typeof profile.email === 'string' ? profile.email : undefined,
      emailVerified: profile.email_verified === true,
      name: typeof profile.name === 'string' ? profile.name : undefined,
    };
  }

  private discovered(): Promise<client.Configuration> {
    this.configuration ??= this.discover().catch((error: unknown) => {
      this.configuration = undefined;
      throw error;
    });
    return this.configuration;
  }

  private async discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret, allowHttp, timeoutMs } = this.settings;
    try {
      return await client.discovery(
        new URL(issuer),
        clientId,
        clientSecret,
        clientSecret === undefined ? client.None() : client.ClientSecretBasic(clientSecret),
        { timeout: Math.ceil(timeoutMs / 1000), execute: allowHttp ? [client.allowInsecureRequests] : [] },
      );
    } catch (error) {
      throw Object.assign(
        unavailable('oidc_provider_unavailable', 'the sign-in provider cannot be reached'),
        {
          cause: error,
        },
      );
    }
  }
}

const failed = (cause: unknown) =>
  Object.assign(new SignInFailed('oidc_failed', 'the sign-in could not be completed'), { cause });
