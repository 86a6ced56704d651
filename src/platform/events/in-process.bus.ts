import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { decodeEvent, encodeEvent } from './event.js';
import {
  assertConsumerName,
  assertPublishable,
  type EventBus,
  type EventHandler,
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
  handler: EventHandler;
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

  async function deliver(subscription: Subscription, bytes: Uint8Array): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      // A fresh copy per delivery, as NATS would give: one handler cannot alter another's event.
      const event = decodeEvent(bytes);
      try {
        await subscription.handler(event);
        return;
      } catch (error) {
        const context = { err: error, consumer: subscription.consumer, eventId: event.id, attempt };
        if (attempt >= maxAttempts) {
          logger.error(context, 'event handler failed, giving up for this publish');
          throw new Error(
            `consumer ${subscription.consumer} failed on event ${event.id} (${event.type}) ${attempt} times`,
            { cause: error },
          );
        }
        logger.warn(context, 'event handler failed, retrying');
        await sleep(Math.min(retryDelayMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS));
      }
    }
  }

  return {
    kind: 'in-process',

    async publish(events) {
      if (closed) throw new Error('the event bus is closed');
      assertPublishable(events);
      // Encoding first validates the whole batch before any handler runs.
      const encoded = events.map((event) => ({ type: event.type, bytes: encodeEvent(event) }));
      for (const { type, bytes } of encoded) {
        // Stop at the first failure rather than carry on: a subscriber must not see a later
        // event before an earlier one it failed on.
        for (const subscription of [...subscriptions]) {
          if (wantsType(subscription.options, type)) await deliver(subscription, bytes);
        }
      }
    },

    async subscribe(consumer, handler, options) {
      if (closed) throw new Error('the event bus is closed');
      assertConsumerName(consumer);
      // On NATS a second subscriber of a name shares the work; here there is no one to share
      // it with, so a repeated name is a wiring mistake.
      if (subscriptions.some((subscription) => subscription.consumer === consumer))
        throw new Error(`consumer ${consumer} is already subscribed to the in-process bus`);
      subscriptions.push({ consumer, handler, options });
    },

    async close() {
      closed = true;
      subscriptions.length = 0;
    },
  };
}
