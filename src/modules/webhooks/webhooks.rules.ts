/** The events integrators may subscribe to; `*` subscribes to all of them. */
export const EVENT_TYPES = [
  'payment.created',
  'payment.succeeded',
  'payment.failed',
  'payment.canceled',
  'payment.expired',
  'payment.refunded',
  'payout.requested',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const isSubscribable = (type: string) =>
  type === '*' || (EVENT_TYPES as readonly string[]).includes(type);

/** How hard deliveries are retried and when an endpoint is given up on. */
export interface RetryPolicy {
  /** First retry delay; doubles per attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A delivery older than this when a retry would fall due is marked failed. */
  maxAgeMs: number;
  /** Consecutive failed attempts after which an endpoint is disabled... */
  disableAfterFailures: number;
  /** ...or failing without a single success for this long. */
  disableAfterFailingMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  baseDelayMs: 30_000,
  maxDelayMs: 6 * 3_600_000,
  maxAgeMs: 3 * 86_400_000,
  disableAfterFailures: 50,
  disableAfterFailingMs: 3 * 86_400_000,
};

/**
 * Delay before the next attempt after `attempts` failed ones: base × 2^(attempts-1),
 * capped, then jittered to 80–120 % so endpoints that failed together do not all retry
 * in the same second. `random` is injectable for tests.
 */
export function retryDelayMs(
  attempts: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const raw = Math.min(policy.baseDelayMs * 2 ** exponent, policy.maxDelayMs);
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** What happens to a delivery after an attempt that did not get a 2xx. */
export function afterFailure(
  input: { attempts: number; ageMs: number },
  policy: RetryPolicy,
  random: () => number = Math.random,
): { giveUp: true } | { giveUp: false; delayMs: number } {
  const delayMs = retryDelayMs(input.attempts, policy, random);
  return input.ageMs + delayMs > policy.maxAgeMs ? { giveUp: true } : { giveUp: false, delayMs };
}

/** Whether an endpoint's run of failures is long enough to disable it. */
export function shouldDisable(input: { failureStreak: number; failingForMs: number }, policy: RetryPolicy) {
  return (
    input.failureStreak >= policy.disableAfterFailures || input.failingForMs >= policy.disableAfterFailingMs
  );
}

/** Only 2xx counts; 3xx is a failure because deliveries never follow redirects. */
export const isDelivered = (statusCode: number | undefined) =>
  statusCode !== undefined && statusCode >= 200 && statusCode < 300;
