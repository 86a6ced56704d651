import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Transaction } from 'kysely';
import { randomNonce, randomPKCECodeVerifier, randomState } from 'openid-client';
import { isUniqueViolation } from '../../../platform/db/errors.js';
import type { Outbox } from '../../../platform/events/outbox.js';
import { AppError, notFound, unauthenticated } from '../../../platform/errors.js';
import type { UsersRepository } from '../users.repository.js';
import { accountDisabled } from '../users.rules.js';
import type { SessionsService, SessionTokens } from '../users.sessions.js';
import type { ProfileChanges } from '../users.profile-cache.js';
import type { RelyingParty } from './oidc.client.js';
import type { OidcRepository } from './oidc.repository.js';
import { decideSignIn, type ProviderIdentity, safeReturnTo } from './oidc.rules.js';

/** A person has this long on the provider's pages before the sign-in must start again. */
const LOGIN_TTL_MS = 10 * 60_000;
/** The web app exchanges its code at once; a code left lying around in a history is dead soon. */
const SIGN_IN_CODE_TTL_MS = 60_000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const sameText = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

export const oidcNotConfigured = () =>
  new AppError('not_found', 'oidc_not_configured', 'sign-in with OpenID Connect is not configured');
const stateInvalid = () =>
  unauthenticated(
    'oidc_state_invalid',
    'this sign-in expired or was started in another browser; start again',
  );
const codeInvalid = () =>
  unauthenticated('oidc_code_invalid', 'the sign-in code is invalid, used or expired; sign in again');

export interface OidcServiceDeps {
  /** Undefined when OIDC_ISSUER is not set: every sign-in answers `oidc_not_configured`. */
  relyingParty: RelyingParty | undefined;
  providerName: string;
  users: UsersRepository;
  oidc: OidcRepository;
  sessions: Pick<SessionsService, 'startVerified'>;
  outbox?: Outbox;
  /** Records that the provider vouched for the user's e-mail, in the sign-in's transaction. */
  markEmailVerified?: (trx: Transaction<object>, userId: string) => Promise<void>;
  /** Told after a sign-in commits: linking an identity may have verified the e-mail shown. */
  profiles?: ProfileChanges;
}

/**
 * Sign in with OpenID Connect (authorization code + PKCE): starts a sign-in at the provider,
 * finishes it when the provider sends the person back, and turns it into one of our sessions
 * through a one-time code, so that no token ever appears in a URL.
 */
export class OidcService {
  constructor(private readonly deps: OidcServiceDeps) {}

  /** What the web app needs to know to offer the button. */
  publicConfig(): { enabled: boolean; name: string | null } {
    const enabled = this.deps.relyingParty !== undefined;
    return { enabled, name: enabled ? this.deps.providerName : null };
  }

  /**
   * A new sign-in: state, nonce and PKCE verifier kept server-side (by the state's hash, the
   * verifier encrypted) for ten minutes; the caller binds `state` to the browser.
   * @throws `oidc_not_configured` (404), `oidc_provider_unavailable` (503)
   */
  async start(returnTo: string | undefined): Promise<{ url: string; state: string }> {
    const relyingParty = this.configured();
    const state = randomState();
    const nonce = randomNonce();
    const codeVerifier = randomPKCECodeVerifier();
    // The URL first: an unreachable provider leaves no row behind.
    const url = await relyingParty.authorizationUrl({ state, nonce, codeVerifier });
    await this.deps.oidc.insertLogin(
      sha256(state),
      { nonce, codeVerifier, returnTo: safeReturnTo(returnTo) },
      new Date(Date.now() + LOGIN_TTL_MS),
    );
    return { url: url.href, state };
  }

  /**
   * Finishes a sign-in from the provider's redirect. The state must be the one this browser
   * started (`browserState`, from its cookie) and live; it is spent whatever happens next.
   * Then the person is signed in, linked or created (see `decideSignIn`) and a one-time code
   * for POST /auth/oidc/exchange is returned.
   * @throws `oidc_state_invalid` (401), `oidc_denied`/`oidc_failed` (401, SignInFailed),
   * `oidc_email_missing`/`oidc_email_unverified` (409), `account_disabled` (403),
   * `oidc_not_configured` (404), `oidc_provider_unavailable` (503)
   */
  async finish(
    callbackUrl: URL,
    browserState: string | undefined,
  ): Promise<{ code: string; returnTo: string }> {
    const relyingParty = this.configured();
    const state = callbackUrl.searchParams.get('state');
    if (!state || !browserState || !sameText(state, browserState)) throw stateInvalid();
    const login = await this.deps.oidc.takeLogin(sha256(state));
    if (!login) throw stateInvalid();
    const identity = await relyingParty.redeem(callbackUrl, {
      state,
      nonce: login.nonce,
      codeVerifier: login.codeVerifier,
    });
    const userId = await this.signIn(identity);
    const code = randomBytes(32).toString('base64url');
    await this.deps.oidc.insertSignInCode(sha256(code), userId, new Date(Date.now() + SIGN_IN_CODE_TTL_MS));
    return { code, returnTo: login.returnTo };
  }

  /**
   * Spends a one-time code for a session: the same answer as a password login.
   * @throws `oidc_code_invalid` (401) for an unknown, used or expired code;
   * `account_disabled` (403) when the account was disabled meanwhile; `oidc_not_configured` (404)
   */
  async exchange(code: string): Promise<SessionTokens> {
    this.configured();
    const userId = await this.deps.oidc.spendSignInCode(sha256(code));
    if (!userId) throw codeInvalid();
    return this.deps.sessions.startVerified(userId);
  }

  /** The user `identity` signs in as. Two first sign-ins racing: the loser finds the winner's work. */
  private async signIn(identity: ProviderIdentity): Promise<string> {
    let userId: string;
    try {
      userId = await this.signInOnce(identity);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      userId = await this.signInOnce(identity);
    }
    await this.deps.profiles?.changed(userId);
    return userId;
  }

  private signInOnce(identity: ProviderIdentity): Promise<string> {
    return this.deps.users.transaction(async (users, trx) => {
      const oidc = this.deps.oidc.withTransaction(trx);
      const known = await oidc.findIdentity(identity.issuer, identity.subject);
      const owner =
        known || identity.email === undefined ? undefined : await users.findUserByEmail(identity.email);
      const decision = decideSignIn(identity, known && { userId: known.user_id }, owner);
      switch (decision.kind) {
        case 'refuse':
          throw refusal(decision.code);
        case 'sign_in': {
          const user = await users.findUserById(decision.userId);
          if (!user) throw notFound('user');
          if (user.status !== 'active') throw accountDisabled();
          await oidc.touchIdentity(known!.id);
          return user.id;
        }
        case 'link': {
          if (owner!.status !== 'active') throw accountDisabled();
          await oidc.insertIdentity({
            user_id: owner!.id,
            issuer: identity.issuer,
            subject: identity.subject,
          });
          await this.deps.markEmailVerified?.(trx, owner!.id);
          return owner!.id;
        }
        case 'create': {
          const user = await users.insertUser({
            name: decision.name,
            email: decision.email,
            role: 'buyer',
            password_hash: null,
          });
          await oidc.insertIdentity({ user_id: user.id, issuer: identity.issuer, subject: identity.subject });
          if (identity.emailVerified) await this.deps.markEmailVerified?.(trx, user.id);
          await this.deps.outbox?.write(trx, [
            {
              type: 'user.registered',
              aggregate: `user:${user.id}`,
              data: { id: user.id, role: user.role, created_at: user.created_at.toISOString() },
            },
          ]);
          return user.id;
        }
      }
    });
  }

  private configured(): RelyingParty {
    if (!this.deps.relyingParty) throw oidcNotConfigured();
    return this.deps.relyingParty;
  }
}

function refusal(code: 'oidc_email_missing' | 'oidc_email_unverified'): AppError {
  return code === 'oidc_email_missing'
    ? new AppError('conflict', code, 'the provider did not share an e-mail address')
    : new AppError(
        'conflict',
        code,
        'an account with this e-mail exists and the provider has not verified the address: ' +
          'sign in with your password instead',
      );
}
