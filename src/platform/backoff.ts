/** How hard something is retried: exponential backoff, then giving up after an age. */
export interface BackoffPolicy {
  /** First retry delay; doubles per attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A job older than this when a retry would fall due is given up on. */
  maxAgeMs: number;
}

/**
 * Delay before the next attempt after `attempts` failed ones: base × 2^(attempts-1),
 * capped, then jittered to 80–120 % so endpoints that failed together do not all retry
 * in the same second. `random` is injectable for tests.
 */
export function retryDelayMs(
  attempts: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const raw = Math.min(policy.baseDelayMs * 2 ** exponent, policy.maxDelayMs);
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** What happens to a delivery after an attempt that did not get a 2xx. */
export function afterFailure(
  input: { attempts: number; ageMs: number },
  policy: BackoffPolicy,
  random: () => number = Math.random,
): { giveUp: true } | { giveUp: false; delayMs: number } {
  const delayMs = retryDelayMs(input.attempts, policy, random);
  return input.ageMs + delayMs > policy.maxAgeMs ? { giveUp: true } : { giveUp: false, delayMs };
}
