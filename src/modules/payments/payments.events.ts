import type { Transaction } from 'kysely';
import type { PublicPayment, PublicRefund } from './payments.rules.js';

export type PaymentEventType =
  | 'payment.created'
  | 'payment.succeeded'
  | 'payment.failed'
  | 'payment.canceled'
  | 'payment.expired'
  | 'payment.refunded';

export type RefundEventType = 'refund.created' | 'refund.succeeded' | 'refund.failed';

/**
 * Where payment events go (the outbox). Called inside the transaction of the change it
 * reports, so an event exists exactly when its change does.
 */
export interface PaymentEvents {
  emit(
    trx: Transaction<object>,
    /** Several types (a payment created already settled) are written in one statement. */
    type: PaymentEventType | readonly PaymentEventType[],
    payment: PublicPayment,
    /** What the payment alone does not say: the refund a `payment.refunded` is about. */
    extra?: { refund: { id: string; amount: string; reason: string } },
  ): Promise<void>;
  /** A refund's event; its data is the refund with the payment as it stands after it. */
  emitRefund(
    trx: Transaction<object>,
    type: RefundEventType,
    refund: PublicRefund,
    extra: { payment: PublicPayment },
  ): Promise<void>;
}

export const noPaymentEvents: PaymentEvents = { emit: async () => {}, emitRefund: async () => {} };

/** Buyer and sellers: the people a payment event is about. */
export const eventOwners = (payment: PublicPayment): string[] => [
  ...new Set([payment.user_id, ...payment.items.map((item) => item.seller_id)]),
];

export const eventForStatus = (status: string): PaymentEventType | undefined =>
  (
    ({
      succeeded: 'payment.succeeded',
      failed: 'payment.failed',
      canceled: 'payment.canceled',
      expired: 'payment.expired',
      partially_refunded: 'payment.refunded',
      refunded: 'payment.refunded',
    }) as Record<string, PaymentEventType>
  )[status];
