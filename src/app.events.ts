import {
  eventOwners,
  type OrderItemEventData,
  orderEventOwners,
  type PaymentEvents,
} from './modules/payments/payments.events.js';
import type { PublicPayment } from './modules/payments/payments.rules.js';
import { walletEventOwners } from './modules/wallets/wallets.events.js';
import type { DomainEvent } from './platform/events/event.js';
import type { Outbox } from './platform/events/outbox.js';
import { paymentsTotal, refundsTotal } from './platform/metrics/metrics.registry.js';

/** Whose webhooks hear of an event: a payment's buyer and sellers, an order item's buyer and seller, a payout's seller. */
export function audienceOf(event: DomainEvent): string[] {
  if (event.type.startsWith('order.')) return orderEventOwners(event.data as OrderItemEventData);
  if (event.type.startsWith('payment.')) return eventOwners(event.data as PublicPayment);
  if (event.type.startsWith('refund.'))
    return eventOwners((event.data as { payment: PublicPayment }).payment);
  return walletEventOwners(event);
}

/**
 * How the payments module's events reach the outbox, each in the transaction that made it.
 * Every status a payment or refund reaches is announced here, so this is also where they
 * are counted (a transaction rolled back after its event was written is counted still: rare,
 * and a counter cannot take it back).
 */
export function paymentEventsOn(outbox: Outbox): PaymentEvents {
  return {
    emit: async (trx, type, payment, extra) => {
      const data = extra ? { ...payment, ...extra } : payment;
      const types = typeof type === 'string' ? [type] : type;
      paymentsTotal.inc({ status: payment.status, method: payment.payment_method });
      await outbox.write(
        trx,
        types.map((each) => ({ type: each, aggregate: `payment:${payment.id}`, data })),
      );
    },
    // On the payment's aggregate, so a refund's events stay in order with its payment's.
    emitRefund: async (trx, type, refund, { payment }) => {
      refundsTotal.inc({ status: refund.status });
      await outbox.write(trx, [{ type, aggregate: `payment:${payment.id}`, data: { ...refund, payment } }]);
    },
    emitOrder: async (trx, type, data) => {
      await outbox.write(trx, [{ type, aggregate: `order:${data.order_id}`, data }]);
    },
  };
}
