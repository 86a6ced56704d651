import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Actor, Role } from '../../platform/auth/policy.js';
import { authorize } from '../../platform/auth/policy.js';
import type { AccessTokens } from '../../platform/auth/tokens.js';
import { notFound, unauthenticated, unprocessable } from '../../platform/errors.js';
import { IN_PROCESS, type PasswordAttempts } from './users.attempts.js';
import { hashPassword, needsRehash, verifyAgainstDecoy, verifyPassword } from './users.passwords.js';
import type { UsersRepository } from './users.repository.js';
import { judgeSpentRefresh, spentWithinGrace } from './users.refresh-rules.js';
import { accountDisabled, normalizeEmail } from './users.rules.js';
import type { RefreshTokenRow } from './users.tables.js';
import type { MfaChallenge, SecondFactor } from './users.mfa.js';
import type { ProfileChanges } from './users.profile-cache.js';

export interface SessionTokens {
  id: string;
  role: Role;
  token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  refresh_expires_in: number;
  /** Present (true) when the session may only enrol TOTP (an admin where admins need it). */
  mfa_enrollment_required?: true;
}

/** The two-factor side of logins (users.mfa.ts); absent, logins are password-only. */
export interface MfaGate {
  enabled(userId: string): Promise<boolean>;
  /** Admins must sign in with TOTP: an admin session without it may only enrol. */
  readonly adminsNeedTotp: boolean;
  challenge(userId: string): Promise<MfaChallenge>;
  verifyLogin(input: SecondFactor, clientIp?: string): Promise<string>;
}

const invalidCredentials = () => unauthenticated('invalid_credentials', 'email or password is incorrect');
const invalidRefresh = () =>
  unauthenticated('invalid_refresh_token', 'the refresh token is invalid or expired');

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What a refresh decided, acted on after its transaction commits. */
interface RefreshOutcome {
  issued?: SessionTokens;
  /** The family whose access tokens must end too. */
  revoked?: string;
  reused?: boolean;
  disabled?: boolean;
}

/**
 * Logins, refresh-token rotation and logout. Refresh tokens are opaque random strings
 * stored only as SHA-256; each use spends the token and issues a new one in the same
 * family. Presenting a spent token means it leaked, so the whole family is revoked;
 * except within a short grace after the spend, while nothing issued after it has been
 * used, when it is taken for the retry of a lost answer (see `refresh`).
 */
export class SessionsService {
  constructor(
    private readonly repo: UsersRepository,
    private readonly accessTokens: AccessTokens,
    private readonly attempts: PasswordAttempts,
    private readonly refreshTtlMs: number,
    /** REFRESH_TOKEN_REUSE_GRACE; 0: every spent token presented again is theft. */
    private readonly reuseGraceMs: number,
    private readonly mfa?: MfaGate,
    private readonly profiles?: ProfileChanges,
  ) {}

  /**
   * @throws `invalid_credentials` (401) whether the email is unknown or the password wrong,
   * after the same amount of work; `account_disabled` (403) only after the right password,
   * so a guesser learns nothing of the account; `rate_limited` (429) once the account's
   * failed checks from `clientIp`, or from every address together, have spent their budget
   * (PasswordAttempts); `mfa_required` (422) for an account with TOTP on, whose second
   * step only `beginLogin` offers (gRPC's LoginUser, the seed).
   */
  async login(
    input: { email: string; password: string },
    clientIp: string = IN_PROCESS,
  ): Promise<SessionTokens> {
    const user = await this.checkPassword(input, clientIp);
    if (this.mfa && (await this.mfa.enabled(user.id))) {
      throw unprocessable(
        'mfa_required',
        'this account signs in with a second factor (POST /auth/login/mfa)',
      );
    }
    return this.startFamily({ userId: user.id, role: user.role }, randomUUID());
  }

  /**
   * `login` with a second step: for an account with TOTP on, the right password yields a
   * challenge whose token `completeMfaLogin` takes with a code, instead of tokens.
   * @throws as `login`, but never `mfa_required`
   */
  async beginLogin(
    input: { email: string; password: string },
    clientIp: string = IN_PROCESS,
  ): Promise<SessionTokens | MfaChallenge> {
    const user = await this.checkPassword(input, clientIp);
    if (this.mfa && (await this.mfa.enabled(user.id))) return this.mfa.challenge(user.id);
    return this.startFamily({ userId: user.id, role: user.role }, randomUUID());
  }

  private async checkPassword(input: { email: string; password: string }, clientIp: string) {
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
      // The profile shows when the row last changed.
      await this.profiles?.changed(user.id);
    }
    return user;
  }

  /**
   * The second step of a two-factor login: the challenge's token with a TOTP or recovery
   * code gives the session `login` would have.
   * @throws `invalid_mfa_token` (401), `invalid_mfa_code` (401), `rate_limited` (429),
   * `account_disabled` (403)
   */
  async completeMfaLogin(input: SecondFactor, clientIp: string = IN_PROCESS): Promise<SessionTokens> {
    if (!this.mfa) throw new Error('two-factor sign-in is not wired');
    const userId = await this.mfa.verifyLogin(input, clientIp);
    const user = await this.repo.findUserById(userId);
    if (user?.status !== 'active') throw accountDisabled();
    return this.startFamily({ userId: user.id, role: user.role }, randomUUID());
  }

  /**
   * Starts a session for a user who proved who they are elsewhere (an OpenID provider's
   * sign-in, checked by the caller): no password involved.
   * @throws `account_disabled` (403) for a disabled account, `user_not_found` (404) for none,
   * `mfa_required` (422) for an account with TOTP on
   */
  async startVerified(userId: string): Promise<SessionTokens> {
    const user = await this.repo.findUserById(userId);
    if (!user) throw notFound('user');
    if (user.status !== 'active') throw accountDisabled();
    // A provider's sign-in is one factor: it must not walk around the account's second one.
    if (this.mfa && (await this.mfa.enabled(user.id))) {
      throw unprocessable('mfa_required', 'this account signs in with its password and a second factor');
    }
    return this.startFamily({ userId: user.id, role: user.role }, randomUUID());
  }

  /**
   * Exchanges a refresh token for a new pair in the same session (family), in one
   * transaction. Whatever the concurrency, a family has at most one live refresh token.
   *
   * A spent token presented again is a retry, not theft, when it was spent less than the
   * reuse grace ago and no token issued after it has been used: the client most likely
   * lost the answer (a reload while the refresh was in flight). Its family's unused token
   * is then revoked (presented, it answers `invalid_refresh_token`, not reuse: only a
   * client that raced itself holds it; its access token lives out its short TTL) and a new
   * pair issued. Retries of one token take turns on a row lock, so concurrent ones may all
   * succeed, and only the last pair's refresh token stays live. Any other spent token means
   * a leak: the family is revoked, access tokens too.
   * @throws `invalid_refresh_token` (401) for an unknown token, or an unspent one that
   * expired or was revoked; `refresh_token_reused` (401) for a spent one (revoked or not)
   * outside the rule above; `account_disabled`
   * (403) for a token of a disabled user (disabling revokes them, so only in a race)
   */
  async refresh(refreshToken: string): Promise<SessionTokens> {
    const tokenHash = sha256(refreshToken);
    const now = new Date();
    const outcome = await this.repo.transaction(async (repo): Promise<RefreshOutcome> => {
      const spent = await repo.spendRefreshToken(tokenHash, now);
      if (spent) return this.continueFamily(repo, spent, now);
      const presented = await repo.lockRefreshToken(tokenHash);
      if (!presented) return {};
      const later = spentWithinGrace(presented, now, this.reuseGraceMs)
        ? await repo.lockIssuedAfter(presented)
        : [];
      const verdict = judgeSpentRefresh(presented, later, now, this.reuseGraceMs);
      if (verdict === 'invalid') return {};
      if (verdict === 'reuse') {
        await repo.revokeFamily(presented.family_id, now);
        return { reused: true, revoked: presented.family_id };
      }
      await repo.revokeUnusedInFamily(presented.family_id, now);
      return this.continueFamily(repo, presented, now);
    });
    if (outcome.issued) return outcome.issued;
    // After the commit: the access tokens go only once their refresh tokens surely have.
    if (outcome.revoked) await this.accessTokens.revokeSessions([outcome.revoked]);
    if (outcome.disabled) throw accountDisabled();
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

  /** A new pair in `token`'s family, for its user while active; else the family ends. */
  private async continueFamily(
    repo: UsersRepository,
    token: RefreshTokenRow,
    now: Date,
  ): Promise<RefreshOutcome> {
    const user = await repo.findUserById(token.user_id);
    if (user?.status !== 'active') {
      await repo.revokeFamily(token.family_id, now);
      return { revoked: token.family_id, disabled: user !== undefined };
    }
    return { issued: await this.issue(repo, { userId: user.id, role: user.role }, token.family_id) };
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
    // Decided at every issue, refreshes included: enrolling lifts it from the next token on.
    // Asked through `repo`: inside a refresh's transaction, on its connection.
    const enrolmentOnly =
      this.mfa?.adminsNeedTotp === true &&
      actor.role === 'admin' &&
      !(await repo.hasConfirmedTotp(actor.userId));
    const access = await this.accessTokens.issue(
      enrolmentOnly ? { ...actor, mfaEnrolmentOnly: true } : actor,
      familyId,
    );
    return {
      id: actor.userId,
      role: actor.role,
      token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresInSeconds,
      refresh_token: refreshToken,
      refresh_expires_in: Math.floor(this.refreshTtlMs / 1000),
      ...(enrolmentOnly ? { mfa_enrollment_required: true as const } : {}),
    };
  }
}
