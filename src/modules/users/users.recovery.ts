import { createHash, randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import type { Outbox } from '../../platform/events/outbox.js';
import { conflict, invalid, isAppError, notFound } from '../../platform/errors.js';
import type { RateLimits } from '../../platform/http/rate-limits.js';
import { assertAcceptablePassword } from './users.password-rules.js';
import { hashPassword } from './users.passwords.js';
import type { RecoveryRepository } from './users.recovery-repository.js';
import {
  EMAIL_VERIFICATION_REQUESTED,
  PASSWORD_RESET_REQUESTED,
  type RecoveryEventData,
  sealRecoveryMail,
} from './users.recovery-events.js';
import type { UsersRepository } from './users.repository.js';
import { assertPasswordsMatch, normalizeEmail } from './users.rules.js';
import type { SessionsService } from './users.sessions.js';
import type { ProfileChanges } from './users.profile-cache.js';

export interface RecoverySettings {
  emailVerificationTtlMs: number;
  passwordResetTtlMs: number;
  /** Where the web app is: links in mails point at its pages. */
  appUrl: string;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const newOneTimeToken = () => randomBytes(32).toString('base64url');
/** The blind index an address being verified is kept under (never the address itself). */
const EMAIL_INDEX = 'user_tokens.email_hash';

const invalidToken = () =>
  invalid('invalid_or_expired_token', 'the link is invalid, expired or was already used');

/**
 * E-mail verification and password reset by e-mail. Tokens are 256 random bits, stored as
 * SHA-256, spent once, and only the newest of a kind works; the mail that carries one is
 * queued through the outbox in the transaction that issued it, its link sealed with the key
 * ring (users.recovery-events.ts).
 */
export class RecoveryService {
  constructor(
    private readonly users: UsersRepository,
    private readonly repo: RecoveryRepository,
    private readonly keyring: KeyRing,
    private readonly outbox: Outbox,
    private readonly limits: RateLimits,
    private readonly sessions: Pick<SessionsService, 'revokeAccessTokens'>,
    private readonly settings: RecoverySettings,
    private readonly logger?: Logger,
    private readonly profiles?: ProfileChanges,
  ) {}

  /**
   * Issues a verification link for `email` (the user's current address) inside the caller's
   * transaction, and marks the address unverified. Called on registration and on an e-mail change.
   */
  async requestVerification(trx: Transaction<object>, userId: string, email: string): Promise<void> {
    const { sealed, expires_at } = await this.issueVerification(trx, userId, email);
    const data: RecoveryEventData = { user_id: userId, sealed, expires_at };
    await this.outbox.write(trx, [{ type: EMAIL_VERIFICATION_REQUESTED, aggregate: `user:${userId}`, data }]);
  }

  /**
   * The verification link of `requestVerification`, sealed for the `user:<id>` aggregate, for
   * the caller to put in its own event (registration's `user.registered`: the welcome mail).
   */
  async issueVerification(
    trx: Transaction<object>,
    userId: string,
    email: string,
  ): Promise<{ sealed: string; expires_at: string }> {
    const repo = this.repo.withTransaction(trx);
    await repo.setEmailVerified(userId, false);
    const token = newOneTimeToken();
    const expiresAt = await repo.issueToken({
      user_id: userId,
      purpose: 'verify_email',
      token_hash: sha256(token),
      email_hash: this.keyring.blindIndex(normalizeEmail(email), EMAIL_INDEX),
      ttlMs: this.settings.emailVerificationTtlMs,
    });
    return {
      sealed: sealRecoveryMail(this.keyring, `user:${userId}`, {
        email,
        url: `${this.settings.appUrl}/account/verify-email#token=${token}`,
      }),
      expires_at: new Date(expiresAt).toISOString(),
    };
  }

  /**
   * Sends a new verification link to the caller's address (the older one stops working).
   * @throws `email_already_verified` (409), `rate_limited` (429) past the per-account budget
   */
  async resendVerification(actor: Actor | undefined): Promise<void> {
    const me = authorize(actor);
    const user = await this.users.findUserById(me.userId);
    if (!user) throw notFound('user');
    if (user.email_verified_at) throw conflict('email_already_verified', 'the e-mail address is verified');
    await this.limits.consume('recoveryPerAccount', `verify:${me.userId}`);
    await this.users.transaction((_repo, trx) => this.requestVerification(trx, user.id, user.email));
  }

  /**
   * Marks the address verified. The token must be live and for the address the account has
   * now: a link mailed to an address changed since proves nothing about the new one.
   * @throws `invalid_or_expired_token` (400)
   */
  async verifyEmail(token: string): Promise<{ email_verified: true }> {
    // One connection for the whole check (the embedded database has only one).
    const userId = await this.users.transaction(async (users, trx) => {
      const repo = this.repo.withTransaction(trx);
      const row = await repo.consumeToken('verify_email', sha256(token));
      if (!row) return false;
      const user = await users.findUserById(row.user_id);
      if (!user || this.keyring.blindIndex(normalizeEmail(user.email), EMAIL_INDEX) !== row.email_hash)
        return false;
      await repo.setEmailVerified(row.user_id, true);
      return row.user_id;
    });
    if (!userId) throw invalidToken();
    await this.profiles?.changed(userId);
    return { email_verified: true };
  }

  /**
   * Mails a reset link when the address belongs to an active account. Whatever the address,
   * the caller gets the same answer, after the same token and encryption work; what still
   * differs (one INSERT and one outbox row) is a few milliseconds against the rate limits'
   * noise. Past the per-address budget the request is dropped silently, so the same answer
   * cannot be turned into a mailbox flood.
   */
  async requestPasswordReset(email: string): Promise<void> {
    const address = normalizeEmail(email);
    try {
      await this.limits.consume('recoveryPerAccount', `reset:${sha256(address)}`);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'rate_limited') throw error;
      this.logger?.info('password reset dropped: too many for one address');
      return;
    }
    const token = newOneTimeToken();
    const tokenHash = sha256(token);
    const url = `${this.settings.appUrl}/account/reset-password#token=${token}`;
    const user = await this.users.findUserByEmail(address);
    if (!user || user.status !== 'active') {
      // The same sealing work as for a real account, thrown away.
      sealRecoveryMail(this.keyring, 'user:unknown', { email: address, url });
      return;
    }
    await this.users.transaction(async (_repo, trx) => {
      const expiresAt = await this.repo.withTransaction(trx).issueToken({
        user_id: user.id,
        purpose: 'password_reset',
        token_hash: tokenHash,
        ttlMs: this.settings.passwordResetTtlMs,
      });
      await this.queueMail(trx, PASSWORD_RESET_REQUESTED, user.id, expiresAt, { email: user.email, url });
    });
  }

  /**
   * Sets a new password with a reset token, in one transaction with ending every session
   * (refresh tokens; access tokens right after the commit) and spending every other reset
   * link. It also marks the address verified: the link proved the mailbox. Works for an
   * account that had no password (signed up through OpenID Connect).
   * @throws `validation_failed` (400) for passwords that differ, `password_too_common` (400),
   * `invalid_or_expired_token` (400); the token is spent only when the password is accepted.
   */
  async confirmPasswordReset(input: {
    token: string;
    password: string;
    confirm_password: string;
  }): Promise<void> {
    assertPasswordsMatch(input.password, input.confirm_password);
    await assertAcceptablePassword(input.password);
    const passwordHash = await hashPassword(input.password);
    const userId = await this.users.transaction(async (users, trx) => {
      const repo = this.repo.withTransaction(trx);
      const row = await repo.consumeToken('password_reset', sha256(input.token));
      if (!row) return undefined;
      await users.updateUser(row.user_id, { password_hash: passwordHash });
      await repo.setEmailVerified(row.user_id, true);
      await repo.spendTokens(row.user_id, 'password_reset');
      await repo.spendTokens(row.user_id, 'mfa_login');
      await users.revokeAllForUser(row.user_id, new Date());
      return row.user_id;
    });
    if (!userId) throw invalidToken();
    await this.profiles?.changed(userId);
    await this.sessions.revokeAccessTokens(userId);
  }

  private async queueMail(
    trx: Transaction<object>,
    type: string,
    userId: string,
    expiresAt: Date,
    secret: { email: string; url: string },
  ): Promise<void> {
    const aggregate = `user:${userId}`;
    const data: RecoveryEventData = {
      user_id: userId,
      sealed: sealRecoveryMail(this.keyring, aggregate, secret),
      expires_at: new Date(expiresAt).toISOString(),
    };
    await this.outbox.write(trx, [{ type, aggregate, data }]);
  }
}
