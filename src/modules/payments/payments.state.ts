import { unprocessable } from '../../platform/errors.js';

export type PaymentStatus =
  'pending' | 'succeeded' | 'failed' | 'canceled' | 'expired' | 'partially_refunded' | 'refunded';

export const PAYMENT_STATUSES: readonly PaymentStatus[] = [
  'pending',
  'succeeded',
  'failed',
  'canceled',
  'expired',
  'partially_refunded',
  'refunded',
];

/**
 * The payment state machine, whole. Everything not listed is refused. Leaving `pending`
 * for failed, canceled or expired releases the reserved stock; reaching `succeeded`
 * requires the ledger transaction (the database checks that too).
 */
export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  pending: ['succeeded', 'failed', 'canceled', 'expired'],
  succeeded: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  failed: [],
  canceled: [],
  expired: [],
  refunded: [],
};

/** States after which the reserved stock goes back to the catalog. */
export const RELEASES_STOCK: ReadonlySet<PaymentStatus> = new Set(['failed', 'canceled', 'expired']);

export const canTransition = (from: PaymentStatus, to: PaymentStatus): boolean =>
  PAYMENT_TRANSITIONS[from].includes(to);

/** @throws `invalid_payment_transition` (422) for any move the table does not allow. */
export function assertTransition(from: PaymentStatus, to: PaymentStatus): void {
  if (!canTransition(from, to)) {
    throw unprocessable('invalid_payment_transition', `a ${from} payment cannot become ${to}`);
  }
}

/** The status after refunding `refundMinor` more of a payment, given what was refunded before. */
export function statusAfterRefund(
  amountMinor: bigint,
  refundedMinor: bigint,
  refundMinor: bigint,
): PaymentStatus {
  return refundedMinor + refundMinor === amountMinor ? 'refunded' : 'partially_refunded';
}
