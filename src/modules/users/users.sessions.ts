import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Actor, Role } from '../../platform/auth/policy.js';
import { authorize } from '../../platform/auth/policy.js';
import type { AccessTokens } from '../../platform/auth/tokens.js';
import { unauthenticated } from '../../platform/errors.js';
import { IN_PROCESS, type PasswordAttempts } from './users.attempts.js';
import { hashPassword, needsRehash, verifyAgainstDecoy, verifyPassword } from './users.passwords.js';
import type { UsersRepository } from './users.repository.js';
import { accountDisabled, normalizeEmail } from './users.rules.js';
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
    private readonly attempts: PasswordAttempts,
    private readonly refreshTtlMs: number,
  ) {}

  /**
   * @throws `invalid_credentials` (401) whether the email is unknown or the password wrong,
   * after the same amount of work; `account_disabled` (403) only after the right password,
   * so a guesser learns nothing of the account; `rate_limited` (429) once the account's
   * failed checks from `clientIp`, or from every address together, have spent their budget
   * (PasswordAttempts).
   */
  async login(
    input: { email: string; password: string },
    clientIp: string = IN_PROCESS,
  ): Promise<SessionTokens> {
    const email = normalizeEmail(input.email);
    const user = await this.attempts.verify(email, clientIp, async () => {
      const found = await this.repo.findUserByEmail(email);
      const valid = found
        ? await verifyPassword(input.password, found.password_hash)
        : await verifyAgainstDecoy(input.password);
      return valid ? found : undefined;
    });
    if (!user) throw invalidCredentials();
    if (user.status !== 'active') throw accountDisabled();
    if (needsRehash(user.password_hash)) {
      await this.repo.updateUser(user.id, { password_hash: await hashPassword(input.password) });
    }
    return this.startFamily({ userId: user.id, role: user.role }, randomUUID());
  }

  /**
   * Exchanges a refresh token for a new pair. Of two concurrent uses of one token exactly
   * one succeeds; the other is treated as reuse and revokes the family, access tokens too.
   * @throws `invalid_refresh_token` (401), `refresh_token_reused` (401); `account_disabled`
   * (403) for a live token of a disabled user (disabling revokes them, so only in a race)
   */
  async refresh(refreshToken: string): Promise<SessionTokens> {
    const tokenHash = sha256(refreshToken);
    const now = new Date();
    const outcome = await this.repo.transaction(async (repo) => {
      const spent = await repo.spendRefreshToken(tokenHash, now);
      if (!spent) {
        const reusedFamily = await this.revokeIfReused(repo, tokenHash, now);
        return { reused: reusedFamily !== undefined, revoked: reusedFamily };
      }
      const user = await repo.findUserById(spent.user_id);
      if (user?.status !== 'active') {
        await repo.revokeFamily(spent.family_id, now);
        return { reused: false, revoked: spent.family_id, disabled: user !== undefined };
      }
      return { issued: await this.issue(repo, { userId: user.id, role: user.role }, spent.family_id) };
    });
    if ('issued' in outcome && outcome.issued) return outcome.issued;
    // After the commit: the access tokens go only once their refresh tokens surely have.
    if (outcome.revoked) await this.accessTokens.revokeSessions([outcome.revoked]);
    if ('disabled' in outcome && outcome.disabled) throw accountDisabled();
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
   * token is given: refresh tokens and access tokens alike. Idempotent: logging out twice
   * is not an error, and a retry after a failure finishes the job.
   */
  async logout(actor: Actor | undefined, refreshToken?: string): Promise<void> {
    const me = authorize(actor);
    const now = new Date();
    if (refreshToken === undefined) {
      await this.repo.revokeAllForUser(me.userId, now);
      return this.revokeAccessTokens(me.userId);
    }
    const row = await this.repo.findRefreshToken(sha256(refreshToken));
    // Another user's token is treated like an unknown one: no effect, no hint.
    if (row && row.user_id === me.userId) {
      await this.repo.revokeFamily(row.family_id, now);
      await this.accessTokens.revokeSessions([row.family_id]);
    }
  }

  /**
   * Refuses the access tokens of every session of the user (but `keepSessionId`'s) from
   * now on, on every instance. Their refresh tokens are the caller's to revoke, in its own
   * transaction. Safe to repeat.
   */
  async revokeAccessTokens(userId: string, keepSessionId?: string): Promise<void> {
    // Sessions that issued nothing for an access-token lifetime have no live access token;
    // the minute allows for the database's clock and this process's to differ.
    const families = await this.repo.familiesIssuedWithin(userId, this.accessTokens.ttlMs + 60_000);
    await this.accessTokens.revokeSessions(families.filter((id) => id !== keepSessionId));
  }

  private async revokeIfReused(
    repo: UsersRepository,
    tokenHash: string,
    now: Date,
  ): Promise<string | undefined> {
    const row: RefreshTokenRow | undefined = await repo.findRefreshToken(tokenHash);
    if (!row || row.used_at === null) return undefined;
    await repo.revokeFamily(row.family_id, now);
    return row.family_id;
  }

  private startFamily(actor: Actor, familyId: string): Promise<SessionTokens> {
    return this.issue(this.repo, actor, familyId);
  }

  private async issue(repo: UsersRepository, actor: Actor, familyId: string): Promise<SessionTokens> {
    const refreshToken = randomBytes(32).toString('base64url');
    const started = await repo.insertRefreshToken({
      family_id: familyId,
      user_id: actor.userId,
      token_hash: sha256(refreshToken),
      expires_at: new Date(Date.now() + this.refreshTtlMs),
    });
    // Disabled between the check and now: no token of any kind is issued.
    if (!started) throw accountDisabled();
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
