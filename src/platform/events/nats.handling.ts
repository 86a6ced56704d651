import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { AggregateLanes } from './aggregate-lanes.js';
import { decodeEvent, type DomainEvent } from './event.js';
import {
  type BatchEventHandler,
  type EventHandler,
  MAX_HANDLER_BATCH,
  type SubscribeOptions,
  wantsType,
} from './event-bus.js';
import { MessageBatches } from './message-batches.js';

/** The header that carries an event's aggregate, so that routing a message needs no decoding. */
export const AGGREGATE_HEADER = 'Mamlaka-Aggregate';
// Handlers of different aggregates run side by side; one aggregate's events, one at a time.
const MAX_CONCURRENT_HANDLERS = 16;
const MAX_NAK_DELAY_MS = 60_000;

/** What a subscription does with its messages: one handler call per event, or per batch. */
export type Handling =
  | { consumer: string; options: SubscribeOptions | undefined; each: EventHandler; batch?: undefined }
  | { consumer: string; options: SubscribeOptions | undefined; batch: BatchEventHandler; each?: undefined };

export interface HandlingSettings {
  logger: Logger;
  nakDelayMs: number;
  maxDeliver: number | undefined;
}

interface Ready {
  message: JsMsg;
  event: DomainEvent;
}

/**
 * Handles a consumer's messages until the iterator ends. Every message is acked only after
 * its handler resolved, i.e. after the handling's commit. Acks are not awaited: the client
 * writes those of a batch together, and a lost one costs only a redelivery the consumer
 * recognises by event id. (AckPolicy.All would ack with one message, but it would also ack
 * the messages another instance of the same consumer is still handling.)
 * Messages still buffered once `stopping` is aborted go back at once, to another instance.
 */
export async function handleMessages(
  messages: AsyncIterable<JsMsg>,
  handling: Handling,
  settings: HandlingSettings,
  stopping: AbortSignal,
): Promise<void> {
  const handler = new MessageHandler(handling, settings, stopping);
  if (handling.batch) {
    const queue = new MessageBatches<JsMsg>(MAX_HANDLER_BATCH);
    const worker = (async () => {
      for (let batch = await queue.take(); batch; batch = await queue.take()) {
        // A closed connection can make even an ack throw; the next batch must still be taken.
        await handler.batch(batch).catch((error: unknown) => {
          settings.logger.warn({ err: error, consumer: handling.consumer }, 'cannot settle a batch');
        });
      }
    })();
    try {
      for await (const message of messages) await queue.push(message);
    } finally {
      queue.end();
      await worker;
    }
    return;
  }
  const lanes = new AggregateLanes(MAX_CONCURRENT_HANDLERS);
  try {
    for await (const message of messages) {
      if (stopping.aborted) message.nak();
      else await lanes.run(laneOf(message), () => handler.each(message));
    }
  } finally {
    await lanes.idle();
  }
}

/** The number of messages a consumer should pull ahead of its handler. */
export const pullBatchFor = (handling: Handling): number => (handling.batch ? MAX_HANDLER_BATCH : 32);

class MessageHandler {
  constructor(
    private readonly handling: Handling,
    private readonly settings: HandlingSettings,
    private readonly stopping: AbortSignal,
  ) {}

  async each(message: JsMsg): Promise<void> {
    const ready = this.prepare(message);
    if (!ready) return;
    try {
      await this.handling.each!(ready.event);
    } catch (error) {
      this.failed(ready, error);
      return;
    }
    message.ack();
  }

  /** One handler call for the batch; if it throws, one call per event so each fails alone. */
  async batch(messages: readonly JsMsg[]): Promise<void> {
    if (this.stopping.aborted) {
      for (const message of messages) message.nak();
      return;
    }
    const ready = messages.flatMap((message) => this.prepare(message) ?? []);
    if (ready.length === 0) return;
    try {
      await this.handling.batch!(ready.map(({ event }) => event));
    } catch (error) {
      if (ready.length === 1) return this.failed(ready[0]!, error);
      this.settings.logger.warn(
        { err: error, consumer: this.handling.consumer, events: ready.length },
        'batch handler failed, handling its events one by one',
      );
      for (const one of ready) {
        try {
          await this.handling.batch!([one.event]);
          one.message.ack();
        } catch (oneError) {
          this.failed(one, oneError);
        }
      }
      return;
    }
    for (const { message } of ready) message.ack();
  }

  /** The message's event, or undefined when it was settled here (unreadable, or not wanted). */
  private prepare(message: JsMsg): Ready | undefined {
    let event;
    try {
      event = decodeEvent(message.data);
    } catch (error) {
      // Redelivering garbage would fail the same way forever.
      this.settings.logger.error({ ...this.context(message), err: error }, 'unreadable event, terminated');
      message.term();
      return undefined;
    }
    // Several types share one unfiltered consumer (see ensureConsumer): the others are done.
    if (!wantsType(this.handling.options, event.type)) {
      message.ack();
      return undefined;
    }
    return { message, event };
  }

  private failed({ message, event }: Ready, error: unknown): void {
    const { logger, nakDelayMs, maxDeliver } = this.settings;
    const delivery = message.info.deliveryCount;
    const failure = { ...this.context(message), err: error, eventId: event.id, delivery };
    if (maxDeliver !== undefined && delivery >= maxDeliver) {
      logger.error(failure, 'event handler failed on the last delivery, event given up');
      message.term();
    } else {
      logger.warn(failure, 'event handler failed, event will be redelivered');
      message.nak(Math.min(nakDelayMs * 2 ** (delivery - 1), MAX_NAK_DELAY_MS));
    }
  }

  private context(message: JsMsg) {
    return { consumer: this.handling.consumer, subject: message.subject, seq: message.seq };
  }
}

/** The lane of a message: its event's aggregate (a header, so no decoding is needed to route it). */
const laneOf = (message: JsMsg): string => message.headers?.get(AGGREGATE_HEADER) || message.subject;
