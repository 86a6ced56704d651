import type { BackoffPolicy } from '../../platform/backoff.js';

/** The events integrators may subscribe to; `*` subscribes to all of them. */
export const EVENT_TYPES = [
  'payment.created',
  'payment.succeeded',
  'payment.failed',
  'payment.canceled',
  'payment.expired',
  'payment.refunded',
  'refund.created',
  'refund.succeeded',
  'refund.failed',
  'order.shipped',
  'order.delivered',
  'payout.requested',
  'payout.completed',
  'payout.failed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const isSubscribable = (type: string) =>
  type === '*' || (EVENT_TYPES as readonly string[]).includes(type);

/** How hard deliveries are retried and when an endpoint is given up on. */
export interface RetryPolicy extends BackoffPolicy {
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

// Backoff is shared with the mail queue.
export { afterFailure, retryDelayMs } from '../../platform/backoff.js';

/** Whether an endpoint's run of failures is long enough to disable it. */
export function shouldDisable(input: { failureStreak: number; failingForMs: number }, policy: RetryPolicy) {
  return (
    input.failureStreak >= policy.disableAfterFailures || input.failingForMs >= policy.disableAfterFailingMs
  );
}

/** Only 2xx counts; 3xx is a failure because deliveries never follow redirects. */
export const isDelivered = (statusCode: number | undefined) =>
  statusCode !== undefined && statusCode >= 200 && statusCode < 300;
