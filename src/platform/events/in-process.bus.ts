import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { decodeEvent, type DomainEvent, encodeEvent } from './event.js';
import {
  assertConsumerName,
  assertPublishable,
  type EventBus,
  MAX_HANDLER_BATCH,
  type SubscribeOptions,
  wantsType,
} from './event-bus.js';

export interface InProcessBusOptions {
  logger: Logger;
  /** Attempts per handler and event before publish gives up (default 3). */
  maxAttempts?: number;
  /** Delay before the first retry, doubled for each further one (default 50 ms). */
  retryDelayMs?: number;
}

const MAX_ATTEMPTS_LIMIT = 10;
const MAX_RETRY_DELAY_MS = 2_000;

interface Subscription {
  consumer: string;
  /** A batch handler, or an event handler given one event at a time. */
  handle: (events: readonly DomainEvent[]) => Promise<void>;
  batched: boolean;
  options: SubscribeOptions | undefined;
}

/**
 * The bus of a single process: publish calls the handlers directly and resolves once all of
 * them succeeded. When one keeps failing, publish rejects, the relay leaves the events unsent
 * and publishes them again later; that retry is what makes delivery at-least-once across a
 * crash, since nothing here is stored. Subscribers that had succeeded see the event again.
 *
 * Order holds within one publish call and between calls made one after the other.
 */
export function createInProcessBus({
  logger,
  maxAttempts = 3,
  retryDelayMs = 50,
}: InProcessBusOptions): EventBus {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT)
    throw new RangeError(`maxAttempts must be an integer from 1 to ${MAX_ATTEMPTS_LIMIT}`);
  const subscriptions: Subscription[] = [];
  let closed = false;

  async function deliver(subscription: Subscription, encoded: readonly Uint8Array[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      // A fresh copy per delivery, as NATS would give: one handler cannot alter another's event.
      const events = encoded.map(decodeEvent);
      try {
        await subscription.handle(events);
        return;
      } catch (error) {
        const [first] = events;
        const context = { err: error, consumer: subscription.consumer, eventId: first!.id, attempt };
        if (events.length > 1) {
          // A failing batch is split: each event gets its own attempts (BatchEventHandler).
          logger.warn({ ...context, events: events.length }, 'batch handler failed, handling one by one');
          for (const bytes of encoded) await deliver(subscription, [bytes]);
          return;
        }
        if (attempt >= maxAttempts) {
          logger.error(context, 'event handler failed, giving up for this publish');
          throw new Error(
            `consumer ${subscription.consumer} failed on event ${first!.id} (${first!.type}) ${attempt} times`,
            { cause: error },
          );
        }
        logger.warn(context, 'event handler failed, retrying');
        await sleep(Math.min(retryDelayMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS));
      }
    }
  }

  function add(subscription: Subscription): void {
    if (closed) throw new Error('the event bus is closed');
    assertConsumerName(subscription.consumer);
    // On NATS a second subscriber of a name shares the work; here there is no one to share
    // it with, so a repeated name is a wiring mistake.
    if (subscriptions.some((each) => each.consumer === subscription.consumer))
      throw new Error(`consumer ${subscription.consumer} is already subscribed to the in-process bus`);
    subscriptions.push(subscription);
  }

  return {
    kind: 'in-process',

    async publish(events) {
      if (closed) throw new Error('the event bus is closed');
      assertPublishable(events);
      // Encoding first validates the whole batch before any handler runs.
      const encoded = events.map((event) => ({ type: event.type, bytes: encodeEvent(event) }));
      const current = [...subscriptions];
      for (const { type, bytes } of encoded) {
        // Stop at the first failure rather than carry on: a subscriber must not see a later
        // event before an earlier one it failed on.
        for (const subscription of current) {
          if (!subscription.batched && wantsType(subscription.options, type))
            await deliver(subscription, [bytes]);
        }
      }
      // Batch consumers are independent of each other (on NATS each pulls on its own), so they
      // work at the same time, each through its batches in order: the publish, and with it
      // the relay's round, lasts as long as the slowest of them rather than all of them added
      // up. It settles only once every one has finished, and then fails with the first failure.
      const outcomes = await Promise.allSettled(
        current
          .filter((each) => each.batched)
          .map(async (subscription) => {
            const wanted = encoded.filter(({ type }) => wantsType(subscription.options, type));
            for (let start = 0; start < wanted.length; start += MAX_HANDLER_BATCH)
              await deliver(
                subscription,
                wanted.slice(start, start + MAX_HANDLER_BATCH).map(({ bytes }) => bytes),
              );
          }),
      );
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    },

    async subscribe(consumer, handler, options) {
      add({ consumer, handle: ([event]) => handler(event!), batched: false, options });
    },

    async subscribeBatch(consumer, handler, options) {
      add({ consumer, handle: handler, batched: true, options });
    },

    async close() {
      closed = true;
      subscriptions.length = 0;
    },
  };
}
