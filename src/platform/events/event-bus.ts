import type { DomainEvent } from './event.js';

/**
 * Handles one event. Delivery is at-least-once, so a handler must be idempotent (record the
 * event id in the same transaction as its effect). Throwing asks for a redelivery later.
 */
export type EventHandler = (event: DomainEvent) => Promise<void>;

/**
 * Handles several events of one consumer at once, typically in one transaction that records
 * them all (see handleBatchOnce): one commit for many events. The events come in the order
 * they were published; the next batch is given only once this one has resolved. Throwing
 * has each event of the batch handed over again on its own, so that one bad event neither
 * holds the others back nor gets them redelivered with it.
 */
export type BatchEventHandler = (events: readonly DomainEvent[]) => Promise<void>;

export interface SubscribeOptions {
  /** Only these event types reach the handler; all types when omitted or empty. */
  types?: string[];
}

/** Where the outbox relay publishes and consumers subscribe. */
export interface EventBus {
  readonly kind: 'in-process' | 'nats';
  /**
   * Resolves only once every event is durably accepted (in process: handled by every
   * subscriber; on NATS: stored by JetStream), in order. Rejects otherwise, and the caller
   * must publish the same events again later: duplicates are absorbed by the event id.
   * At most MAX_PUBLISH_BATCH events per call.
   */
  publish(events: readonly DomainEvent[]): Promise<void>;
  /**
   * Starts delivering events to `handler` under a durable consumer name. Resolves once the
   * subscription exists, so events published afterwards will reach it.
   */
  subscribe(consumer: string, handler: EventHandler, options?: SubscribeOptions): Promise<void>;
  /**
   * As subscribe, with events handed over in batches of at most MAX_HANDLER_BATCH: those
   * that arrived while the previous batch was handled. Under no load a batch is one event,
   * so batching adds no delay; under load it turns many commits into one.
   */
  subscribeBatch(consumer: string, handler: BatchEventHandler, options?: SubscribeOptions): Promise<void>;
  /** Stops delivering (letting a handler in progress finish) and releases connections. */
  close(): Promise<void>;
}

/** The relay publishes in batches; a bigger one is a bug, not a workload. */
export const MAX_PUBLISH_BATCH = 1_000;
/** Events per call of a BatchEventHandler: one transaction's worth. */
export const MAX_HANDLER_BATCH = 256;

// A consumer name becomes a NATS durable name: no dots, wildcards or spaces.
const CONSUMER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function assertPublishable(events: readonly DomainEvent[]): void {
  if (events.length > MAX_PUBLISH_BATCH)
    throw new RangeError(`cannot publish ${events.length} events at once (at most ${MAX_PUBLISH_BATCH})`);
}

export function assertConsumerName(consumer: string): void {
  if (!CONSUMER_NAME.test(consumer))
    throw new TypeError(`consumer name "${consumer}" must be 1-64 letters, digits, _ or -`);
}

/** True when a subscription with these options wants events of this type. */
export const wantsType = (options: SubscribeOptions | undefined, type: string): boolean =>
  !options?.types?.length || options.types.includes(type);
