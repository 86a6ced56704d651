import { type Actor, authorize, type Role } from '../../platform/auth/policy.js';
import type { AccessTokens } from '../../platform/auth/tokens.js';
import { formatScopes } from '../../platform/auth/scopes.js';
import { conflict, invalidField, notFound } from '../../platform/errors.js';
import type { OAuthRepository } from './oauth.repository.js';
import {
  type ClientCredentials,
  clientScopesFor,
  hashSecret,
  MAX_ACTIVE_CLIENTS_PER_OWNER,
  newClientId,
  newClientSecret,
  oauthErrors,
  type PublicClient,
  secretMatches,
  tokenScopes,
  toPublicClient,
} from './oauth.rules.js';
import type { OAuthClientRow } from './oauth.tables.js';

/** Whom a client acts for: the owner's current role, or undefined once the account is gone or disabled. */
export interface ClientOwners {
  roleOf(userId: string): Promise<Role | undefined>;
}

/** RFC 6749 §5.1's successful answer. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** RFC 7662 §2.2's answer: `{active: false}` for anything not active, and nothing else then. */
export type Introspection =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id: string;
      sub: string;
      exp: number;
      iat: number;
      iss: string;
      aud: string;
      token_type: 'Bearer';
    };

const LIST_LIMIT = 100;
/** The shape of our client ids (as the table's check): anything else is not looked up. */
const CLIENT_ID = /^mk_client_[A-Za-z0-9_-]{16,64}$/;
const SELLERS_AND_ADMINS: readonly Role[] = ['seller', 'admin'];

/**
 * API clients of sellers and admins, and the client-credentials grant (RFC 6749 §4.4) that
 * turns a client's id and secret into an access token acting for its owner within the
 * client's scopes. A client's tokens share one session id (its token family), so revoking
 * the client, rotating its secret or revoking one of its tokens (RFC 7009) ends every
 * token it holds, on every instance, through the same revocation list as a logout.
 */
export class OAuthService {
  constructor(
    private readonly repo: OAuthRepository,
    private readonly tokens: AccessTokens,
    private readonly owners: ClientOwners,
  ) {}

  /**
   * Creates a client; its secret is in the answer and nowhere else, ever.
   * @throws `role_not_allowed` (403) for buyers, `validation_failed` (400) for a scope the
   * owner's role may not give, `too_many_clients` (409) past MAX_ACTIVE_CLIENTS_PER_OWNER
   */
  async create(
    actor: Actor | undefined,
    input: { name: string; scopes: string[] },
  ): Promise<PublicClient & { secret: string }> {
    const owner = authorize(actor, { roles: SELLERS_AND_ADMINS });
    const scopes = clientScopesFor(owner.role, input.scopes);
    if ('refused' in scopes) {
      throw invalidField(
        'scopes',
        'scope_not_allowed',
        `a ${owner.role} may not grant ${scopes.refused.join(', ')}`,
      );
    }
    const secret = newClientSecret();
    const row = await this.repo.createUnderLimit(
      {
        id: newClientId(),
        owner_id: owner.userId,
        name: input.name,
        scopes: scopes.ok,
        secret_sha256: hashSecret(secret),
      },
      MAX_ACTIVE_CLIENTS_PER_OWNER,
    );
    if (!row) {
      throw conflict(
        'too_many_clients',
        `at most ${MAX_ACTIVE_CLIENTS_PER_OWNER} active API clients; revoke one first`,
      );
    }
    return { ...toPublicClient(row), secret };
  }

  /** The caller's own clients, newest first (up to 100), revoked ones included. */
  async list(actor: Actor | undefined): Promise<PublicClient[]> {
    const owner = authorize(actor, { roles: SELLERS_AND_ADMINS });
    return (await this.repo.listOf(owner.userId, LIST_LIMIT)).map(toPublicClient);
  }

  /**
   * A new secret, shown once. The old one stops working at once (no overlap: the owner
   * installs the new one, and a leaked old one is dead the moment this answers), and every
   * token issued with it is revoked.
   * @throws `client_not_found` (404) for a revoked client or one that is not the caller's
   */
  async rotateSecret(actor: Actor | undefined, id: string): Promise<PublicClient & { secret: string }> {
    const owner = authorize(actor, { roles: SELLERS_AND_ADMINS });
    const secret = newClientSecret();
    const rotated = await this.repo.rotateSecret(id, owner.userId, hashSecret(secret));
    if (!rotated) throw notFound('client');
    await this.tokens.revokeSessions([rotated.before.token_family]);
    return { ...toPublicClient(rotated.after), secret };
  }

  /**
   * Revokes one of the caller's clients and every token it holds. Idempotent: revoking a
   * revoked client revokes its tokens again and succeeds.
   * @throws `client_not_found` (404) for a client that is not the caller's
   */
  async revoke(actor: Actor | undefined, id: string): Promise<void> {
    const owner = authorize(actor, { roles: SELLERS_AND_ADMINS });
    const row = await this.repo.find(id);
    if (!row || row.owner_id !== owner.userId) throw notFound('client');
    await this.repo.revoke({ ownerId: owner.userId, id });
    await this.tokens.revokeSessions([row.token_family]);
  }

  /**
   * Revokes every client of a user and their live tokens: for account erasure and the
   * like, so it takes no actor. Idempotent. @returns how many were still active
   */
  async revokeClientsOf(userId: string): Promise<number> {
    const revoked = await this.repo.revoke({ ownerId: userId });
    // Every family, the already revoked included: a retry after a failed revocation finishes it.
    const all = await this.repo.listOf(userId, 10_000);
    await this.tokens.revokeSessions(all.map((row) => row.token_family));
    return revoked.length;
  }

  /**
   * Ends the live tokens of every client of a user, keeping the clients: for a disabled
   * account, whose clients get no new token while it stays disabled (`authenticate`) and
   * work again once it is enabled. Each client starts a new token family first, so only
   * the tokens issued until now are caught.
   */
  async endTokensOf(userId: string): Promise<void> {
    const clients = await this.repo.listOf(userId, 10_000);
    for (const client of clients) await this.repo.renewFamily(client.id, client.token_family);
    await this.tokens.revokeSessions(clients.map((client) => client.token_family));
  }

  /**
   * The client-credentials grant: an access token for the client's owner, limited to the
   * requested scopes (all the client's when none are asked for). No refresh token (§4.4.3).
   * @throws `invalid_client` (401), `invalid_scope` (400)
   */
  async issueToken(
    credentials: ClientCredentials,
    requestedScope: string | undefined,
  ): Promise<TokenResponse> {
    const { client, role } = await this.authenticate(credentials);
    const scopes = tokenScopes(requestedScope, client.scopes, role);
    const token = await this.tokens.issue(
      { userId: client.owner_id, role, scopes, clientId: client.id },
      client.token_family,
    );
    await this.repo.touch(client.id);
    return {
      access_token: token.token,
      token_type: 'Bearer',
      expires_in: token.expiresInSeconds,
      scope: formatScopes(scopes),
    };
  }

  /**
   * RFC 7662: what a token of the calling client is. A token of another client or a user's
   * session is reported as not active, so one client cannot read another's tokens.
   * @throws `invalid_client` (401)
   */
  async introspect(credentials: ClientCredentials, token: string): Promise<Introspection> {
    const { client } = await this.authenticate(credentials);
    const claims = await this.tokens.introspect(token);
    if (!claims || claims.client_id !== client.id || claims.scope === undefined) return { active: false };
    return {
      active: true,
      scope: claims.scope,
      client_id: claims.client_id,
      sub: claims.sub,
      exp: claims.exp,
      iat: claims.iat,
      iss: claims.iss,
      aud: claims.aud,
      token_type: 'Bearer',
    };
  }

  /**
   * RFC 7009: revokes the calling client's token and, because a client's tokens share one
   * family, every other token it was issued until now; tokens issued afterwards work. An
   * unknown, expired or foreign token is ignored, as the RFC asks (the answer is the same).
   * @throws `invalid_client` (401)
   */
  async revokeToken(credentials: ClientCredentials, token: string): Promise<void> {
    const { client } = await this.authenticate(credentials);
    const claims = await this.tokens.introspect(token);
    if (!claims || claims.client_id !== client.id) return;
    await this.repo.renewFamily(client.id, claims.sid);
    await this.tokens.revokeSessions([claims.sid]);
  }

  /** The client whose id and secret these are, unrevoked, with an active owner. */
  private async authenticate(
    credentials: ClientCredentials,
  ): Promise<{ client: OAuthClientRow; role: Role }> {
    if (!CLIENT_ID.test(credentials.clientId)) throw oauthErrors.invalidClient();
    const client = await this.repo.find(credentials.clientId);
    if (!client || client.revoked_at !== null || !secretMatches(credentials.secret, client.secret_sha256))
      throw oauthErrors.invalidClient();
    const role = await this.owners.roleOf(client.owner_id);
    if (!role) throw oauthErrors.invalidClient();
    return { client, role };
  }
}
