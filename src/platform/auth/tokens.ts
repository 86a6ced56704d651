import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import {
  calculateJwkThumbprint,
  decodeJwt,
  exportJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { unauthenticated } from '../errors.js';
import type { Actor, Role } from './policy.js';
import { RevokedSessions } from './revoked-sessions.js';

const ALGORITHM = 'EdDSA';
/** Verified tokens remembered per process; a bound keeps a flood of distinct tokens harmless. */
const VERIFIED_CACHE_SIZE = 10_000;
const ROLES: readonly Role[] = ['buyer', 'seller', 'admin'];

export interface AccessToken {
  token: string;
  expiresInSeconds: number;
}

export interface AccessTokenOptions {
  issuer: string;
  audience: string;
  ttlMs: number;
  /** Shared between instances by the platform; by default this process's own. */
  revoked?: RevokedSessions;
}

type SessionActor = Actor & { sessionId: string };

/** What an active token says, as token introspection (RFC 7662) reports it. */
export interface TokenClaims {
  sub: string;
  role: Role;
  sid: string;
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  /** Space-separated; only on API client tokens. */
  scope?: string;
  client_id?: string;
}

const sessionEnded = () =>
  unauthenticated('invalid_token', 'the access token belongs to a session that has ended');

/** An API client token's limits, from its claims; a token with one claim and not the other is forged. */
function clientOf(payload: JWTPayload): Pick<Actor, 'scopes' | 'clientId'> {
  const { scope, client_id: clientId } = payload;
  if (scope === undefined && clientId === undefined) return {};
  if (typeof scope !== 'string' || typeof clientId !== 'string' || !clientId)
    throw new Error('malformed client claims');
  return { scopes: scope.split(' ').filter((name) => name !== ''), clientId };
}

/**
 * Signs and verifies access tokens: short-lived JWTs (EdDSA over Ed25519) carrying the
 * user id, role and session id (`sid`, the refresh-token family). Verification pins the
 * algorithm, issuer and audience, so `alg: none`, HS256-with-the-public-key and tokens
 * minted for another audience are all refused; a token of a revoked session is refused too.
 */
export class AccessTokens {
  private constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
    private readonly kid: string,
    private readonly publicJwk: JWK,
    private readonly options: AccessTokenOptions,
    private readonly revoked: RevokedSessions,
  ) {}

  // A token's signature and claims never change, so a positive verification holds until
  // the token expires. This saves an Ed25519 verification (~0.2 ms) on every request.
  private readonly verified = new Map<string, { actor: SessionActor; expiresAtMs: number }>();

  static async create(pem: string, options: AccessTokenOptions) {
    const privateKey = createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'ed25519')
      throw new Error('the JWT signing key must be an Ed25519 key');
    const publicKey = createPublicKey(privateKey);
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    const revoked = options.revoked ?? new RevokedSessions(options.ttlMs);
    return new AccessTokens(
      privateKey,
      publicKey,
      kid,
      { ...jwk, kid, alg: ALGORITHM, use: 'sig' },
      options,
      revoked,
    );
  }

  /** How long an access token lives: the longest a revocation has to be remembered. */
  get ttlMs(): number {
    return this.options.ttlMs;
  }

  /** The public half, as served at /.well-known/jwks.json. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  /**
   * An access token for the actor's session. An API client's actor (with `scopes` and
   * `clientId`) gets the `scope` and `client_id` claims (RFC 9068's names), which every
   * verifier, split-out services included, turns back into the same limits.
   */
  async issue(actor: Actor, sessionId: string): Promise<AccessToken> {
    const ttlSeconds = Math.floor(this.options.ttlMs / 1000);
    const client =
      actor.scopes && actor.clientId ? { scope: actor.scopes.join(' '), client_id: actor.clientId } : {};
    const enrolment = actor.mfaEnrolmentOnly ? { mfa_enrol: true } : {};
    const token = await new SignJWT({ role: actor.role, sid: sessionId, ...client, ...enrolment })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.kid, typ: 'JWT' })
      .setSubject(actor.userId)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.privateKey);
    return { token, expiresInSeconds: ttlSeconds };
  }

  /**
   * Ends the sessions' access tokens before they expire: at once in this process, on every
   * instance within a second. @throws when the shared revocation store cannot be written.
   */
  revokeSessions(sessionIds: readonly string[]): Promise<void> {
    return this.revoked.revoke(sessionIds);
  }

  /** @throws AppError `invalid_token` (401) for anything but a valid, current token of ours. */
  async verify(token: string): Promise<Actor> {
    const actor = this.remembered(token) ?? (await this.verifySignature(token));
    // After the cache, not in it: a revocation also ends tokens verified before it.
    if (this.revoked.has(actor.sessionId)) throw sessionEnded();
    return actor;
  }

  /**
   * The claims of a token that `verify` would accept right now, else undefined: for token
   * introspection, which must answer "not active" rather than fail.
   */
  async introspect(token: string): Promise<TokenClaims | undefined> {
    try {
      await this.verify(token);
      // Verified just now: reading the claims needs no second signature check.
      return decodeJwt(token) as unknown as TokenClaims;
    } catch {
      return undefined;
    }
  }

  private remembered(token: string): SessionActor | undefined {
    const known = this.verified.get(token);
    if (!known) return undefined;
    if (known.expiresAtMs > Date.now()) return known.actor;
    this.verified.delete(token);
    return undefined;
  }

  private async verifySignature(token: string): Promise<SessionActor> {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, this.publicKey, {
        algorithms: [ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        requiredClaims: ['sub', 'exp', 'iat', 'sid'],
      });
      if (protectedHeader.kid !== this.kid) throw new Error('unknown key id');
      const role = payload.role as Role;
      const sessionId = payload.sid;
      if (!payload.sub || !ROLES.includes(role) || typeof sessionId !== 'string' || !sessionId)
        throw new Error('malformed claims');
      const actor: SessionActor = { userId: payload.sub, role, sessionId, ...clientOf(payload) };
      if (payload.mfa_enrol === true) actor.mfaEnrolmentOnly = true;
      this.remember(token, actor, payload.exp! * 1000);
      return actor;
    } catch {
      throw unauthenticated('invalid_token', 'the access token is invalid or expired');
    }
  }

  private remember(token: string, actor: SessionActor, expiresAtMs: number): void {
    if (this.verified.size >= VERIFIED_CACHE_SIZE) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(token, { actor, expiresAtMs });
  }
}
