import { randomBytes } from 'node:crypto';
import { type Actor, authorize, type Role } from '../../platform/auth/policy.js';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import { fieldContext } from '../../platform/crypto/reencrypt.js';
import { conflict, invalidField, notFound, unauthenticated } from '../../platform/errors.js';
import { IN_PROCESS, type PasswordAttempts } from './users.attempts.js';
import { verifyPassword } from './users.passwords.js';
import type { RecoveryRepository } from './users.recovery-repository.js';
import { newOneTimeToken, sha256 } from './users.recovery.js';
import type { UsersRepository } from './users.repository.js';
import { base32Decode, base32Encode, matchingStep, newTotpSecret, otpauthUri } from './users.totp.js';

/** Who may turn two-factor sign-in on: the accounts that move money or run the platform. */
export const MFA_ROLES: readonly Role[] = ['seller', 'admin'];
const RECOVERY_CODE_COUNT = 10;
/** How long the password step of a two-factor login stays good for its second step. */
const MFA_LOGIN_TTL_MS = 5 * 60_000;

/** What a login answers instead of tokens when the account has TOTP on. */
export interface MfaChallenge {
  mfa_required: true;
  mfa_token: string;
  expires_in: number;
}

export interface SecondFactor {
  mfa_token: string;
  code?: string;
  recovery_code?: string;
}

const invalidCode = () => unauthenticated('invalid_mfa_code', 'the code is incorrect or was already used');
const invalidMfaToken = () =>
  unauthenticated('invalid_mfa_token', 'the sign-in attempt expired; enter your password again');

/** `XXXX-XXXX-XXXX-XXXX`: 80 random bits in base32, grouped for reading aloud or typing. */
const newRecoveryCode = () => base32Encode(randomBytes(10)).match(/.{4}/g)!.join('-');
const normalizeRecoveryCode = (code: string) => code.replace(/[\s-]/g, '').toUpperCase();
const hashRecoveryCode = (code: string) => sha256(normalizeRecoveryCode(code));

/**
 * TOTP two-factor sign-in (RFC 6238) with one-time recovery codes. The seed is stored
 * encrypted with the key ring (context `user_totp.secret:<user id>`), decrypted only here.
 * An authenticator signs nobody in until a first code confirms it; each time step's code
 * is accepted once (the repository refuses a step not newer than the last one used).
 */
export class MfaService {
  constructor(
    private readonly users: UsersRepository,
    private readonly repo: RecoveryRepository,
    private readonly keyring: KeyRing,
    private readonly attempts: PasswordAttempts,
    private readonly options: { issuer: string; requireAdminMfa: boolean },
  ) {}

  /** Whether the user signs in with a second factor. */
  async enabled(userId: string): Promise<boolean> {
    const totp = await this.repo.findTotp(userId);
    return totp !== undefined && totp.confirmed_at !== null;
  }

  /** Admins must sign in with TOTP (always in live mode). */
  get adminsNeedTotp(): boolean {
    return this.options.requireAdminMfa;
  }

  /** The second step of a login: a short-lived, single-use token that stands for the right password. */
  async challenge(userId: string): Promise<MfaChallenge> {
    const token = newOneTimeToken();
    await this.repo.issueToken({
      user_id: userId,
      purpose: 'mfa_login',
      token_hash: sha256(token),
      ttlMs: MFA_LOGIN_TTL_MS,
    });
    return { mfa_required: true, mfa_token: token, expires_in: MFA_LOGIN_TTL_MS / 1000 };
  }

  /**
   * Checks the second step and spends its token: returns the user it signs in. A wrong code
   * counts as a failed login of the account (PasswordAttempts), so codes cannot be guessed
   * past the login budget; the token stays good for another try until it expires.
   * @throws `invalid_mfa_token` (401), `invalid_mfa_code` (401), `rate_limited` (429)
   */
  async verifyLogin(input: SecondFactor, clientIp: string = IN_PROCESS): Promise<string> {
    if ((input.code === undefined) === (input.recovery_code === undefined)) {
      throw invalidField('code', 'required', 'give either code or recovery_code');
    }
    const tokenHash = sha256(input.mfa_token);
    const pending = await this.repo.findLiveToken('mfa_login', tokenHash);
    const user = pending && (await this.users.findUserById(pending.user_id));
    if (!pending || !user) throw invalidMfaToken();
    const passed = await this.attempts.verify(user.email, clientIp, async () =>
      (await this.checkSecondFactor(user.id, input)) ? true : undefined,
    );
    if (!passed) throw invalidCode();
    if (!(await this.repo.consumeToken('mfa_login', tokenHash))) throw invalidMfaToken();
    return user.id;
  }

  /** Whether TOTP is on and how many recovery codes are left. Sellers and admins. */
  async status(actor: Actor | undefined): Promise<{ totp_enabled: boolean; recovery_codes_left: number }> {
    const me = authorize(actor, { roles: MFA_ROLES });
    const enabled = await this.enabled(me.userId);
    return {
      totp_enabled: enabled,
      recovery_codes_left: enabled ? await this.repo.recoveryCodesLeft(me.userId) : 0,
    };
  }

  /**
   * Starts enrolling an authenticator: a new seed, returned once as base32 and as an
   * otpauth:// URI (for a QR code). Not in force until confirmed; starting again replaces
   * an unconfirmed seed.
   * @throws `role_not_allowed` (403) for buyers, `mfa_already_enabled` (409)
   */
  async start(actor: Actor | undefined): Promise<{ secret: string; otpauth_uri: string }> {
    const me = authorize(actor, { roles: MFA_ROLES });
    const user = await this.users.findUserById(me.userId);
    if (!user) throw notFound('user');
    const secret = newTotpSecret();
    const sealed = this.keyring.encrypt(base32Encode(secret), fieldContext('user_totp', 'secret', me.userId));
    if (!(await this.repo.startTotp(me.userId, sealed))) throw alreadyEnabled();
    return { secret: base32Encode(secret), otpauth_uri: otpauthUri(secret, this.options.issuer, user.email) };
  }

  /**
   * Turns TOTP on with a first code from the authenticator, and returns ten recovery codes:
   * the only time they are shown.
   * @throws `mfa_not_started` (409), `mfa_already_enabled` (409), `invalid_mfa_code` (401)
   */
  async confirm(actor: Actor | undefined, code: string): Promise<{ recovery_codes: string[] }> {
    const me = authorize(actor, { roles: MFA_ROLES });
    const totp = await this.repo.findTotp(me.userId);
    if (!totp) throw conflict('mfa_not_started', 'start with POST /users/me/mfa/totp');
    if (totp.confirmed_at) throw alreadyEnabled();
    const step = matchingStep(this.secretOf(me.userId, totp.secret), code, Date.now());
    if (step === undefined) throw invalidCode();
    return this.users.transaction(async (_users, trx) => {
      const repo = this.repo.withTransaction(trx);
      if (!(await repo.useStep(me.userId, step, true))) throw invalidCode();
      return { recovery_codes: await this.replaceCodes(repo, me.userId) };
    });
  }

  /**
   * Turns TOTP off, proven by a current code or the password. Where admins must use TOTP,
   * an admin cannot turn it off.
   * @throws `mfa_required_for_role` (409), `mfa_not_enabled` (409), `invalid_mfa_code` (401)
   */
  async disable(
    actor: Actor | undefined,
    proof: { code?: string; password?: string },
    clientIp = IN_PROCESS,
  ) {
    const me = authorize(actor, { roles: MFA_ROLES });
    if (this.options.requireAdminMfa && me.role === 'admin') {
      throw conflict('mfa_required_for_role', 'admins must keep two-factor sign-in on');
    }
    if (!(await this.enabled(me.userId))) throw conflict('mfa_not_enabled', 'two-factor sign-in is off');
    await this.prove(me.userId, proof, clientIp);
    await this.repo.deleteTotp(me.userId);
  }

  /**
   * New recovery codes, proven by a current code; the old ones stop working.
   * @throws `mfa_not_enabled` (409), `invalid_mfa_code` (401)
   */
  async regenerateRecoveryCodes(actor: Actor | undefined, code: string, clientIp = IN_PROCESS) {
    const me = authorize(actor, { roles: MFA_ROLES });
    if (!(await this.enabled(me.userId))) throw conflict('mfa_not_enabled', 'two-factor sign-in is off');
    await this.prove(me.userId, { code }, clientIp);
    return { recovery_codes: await this.replaceCodes(this.repo, me.userId) };
  }

  /** A code or the password, budgeted as failed logins are: a stolen access token cannot guess without limit. */
  private async prove(userId: string, proof: { code?: string; password?: string }, clientIp: string) {
    if ((proof.code === undefined) === (proof.password === undefined)) {
      throw invalidField('code', 'required', 'give either code or password');
    }
    const user = await this.users.findUserById(userId);
    if (!user) throw notFound('user');
    const ok = await this.attempts.verify(user.email, clientIp, async () => {
      const valid =
        proof.password !== undefined
          ? await verifyPassword(proof.password, user.password_hash)
          : await this.checkTotp(userId, proof.code!);
      return valid ? true : undefined;
    });
    if (!ok) throw invalidCode();
  }

  private async checkSecondFactor(userId: string, input: SecondFactor): Promise<boolean> {
    if (input.recovery_code !== undefined) {
      return this.repo.useRecoveryCode(userId, hashRecoveryCode(input.recovery_code));
    }
    return this.checkTotp(userId, input.code!);
  }

  private async checkTotp(userId: string, code: string): Promise<boolean> {
    const totp = await this.repo.findTotp(userId);
    if (!totp?.confirmed_at) return false;
    const step = matchingStep(this.secretOf(userId, totp.secret), code, Date.now());
    return step !== undefined && (await this.repo.useStep(userId, step, false));
  }

  private secretOf(userId: string, sealed: string): Buffer {
    return base32Decode(this.keyring.decrypt(sealed, fieldContext('user_totp', 'secret', userId)));
  }

  private async replaceCodes(repo: RecoveryRepository, userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await repo.replaceRecoveryCodes(userId, codes.map(hashRecoveryCode));
    return codes;
  }
}

const alreadyEnabled = () => conflict('mfa_already_enabled', 'two-factor sign-in is already on');
