import {
  eventOwners,
  type OrderItemEventData,
  orderEventOwners,
  type PaymentEvents,
} from './modules/payments/payments.events.js';
import type { PublicPayment } from './modules/payments/payments.rules.js';
import { walletEventOwners } from './modules/wallets/wallets.events.js';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { backgroundOf, type Database } from './platform/db/database.js';
import type { DomainEvent } from './platform/events/event.js';
import type { EventBus } from './platform/events/event-bus.js';
import { createInProcessBus } from './platform/events/in-process.bus.js';
import { openEventBus } from './platform/events/open.js';
import type { Outbox } from './platform/events/outbox.js';
import { announceOutboxCommits } from './platform/events/outbox.announce.js';
import { OutboxRelay } from './platform/events/outbox.relay.js';
import { tracedBus } from './platform/tracing/events.js';
import { paymentsTotal, refundsTotal } from './platform/metrics/metrics.registry.js';
import { onCommit } from './platform/db/commit-watch.js';

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
 * are counted: once that transaction commits, so a rolled-back or retried attempt is not.
 * Appended without waiting: the payment's next statement (a checkout's stock, or COMMIT)
 * goes out in the same round trip.
 */
export function paymentEventsOn(outbox: Outbox): PaymentEvents {
  return {
    emit: async (trx, type, payment, extra) => {
      const data = extra ? { ...payment, ...extra } : payment;
      const types = typeof type === 'string' ? [type] : type;
      await onCommit(trx, () =>
        paymentsTotal.inc({ status: payment.status, method: payment.payment_method }),
      );
      await outbox.append(
        trx,
        types.map((each) => ({ type: each, aggregate: `payment:${payment.id}`, data })),
      );
    },
    emitEach: async (trx, type, payments) => {
      const types = typeof type === 'string' ? [type] : type;
      await onCommit(trx, () => {
        for (const { payment } of payments)
          paymentsTotal.inc({ status: payment.status, method: payment.payment_method });
      });
      await outbox.append(
        trx,
        payments.flatMap(({ payment, traceparent }) =>
          types.map((each) => ({
            type: each,
            aggregate: `payment:${payment.id}`,
            data: payment,
            ...(traceparent ? { traceparent } : {}),
          })),
        ),
      );
    },
    // On the payment's aggregate, so a refund's events stay in order with its payment's.
    emitRefund: async (trx, type, refund, { payment }) => {
      await onCommit(trx, () => refundsTotal.inc({ status: refund.status }));
      await outbox.append(trx, [{ type, aggregate: `payment:${payment.id}`, data: { ...refund, payment } }]);
    },
    emitOrder: async (trx, type, data) => {
      await outbox.append(trx, [{ type, aggregate: `order:${data.order_id}`, data }]);
    },
  };
}

/**
 * The bus, its consumers and the outbox relay of one process. With `subscribe` (the role
 * that relays) the real bus (NATS when configured) and every consumer subscribed; without,
 * an in-process bus, since such a role only writes the outbox. Every role announces its
 * commits that wrote events, so the relay, wherever it runs, is woken by them.
 */
export async function openEvents(
  database: Database,
  logger: Logger,
  config: Pick<Config, 'natsUrl' | 'events'>,
  options: { subscribe?: (bus: EventBus) => Promise<void> },
): Promise<{ events: EventBus; relay: OutboxRelay; stopAnnouncing: () => void }> {
  const settings = config.events;
  const events = tracedBus(
    options.subscribe
      ? await openEventBus({ natsUrl: config.natsUrl, stream: settings.natsStream, logger })
      : createInProcessBus({ logger }),
  );
  await options.subscribe?.(events);
  const relay = new OutboxRelay(backgroundOf(database), events, logger, {
    pollIntervalMs: settings.outboxPollIntervalMs,
    batchWindowMs: settings.outboxBatchWindowMs,
    listen: settings.outboxListen ? database.listen?.bind(database) : undefined,
  });
  // A relay here is woken in process while it leads; the other roles' commits NOTIFY it.
  const stopAnnouncing = settings.outboxListen
    ? announceOutboxCommits(database, logger, options.subscribe ? relay : undefined)
    : () => {};
  return { events, relay, stopAnnouncing };
}
