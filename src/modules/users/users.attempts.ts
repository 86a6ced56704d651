import { createHash } from 'node:crypto';
import { addressKey, type RateLimits } from '../../platform/http/rate-limits.js';
import { normalizeEmail } from './users.rules.js';

/**
 * Where an attempt came from when no network edge is involved (the CLI, the seed, a test
 * calling the service directly): those callers share one address of their own.
 */
export const IN_PROCESS = 'in-process';

/**
 * Password checks against one account (a login, or the current password a profile change
 * asks for), budgeted as OWASP advises: strictly per (account, client address), so a
 * guesser is stopped while the owner, from any other address, still gets in; and loosely
 * per account over a short window, so guesses spread over many addresses are slowed to
 * that rate (429 with a Retry-After of at most the window) instead of locking the account.
 */
export class PasswordAttempts {
  constructor(private readonly limits: RateLimits) {}

  /**
   * Runs `check` within both budgets: it answers what the right password unlocks, or
   * undefined when the password is wrong. The attempt is counted before the check, so
   * concurrent guesses cannot all slip in under one remaining point; a success gives it back.
   * @throws `rate_limited` (429) when either budget is spent, without running `check`.
   */
  async verify<T>(
    email: string,
    clientIp: string,
    check: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    // Hashed so that Redis never holds an email address.
    const account = createHash('sha256').update(normalizeEmail(email)).digest('hex');
    const pair = `${account}:${addressKey(clientIp)}`;
    await this.limits.consume('loginFailures', pair);
    try {
      await this.limits.consume('loginFailuresPerAccount', account);
    } catch (error) {
      // Refused without a check: not a guess this address should be charged for.
      await this.limits.reward('loginFailures', pair);
      throw error;
    }
    let unlocked: T | undefined;
    try {
      unlocked = await check();
    } catch (error) {
      // Not checked (the hashing queue was full, the database failed): not a guess either.
      // The original error is the one to report, even if giving the points back fails too.
      await Promise.all([
        this.limits.reward('loginFailures', pair),
        this.limits.reward('loginFailuresPerAccount', account),
      ]).catch(() => {});
      throw error;
    }
    if (unlocked === undefined) return undefined;
    // The owner's success clears this address only: the others may still be guessing.
    await this.limits.reset('loginFailures', pair);
    await this.limits.reward('loginFailuresPerAccount', account);
    return unlocked;
  }
}
