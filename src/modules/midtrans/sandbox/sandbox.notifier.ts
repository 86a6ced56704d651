import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';

export interface RetryPolicy {
  /** Deliveries tried per notification, the first included. */
  attempts: number;
  /** Delay before the second attempt; each later one doubles it. */
  baseDelayMs: number;
}

/** One attempt to deliver a notification; `status` is 0 when no HTTP answer came back. */
export interface DeliveryAttempt {
  body: unknown;
  status: number;
  attempt: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1_000 };
const MAX_ATTEMPTS = 20;
const MAX_DELAY_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_RECORDED = 1_000;

/**
 * Posts notifications to the merchant's URL like Midtrans does: JSON, retried on a non-2xx
 * answer or a connection failure with exponential backoff. Every attempt is recorded for
 * tests. Closing aborts the waits and requests still in flight.
 */
export class Notifier {
  readonly sent: DeliveryAttempt[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly retry: RetryPolicy;

  constructor(
    private readonly url: string | undefined,
    retry: RetryPolicy,
    private readonly logger?: Logger,
  ) {
    this.retry = {
      attempts: Math.min(Math.max(1, Math.trunc(retry.attempts)), MAX_ATTEMPTS),
      baseDelayMs: Math.max(0, retry.baseDelayMs),
    };
  }

  /** Resolves once the notification is delivered or every attempt has failed; never rejects. */
  deliver(body: unknown): Promise<void> {
    if (!this.url || this.abort.signal.aborted) return Promise.resolve();
    const delivery = this.attemptAll(this.url, body).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
    return delivery;
  }

  /** Resolves when every delivery started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.idle();
  }

  private async attemptAll(url: string, body: unknown): Promise<void> {
    const signal = this.abort.signal;
    for (let attempt = 1; attempt <= this.retry.attempts && !signal.aborted; attempt++) {
      if (attempt > 1) {
        const delayMs = Math.min(this.retry.baseDelayMs * 2 ** (attempt - 2), MAX_DELAY_MS);
        try {
          await sleep(delayMs, undefined, { signal });
        } catch {
          return;
        }
      }
      const status = await this.post(url, body, signal);
      this.record({ body, status, attempt });
      if (status >= 200 && status < 300) return;
      this.logger?.warn({ url, status, attempt }, 'midtrans sandbox notification not accepted');
    }
  }

  private async post(url: string, body: unknown, signal: AbortSignal): Promise<number> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
      // Drain the body so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      return response.status;
    } catch {
      return 0;
    }
  }

  private record(attempt: DeliveryAttempt): void {
    if (this.sent.length >= MAX_RECORDED) this.sent.shift();
    this.sent.push(attempt);
  }
}
