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

export type OrderEventType = 'order.shipped' | 'order.delivered';

/** A priced order's amounts beyond its items, in the payment's currency (decimal strings). */
export interface ReceiptPricing {
  subtotal: string;
  shipping: string;
  /** Every tax, included in the prices or added. */
  tax: string;
  /** The part of `tax` added on top of the prices. */
  tax_added: string;
  discount: string;
}

/**
 * The data of `order.shipped` and `order.delivered`, exactly: webhooks, mail and Web Push
 * read it, so a field is added here only with all of them in mind. Times are ISO 8601.
 */
export interface OrderItemEventData {
  order_id: string;
  buyer_id: string;
  item: {
    id: string;
    product_id: string;
    product_name: string;
    quantity: number;
    seller_id: string;
    fulfilment_status: string;
    carrier: string | null;
    tracking_number: string | null;
    shipped_at: string | null;
    delivered_at: string | null;
  };
}

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
    /**
     * What the payment alone does not say: the refund a `payment.refunded` is about, and a
     * priced order's shipping, tax and discounts (receipts list them).
     */
    extra?: { refund?: { id: string; amount: string; reason: string }; pricing?: ReceiptPricing },
  ): Promise<void>;
  /**
   * The same events of several payments, written in one statement; each carries the trace
   * of the request it belongs to (`traceparent`) rather than the current one.
   */
  emitEach(
    trx: Transaction<object>,
    type: PaymentEventType | readonly PaymentEventType[],
    payments: readonly { payment: PublicPayment; traceparent: string | undefined }[],
  ): Promise<void>;
  /** A refund's event; its data is the refund with the payment as it stands after it. */
  emitRefund(
    trx: Transaction<object>,
    type: RefundEventType,
    refund: PublicRefund,
    extra: { payment: PublicPayment },
  ): Promise<void>;
  /** An order item's fulfilment event, on the order's aggregate (`order:<order_id>`). */
  emitOrder(trx: Transaction<object>, type: OrderEventType, data: OrderItemEventData): Promise<void>;
}

export const noPaymentEvents: PaymentEvents = {
  emit: async () => {},
  emitEach: async () => {},
  emitRefund: async () => {},
  emitOrder: async () => {},
};

/** Buyer and sellers: the people a payment event is about. */
export const eventOwners = (payment: PublicPayment): string[] => [
  ...new Set([payment.user_id, ...payment.items.map((item) => item.seller_id)]),
];

/** Buyer and the item's seller: the people an order item's event is about. */
export const orderEventOwners = (data: OrderItemEventData): string[] => [
  ...new Set([data.buyer_id, data.item.seller_id]),
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
