import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Actor, Role } from '../../platform/auth/policy.js';
import { authorize } from '../../platform/auth/policy.js';
import type { AccessTokens } from '../../platform/auth/tokens.js';
import { unauthenticated } from '../../platform/errors.js';
import type { RateLimits } from '../../platform/http/rate-limits.js';
import { hashPassword, needsRehash, verifyAgainstDecoy, verifyPassword } from './users.passwords.js';
import type { UsersRepository } from './users.repository.js';
import { normalizeEmail } from './users.rules.js';
import type { RefreshTokenRow } from './users.tables.js';

export interface SessionTokens {
  id: string;
  role: Role;
  token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  refresh_expires_in: number;
}

const invalidCredentials = () => unauthenticated('invalid_credentials', 'email or password is incorrect');
const invalidRefresh = () =>
  unauthenticated('invalid_refresh_token', 'the refresh token is invalid or expired');

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Logins, refresh-token rotation and logout. Refresh tokens are opaque random strings
 * stored only as SHA-256; each use spends the token and issues a new one in the same
 * family. Presenting a spent token means it leaked, so the whole family is revoked.
 */
export class SessionsService {
  constructor(
    private readonly repo: UsersRepository,
    private readonly accessTokens: AccessTokens,
    private readonly limits: RateLimits,
    private readonly refreshTtlMs: number,
  ) {}

  /**
   * @throws `invalid_credentials` (401) whether the email is unknown or the password wrong,
   * after the same amount of work; `rate_limited` (429) after too many failures for one account.
   */
  async login(input: { email: string; password: string }): Promise<SessionTokens> {
    const email = normalizeEmail(input.email);
    const accountKey = sha256(email);
    await this.limits.ensureAvailable('loginFailures', accountKey);
    const user = await this.repo.findUserByEmail(email);
    const valid = user
      ? await verifyPassword(input.password, user.password_hash)
      : await verifyAgainstDecoy(input.password);
    if (!user || !valid || user.status !== 'active') {
      await this.limits.penalize('loginFailures', accountKey);
      throw invalidCredentials();
    }
    await this.limits.reset('loginFailures', accountKey);
    if (needsRehash(user.password_hash)) {
      await this.repo.updateUser(user.id, { password_hash: await hashPassword(input.password) });
    }
    return this.startFamily({ userId: user.id, role: user.role }, randomUUID());
  }

  /**
   * Exchanges a refresh token for a new pair. Of two concurrent uses of one token exactly
   * one succeeds; the other is treated as reuse and revokes the family.
   * @throws `invalid_refresh_token` (401), `refresh_token_reused` (401)
   */
  async refresh(refreshToken: string): Promise<SessionTokens> {
    const tokenHash = sha256(refreshToken);
    const now = new Date();
    const outcome = await this.repo.transaction(async (repo) => {
      const spent = await repo.spendRefreshToken(tokenHash, now);
      if (!spent) return { reused: await this.revokeIfReused(repo, tokenHash, now) };
      const user = await repo.findUserById(spent.user_id);
      if (user?.status !== 'active') {
        await repo.revokeFamily(spent.family_id, now);
        return { reused: false };
      }
      return { issued: await this.issue(repo, { userId: user.id, role: user.role }, spent.family_id) };
    });
    if ('issued' in outcome && outcome.issued) return outcome.issued;
    if (outcome.reused) {
      throw unauthenticated(
        'refresh_token_reused',
        'the refresh token was already used; its session is revoked',
      );
    }
    throw invalidRefresh();
  }

  /**
   * Ends the session the refresh token belongs to, or every session of the caller when no
   * token is given. Idempotent: logging out twice is not an error.
   */
  async logout(actor: Actor | undefined, refreshToken?: string): Promise<void> {
    const me = authorize(actor);
    const now = new Date();
    if (refreshToken === undefined) return this.repo.revokeAllForUser(me.userId, now);
    const row = await this.repo.findRefreshToken(sha256(refreshToken));
    // Another user's token is treated like an unknown one: no effect, no hint.
    if (row && row.user_id === me.userId) await this.repo.revokeFamily(row.family_id, now);
  }

  private async revokeIfReused(repo: UsersRepository, tokenHash: string, now: Date): Promise<boolean> {
    const row: RefreshTokenRow | undefined = await repo.findRefreshToken(tokenHash);
    if (!row || row.used_at === null) return false;
    await repo.revokeFamily(row.family_id, now);
    return true;
  }

  private startFamily(actor: Actor, familyId: string): Promise<SessionTokens> {
    return this.issue(this.repo, actor, familyId);
  }

  private async issue(repo: UsersRepository, actor: Actor, familyId: string): Promise<SessionTokens> {
    const refreshToken = randomBytes(32).toString('base64url');
    await repo.insertRefreshToken({
      family_id: familyId,
      user_id: actor.userId,
      token_hash: sha256(refreshToken),
      expires_at: new Date(Date.now() + this.refreshTtlMs),
    });
    const access = await this.accessTokens.issue(actor, familyId);
    return {
      id: actor.userId,
      role: actor.role,
      token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresInSeconds,
      refresh_token: refreshToken,
      refresh_expires_in: Math.floor(this.refreshTtlMs / 1000),
    };
  }
}
