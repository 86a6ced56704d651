import { randomUUID } from 'node:crypto';
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

/** A notification not yet delivered (nor given up on): what a restart must pick up again. */
export interface QueuedNotification {
  id: string;
  body: Record<string, unknown>;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due (epoch ms). */
  dueAtMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1_000 };
const MAX_ATTEMPTS = 20;
const MAX_DELAY_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_RECORDED = 1_000;
const MAX_QUEUED = 1_000;

/**
 * Posts notifications to the merchant's URL like Midtrans does: JSON, retried on a non-2xx
 * answer or a connection failure with exponential backoff. Every attempt is recorded for
 * tests. Notifications waiting for an attempt are listed by `queued()` (and reported through
 * `onChange`) so they can be kept across a restart and handed back to `restore`. Closing
 * aborts the waits and requests still in flight, leaving them queued.
 */
export class Notifier {
  readonly sent: DeliveryAttempt[] = [];
  private readonly queue = new Map<string, QueuedNotification>();
  /** Deliveries running, by queued notification: each runs once however often it is started. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private readonly retry: RetryPolicy;

  constructor(
    private url: string | undefined,
    retry: RetryPolicy,
    private readonly logger?: Logger,
    private readonly onChange: () => void = () => {},
  ) {
    this.retry = {
      attempts: Math.min(Math.max(1, Math.trunc(retry.attempts)), MAX_ATTEMPTS),
      baseDelayMs: Math.max(0, retry.baseDelayMs),
    };
  }

  /**
   * Where notifications go from now on, for a merchant whose address is known only once it
   * listens. Starts the deliveries that were waiting for it.
   */
  setUrl(url: string): void {
    this.url = url;
    for (const queued of this.queue.values()) void this.start(queued);
  }

  /** Resolves once the notification is delivered or every attempt has failed; never rejects. */
  deliver(body: Record<string, unknown>): Promise<void> {
    if (!this.url || this.abort.signal.aborted) return Promise.resolve();
    if (this.queue.size >= MAX_QUEUED) {
      this.logger?.warn(
        { queued: this.queue.size },
        'midtrans sandbox notification dropped: too many queued',
      );
      return Promise.resolve();
    }
    const queued: QueuedNotification = { id: randomUUID(), body, attempts: 0, dueAtMs: Date.now() };
    this.queue.set(queued.id, queued);
    this.onChange();
    return this.start(queued);
  }

  /**
   * Takes back notifications queued before a restart; they go out once there is a URL, no
   * later than this run's retry policy would have tried again.
   */
  restore(queued: readonly QueuedNotification[]): void {
    const now = Date.now();
    for (const each of queued.slice(0, MAX_QUEUED)) {
      const restored = { ...each, dueAtMs: Math.min(each.dueAtMs, now + this.delayAfter(each.attempts)) };
      this.queue.set(restored.id, restored);
      if (this.url) void this.start(restored);
    }
  }

  /** The notifications still to deliver, for keeping across a restart. */
  queued(): QueuedNotification[] {
    return [...this.queue.values()].map((each) => ({ ...each }));
  }

  /** Resolves when every delivery started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.idle();
  }

  private start(queued: QueuedNotification): Promise<void> {
    if (this.abort.signal.aborted) return Promise.resolve();
    const running = this.inFlight.get(queued.id);
    if (running) return running;
    const delivery = this.attemptAll(queued).finally(() => this.inFlight.delete(queued.id));
    this.inFlight.set(queued.id, delivery);
    return delivery;
  }

  private async attemptAll(queued: QueuedNotification): Promise<void> {
    const signal = this.abort.signal;
    while (queued.attempts < this.retry.attempts) {
      const waitMs = queued.dueAtMs - Date.now();
      if (waitMs > 0) {
        try {
          await sleep(waitMs, undefined, { signal });
        } catch {
          return;
        }
      }
      const status = await this.post(this.url!, queued.body, signal);
      // Cut short by close: not an attempt; the notification stays queued for the next run.
      if (signal.aborted && status === 0) return;
      queued.attempts += 1;
      this.record({ body: queued.body, status, attempt: queued.attempts });
      if (status >= 200 && status < 300) break;
      this.logger?.warn(
        { url: this.url, status, attempt: queued.attempts },
        'midtrans sandbox notification not accepted',
      );
      queued.dueAtMs = Date.now() + this.delayAfter(queued.attempts);
      if (signal.aborted) {
        this.onChange();
        return;
      }
      if (queued.attempts < this.retry.attempts) this.onChange();
    }
    this.queue.delete(queued.id);
    this.onChange();
  }

  /** The wait after `attempts` failed attempts: none before the first, then doubling. */
  private delayAfter(attempts: number): number {
    return attempts === 0 ? 0 : Math.min(this.retry.baseDelayMs * 2 ** (attempts - 1), MAX_DELAY_MS);
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
