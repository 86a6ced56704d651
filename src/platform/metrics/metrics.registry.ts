import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { isAppError } from '../errors.js';

/**
 * The process's own series: prom-client's defaults (event-loop lag, memory, CPU, GC) and the
 * domain counters, incremented where the events happen. One per process, as the process is
 * what Prometheus scrapes; the per-platform series (requests, pool, queues) live in
 * metrics.platform.ts. Names and labels are a contract with the dashboards and alerts in
 * deploy/: change them only together.
 */
export const processRegistry = new Registry();
collectDefaultMetrics({ register: processRegistry });

const registers = [processRegistry];

export const paymentsTotal = new Counter({
  name: 'mamlaka_payments_total',
  help: 'Payments reaching a status, by payment method.',
  labelNames: ['status', 'method'] as const,
  registers,
});

export const refundsTotal = new Counter({
  name: 'mamlaka_refunds_total',
  help: 'Refunds reaching a status.',
  labelNames: ['status'] as const,
  registers,
});

export type CheckoutOutcome =
  'succeeded' | 'insufficient_stock' | 'insufficient_funds' | 'rejected' | 'busy' | 'failed';

export const checkoutsTotal = new Counter({
  name: 'mamlaka_checkouts_total',
  help:
    'Checkout outcomes: succeeded, insufficient_stock, insufficient_funds, rejected (other 4xx), ' +
    'busy (503 checkouts_busy: shed by the checkout queue, nothing charged), failed.',
  labelNames: ['outcome'] as const,
  registers,
});

export const checkoutGroupSize = new Histogram({
  name: 'mamlaka_checkout_group_size',
  help: 'Queued wallet checkouts committed per transaction: 1 alone, more when committed together.',
  buckets: [1, 2, 4, 8, 16, 32, 50],
  registers,
});

export const checkoutQueueWaiting = new Gauge({
  name: 'mamlaka_checkout_queue_waiting',
  help: 'Queued wallet checkouts waiting for a slot to be committed in a group.',
  registers,
});

export const outboxRelayedTotal = new Counter({
  name: 'mamlaka_outbox_relayed_events_total',
  help: 'Outbox events relayed to the bus.',
  registers,
});

export const webhookDeliveriesTotal = new Counter({
  name: 'mamlaka_webhook_deliveries_total',
  help: 'Webhook delivery attempts: delivered, failed (will retry), dead (gave up).',
  labelNames: ['outcome'] as const,
  registers,
});

export const webhookEndpointsDisabledTotal = new Counter({
  name: 'mamlaka_webhook_endpoints_disabled_total',
  help: 'Webhook endpoints disabled after repeated failures.',
  registers,
});

export const midtransRequestDuration = new Histogram({
  name: 'mamlaka_midtrans_request_duration_seconds',
  help: 'Midtrans API calls, by operation and outcome (ok, error).',
  labelNames: ['operation', 'outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

export const midtransErrorsTotal = new Counter({
  name: 'mamlaka_midtrans_errors_total',
  help: 'Midtrans API calls that failed.',
  labelNames: ['operation'] as const,
  registers,
});

export const rateLimitRefusalsTotal = new Counter({
  name: 'mamlaka_rate_limit_refusals_total',
  help: 'Requests refused by a rate limit, by limit name.',
  labelNames: ['limit'] as const,
  registers,
});

/**
 * Times one Midtrans operation (its retries included) into both Midtrans series; the result
 * or error passes through. `failed` marks a result that reports a failure without throwing.
 */
export async function timeMidtrans<T>(
  operation: string,
  call: () => Promise<T>,
  failed: (result: T) => boolean = () => false,
): Promise<T> {
  const end = midtransRequestDuration.startTimer({ operation });
  try {
    const result = await call();
    const outcome = failed(result) ? 'error' : 'ok';
    end({ outcome });
    if (outcome === 'error') midtransErrorsTotal.inc({ operation });
    return result;
  } catch (error) {
    end({ outcome: 'error' });
    midtransErrorsTotal.inc({ operation });
    throw error;
  }
}

/** Counts one checkout by how it ended; a payment the payer could not fund is `insufficient_funds`. */
export async function recordCheckout<T extends { status: string }>(checkout: () => Promise<T>): Promise<T> {
  try {
    const payment = await checkout();
    checkoutsTotal.inc({ outcome: payment.status === 'failed' ? 'insufficient_funds' : 'succeeded' });
    return payment;
  } catch (error) {
    checkoutsTotal.inc({ outcome: checkoutFailure(error) });
    throw error;
  }
}

function checkoutFailure(error: unknown): CheckoutOutcome {
  if (!isAppError(error)) return 'failed';
  if (error.code === 'insufficient_stock' || error.code === 'insufficient_funds') return error.code;
  // Shed before anything was written: load to watch, not a fault to alert on.
  if (error.code === 'checkouts_busy') return 'busy';
  return error.kind === 'internal' || error.kind === 'unavailable' ? 'failed' : 'rejected';
}
