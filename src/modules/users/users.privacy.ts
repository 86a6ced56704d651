import type { Transaction } from 'kysely';
import { notFound, unauthenticated } from '../../platform/errors.js';
import { IN_PROCESS, type PasswordAttempts } from './users.attempts.js';
import { verifyPassword } from './users.passwords.js';
import type { UsersRepository } from './users.repository.js';
import type { SessionsService } from './users.sessions.js';
import type { ProfileChanges } from './users.profile-cache.js';

/** Most sessions an export lists: far more than a person keeps, few enough to hold in memory. */
const MAX_SESSIONS = 1_000;

export interface SessionSummary {
  id: string;
  started_at: string;
  last_used_at: string;
  revoked_at: string | null;
  expires_at: string;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/**
 * What the privacy module needs of accounts: confirming it is really the person, their
 * sessions for an export, and erasure. Not for requests: callers authorize first.
 */
export class UserPrivacy {
  constructor(
    private readonly repo: UsersRepository,
    private readonly attempts: PasswordAttempts,
    private readonly sessions: Pick<SessionsService, 'revokeAccessTokens'>,
    private readonly profiles?: ProfileChanges,
  ) {}

  /**
   * Confirms `password` is the account's, counted against the same budgets as a login (a
   * stolen access token must not let its holder guess without limit). An account without a
   * password (OpenID Connect) has nothing to confirm with: `hasPassword` tells the caller.
   * @throws `invalid_credentials` (401), `rate_limited` (429), `user_not_found` (404)
   */
  async confirmPassword(userId: string, password: string, clientIp: string = IN_PROCESS): Promise<void> {
    const user = await this.repo.findUserById(userId);
    if (!user) throw notFound('user');
    const verified = await this.attempts.verify(user.email, clientIp, async () =>
      (await verifyPassword(password, user.password_hash)) ? true : undefined,
    );
    if (!verified) throw unauthenticated('invalid_credentials', 'password is incorrect');
  }

  /** Whether the account exists and is not erased, and whether a password signs it in. */
  async account(userId: string): Promise<{ status: string; role: string; hasPassword: boolean } | undefined> {
    const user = await this.repo.findUserById(userId);
    return user
      ? { status: user.status, role: user.role, hasPassword: user.password_hash !== null }
      : undefined;
  }

  /** The user's sessions (refresh-token families) without any token or hash, newest first. */
  async sessionsOf(userId: string): Promise<SessionSummary[]> {
    const rows = await this.repo.sessionsOf(userId, MAX_SESSIONS);
    return rows.map((row) => ({
      id: row.family_id,
      started_at: iso(row.started_at)!,
      last_used_at: iso(row.last_used_at)!,
      revoked_at: iso(row.revoked_at),
      expires_at: iso(row.expires_at)!,
    }));
  }

  /**
   * Anonymises the account in the caller's transaction: name "Erased user", a pseudonymous
   * address that can never receive mail (RFC 2606 `.invalid`), no phone or address, no
   * password, second factor, sign-in identity or pending link, status `erased`, every
   * refresh token revoked. The old address is free to register again. The
   * id stays, as the pseudonym payments and the ledger keep naming. False for no such user.
   */
  async erase(trx: Transaction<object>, userId: string): Promise<boolean> {
    const repo = this.repo.withTransaction(trx);
    const now = new Date();
    const renamed = await repo.updateUser(userId, {
      name: 'Erased user',
      email: `erased-${userId}@erased.invalid`,
      phone: null,
      shipping_address: null,
    });
    if (!renamed) return false;
    return repo.markErased(userId, now);
  }

  /**
   * Ends the live access tokens of the user's sessions on every instance, and drops the
   * profile every instance may hold (after erase commits).
   */
  async revokeAccessTokens(userId: string): Promise<void> {
    await this.sessions.revokeAccessTokens(userId);
    await this.profiles?.changed(userId);
  }
}
