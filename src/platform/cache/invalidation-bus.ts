import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export type InvalidationHandler = (key: string) => void;

/**
 * Tells every instance that cached data changed. In one process it is a direct call; with
 * Redis it is also published to the other instances. Redis pub/sub can drop messages while
 * a connection is down, so caches also expire on their own and are flushed on reconnect.
 */
export interface InvalidationBus {
  publish(topic: string, key: string): Promise<void>;
  subscribe(topic: string, handler: InvalidationHandler): void;
  /** Called when messages may have been missed; every cache should forget everything. */
  onGap(handler: () => void): void;
  close(): Promise<void>;
}

class Handlers {
  private readonly byTopic = new Map<string, InvalidationHandler[]>();
  readonly gapHandlers: (() => void)[] = [];

  add(topic: string, handler: InvalidationHandler) {
    this.byTopic.set(topic, [...(this.byTopic.get(topic) ?? []), handler]);
  }

  deliver(topic: string, key: string) {
    for (const handler of this.byTopic.get(topic) ?? []) handler(key);
  }
}

// Every open local bus of this process. A write is heard by every cache of the process, not
// only by those of the platform that made it: where one process runs several platforms over
// one database (the split shape's gateway and services, in tests), each sees the others'.
const localBuses = new Set<Handlers>();

/** The bus of one process without Redis: every local bus of the process hears every publish. */
export function localInvalidationBus(): InvalidationBus {
  const handlers = new Handlers();
  localBuses.add(handlers);
  return {
    async publish(topic, key) {
      for (const bus of localBuses) bus.deliver(topic, key);
    },
    subscribe: (topic, handler) => handlers.add(topic, handler),
    onGap: (handler) => handlers.gapHandlers.push(handler),
    async close() {
      localBuses.delete(handlers);
    },
  };
}

const CHANNEL = 'mamlaka:invalidate';

export function redisInvalidationBus(publisher: Redis, logger: Logger): InvalidationBus {
  const handlers = new Handlers();
  const instance = randomUUID();
  // The shared client refuses commands while disconnected (rate limits must not queue);
  // the subscriber may queue its SUBSCRIBE until it is connected.
  const subscriber = publisher.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  let connectedBefore = false;
  subscriber.on('ready', () => {
    // A reconnect means messages may have been lost while we were away.
    if (connectedBefore) for (const handler of handlers.gapHandlers) handler();
    connectedBefore = true;
  });
  subscriber.on('error', (error) => logger.warn({ err: error }, 'invalidation subscriber error'));
  subscriber.on('message', (_channel: string, message: string) => {
    const [from, topic, key] = JSON.parse(message) as [string, string, string];
    if (from !== instance) handlers.deliver(topic, key);
  });
  void subscriber.subscribe(CHANNEL).catch((error) => logger.warn({ err: error }, 'cannot subscribe'));

  return {
    async publish(topic, key) {
      handlers.deliver(topic, key);
      try {
        await publisher.publish(CHANNEL, JSON.stringify([instance, topic, key]));
      } catch (error) {
        // Other instances fall back on their cache TTL; the write itself has succeeded.
        logger.warn({ err: error, topic }, 'could not publish an invalidation');
      }
    },
    subscribe: (topic, handler) => handlers.add(topic, handler),
    onGap: (handler) => handlers.gapHandlers.push(handler),
    async close() {
      subscriber.disconnect();
    },
  };
}
