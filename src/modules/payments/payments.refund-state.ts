import { conflict } from '../../platform/errors.js';

export type RefundStatus = 'pending' | 'succeeded' | 'failed';

/**
 * The refund state machine, whole (Stripe's and Adyen's model). A refund is `pending` from
 * the moment its ledger hold is placed until the provider's answer is known; then the hold
 * is posted (`succeeded`) or voided (`failed`). Both ends are final: a refund that failed
 * is retried as a new refund, never revived.
 */
export const REFUND_TRANSITIONS: Readonly<Record<RefundStatus, readonly RefundStatus[]>> = {
  pending: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
};

export const canMoveRefund = (from: RefundStatus, to: RefundStatus): boolean =>
  REFUND_TRANSITIONS[from].includes(to);

/** @throws `refund_already_settled` (409) for any move the table does not allow. */
export function assertRefundMove(from: RefundStatus, to: RefundStatus): void {
  if (!canMoveRefund(from, to)) {
    throw conflict('refund_already_settled', `a ${from} refund cannot become ${to}`);
  }
}

/** How long the reconciler waits before asking about a pending refund again (capped backoff). */
export function nextCheckDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempts, 20));
}
