import { sql } from 'kysely';
import type { Platform } from '../../src/app.js';

export interface QuietOptions {
  /** Consecutive looks that must find the same, idle state. */
  checks?: number;
  intervalMs?: number;
  /** Gives up (and fails the test) after this long: a platform that never settles is a bug. */
  timeoutMs?: number;
}

/**
 * Polls `probe` until it returns the same value (compared as JSON) `checks` times in a row
 * and `idle` holds for it. For "nothing more arrives" assertions: unlike a fixed sleep, it
 * waits as long as things still move, and no longer than needed once they stop.
 */
export async function untilStable<T>(
  probe: () => T | Promise<T>,
  {
    checks = 3,
    intervalMs = 50,
    timeoutMs = 10_000,
    idle = () => true,
  }: QuietOptions & {
    idle?: (value: T) => boolean;
  } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  let same = 0;
  for (;;) {
    const value = await probe();
    const seen = JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    if (!idle(value)) same = 0;
    else same = seen === last ? same + 1 : 1;
    last = seen;
    if (same >= checks) return value;
    if (Date.now() > deadline) throw new Error(`not quiet within ${timeoutMs} ms; last state: ${seen}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

interface PlatformState {
  unpublished: number;
  relayed: number;
  relayFailures: number;
  handled: number;
  /** Due now, or claimed and in flight (never attempted yet): either will change something. */
  webhooksBusy: number;
  webhookAttempts: number;
  mailBusy: number;
  mailAttempts: number;
  pushBusy: number;
  pushAttempts: number;
}

/**
 * Waits until the platform has nothing on its way: no unpublished outbox event, the relay
 * publishing nothing, no webhook delivery, mail or push due now or in flight, and no consumer
 * still handling an event, all unchanged over a few consecutive looks. "Due" is what the
 * senders' claimDue takes: pending with next_attempt_at ≤ now() (webhooks: on an enabled
 * endpoint). A claim pushes next_attempt_at a lease ahead, so a first attempt in flight
 * is caught by `attempts = 0`; a retry in flight only by its attempts changing between
 * looks. Retries scheduled for later are not due, so they do not keep it waiting.
 */
export async function untilQuiet(platform: Platform, options: QuietOptions = {}): Promise<void> {
  const db = platform.database.db;
  await untilStable(
    async (): Promise<PlatformState> => {
      const { rows } = await sql<Record<Exclude<keyof PlatformState, `relay${string}`>, number>>`
        SELECT
          (SELECT count(*) FROM outbox_events WHERE published_at IS NULL)::int AS unpublished,
          (SELECT count(*) FROM handled_events)::int AS handled,
          (SELECT count(*) FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
            WHERE d.status = 'pending' AND e.status = 'enabled'
              AND (d.next_attempt_at <= now() OR d.attempts = 0))::int AS "webhooksBusy",
          (SELECT coalesce(sum(attempts), 0) FROM webhook_deliveries)::int AS "webhookAttempts",
          (SELECT count(*) FROM mail_messages
            WHERE status = 'pending' AND (next_attempt_at <= now() OR attempts = 0))::int AS "mailBusy",
          (SELECT coalesce(sum(attempts), 0) FROM mail_messages)::int AS "mailAttempts",
          (SELECT count(*) FROM push_deliveries
            WHERE status = 'pending' AND (next_attempt_at <= now() OR attempts = 0))::int AS "pushBusy",
          (SELECT coalesce(sum(attempts), 0) FROM push_deliveries)::int AS "pushAttempts"`.execute(db);
      const relay = platform.events.relay.current();
      return { ...rows[0]!, relayed: relay.published, relayFailures: relay.failures };
    },
    {
      ...options,
      idle: (state) =>
        state.unpublished === 0 && state.webhooksBusy === 0 && state.mailBusy === 0 && state.pushBusy === 0,
    },
  );
}
