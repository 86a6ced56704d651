import { setTimeout as sleep } from 'node:timers/promises';
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  DeliverPolicy,
  jetstream,
  type JetStreamClient,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  type JetStreamManager,
  type JsMsg,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { connect, headers as natsHeaders, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { AggregateLanes } from './aggregate-lanes.js';
import { decodeEvent, encodeEvent, isEventType } from './event.js';
import {
  assertConsumerName,
  assertPublishable,
  type EventBus,
  type EventHandler,
  type SubscribeOptions,
  wantsType,
} from './event-bus.js';

export interface NatsBusOptions {
  url: string;
  stream?: string;
  subjectPrefix?: string;
  logger: Logger;
  /** How long a delivered event may stay unacknowledged before it is redelivered (default 30 s). */
  ackWaitMs?: number;
  /** Deliveries of one event before it is given up (terminated); unlimited when omitted. */
  maxDeliver?: number;
  /** Delay before the first redelivery of an event whose handler threw, doubled per delivery. */
  nakDelayMs?: number;
  /** Pause between reconnection attempts; the client never stops trying. */
  reconnectWaitMs?: number;
  /** How long to wait for JetStream to confirm a publish or an ack. */
  requestTimeoutMs?: number;
}

// Longer than the relay takes to come back from a crash and republish what it had not marked.
const DUPLICATE_WINDOW_MS = 2 * 60_000;
// Events are also kept in the outbox; the stream is the delivery queue, not the archive.
const MAX_AGE_MS = 7 * 24 * 60 * 60_000;
const MAX_NAK_DELAY_MS = 60_000;
// Fetched ahead of the handler: their ack_wait runs while they wait in the buffer.
const PULL_BATCH = 32;
// Unacknowledged events per consumer name, over all the processes that share it.
const MAX_ACK_PENDING = 1_000;
const RESUBSCRIBE_DELAY_MS = 1_000;
// Handlers of different aggregates run side by side; one aggregate's events, one at a time.
const MAX_CONCURRENT_HANDLERS = 16;
const AGGREGATE_HEADER = 'Mamlaka-Aggregate';

function aggregateHeader(aggregate: string) {
  const result = natsHeaders();
  result.set(AGGREGATE_HEADER, aggregate);
  return result;
}
const CLOSE_TIMEOUT_MS = 10_000;
const STREAM_IN_USE = 10058;

interface Subscription {
  consumer: string;
  handler: EventHandler;
  options: SubscribeOptions | undefined;
  messages: ConsumerMessages | undefined;
  loop: Promise<void>;
}

/**
 * The bus on NATS JetStream: one file-stored stream, one durable pull consumer per consumer
 * name. Two processes subscribing under one name share its events, each to one of them.
 * Delivery is at-least-once: an event is acked only after its handler resolved.
 */
export async function connectNatsBus(options: NatsBusOptions): Promise<EventBus> {
  const {
    url,
    stream = 'MAMLAKA_EVENTS',
    subjectPrefix = 'mamlaka.events',
    logger,
    ackWaitMs = 30_000,
    maxDeliver,
    nakDelayMs = 1_000,
    reconnectWaitMs = 1_000,
    requestTimeoutMs = 5_000,
  } = options;
  if (maxDeliver !== undefined && (!Number.isInteger(maxDeliver) || maxDeliver < 1))
    throw new RangeError('maxDeliver must be a positive integer');

  const nc = await connect({
    servers: url,
    name: `mamlaka-events-${process.pid}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: reconnectWaitMs,
  });
  void watchConnection(nc, logger);
  try {
    const jsm = await jetstreamManager(nc, { timeout: requestTimeoutMs });
    await ensureStream(jsm, stream, subjectPrefix);
    return new NatsBus(nc, jsm, jetstream(nc, { timeout: requestTimeoutMs }), {
      stream,
      subjectPrefix,
      logger,
      ackWaitMs,
      maxDeliver,
      nakDelayMs,
      requestTimeoutMs,
    });
  } catch (error) {
    await nc.close();
    throw error;
  }
}

/**
 * Creates the stream, or brings an existing one to our configuration. Adding is idempotent
 * when the configuration is the same, so two processes starting at once both succeed.
 */
async function ensureStream(jsm: JetStreamManager, stream: string, subjectPrefix: string): Promise<void> {
  const config = {
    subjects: [`${subjectPrefix}.>`],
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    max_age: nanos(MAX_AGE_MS),
  };
  try {
    await jsm.streams.add({
      name: stream,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      ...config,
    });
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === STREAM_IN_USE)) throw error;
    const info = await jsm.streams.update(stream, config);
    // Storage cannot be changed by an update, and a memory stream would lose events on a restart.
    if (info.config.storage !== StorageType.File)
      throw new Error(`stream ${stream} exists with ${info.config.storage} storage; it must be file`);
  }
}

async function watchConnection(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') logger.warn({ server: status.server }, 'NATS disconnected');
    else if (status.type === 'reconnect') logger.info({ server: status.server }, 'NATS reconnected');
    else if (status.type === 'error') logger.warn({ err: status.error }, 'NATS connection error');
  }
}

interface Settings {
  stream: string;
  subjectPrefix: string;
  logger: Logger;
  ackWaitMs: number;
  maxDeliver: number | undefined;
  nakDelayMs: number;
  requestTimeoutMs: number;
}

class NatsBus implements EventBus {
  readonly kind = 'nats' as const;
  private readonly subscriptions: Subscription[] = [];
  private readonly stopping = new AbortController();

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly settings: Settings,
  ) {}

  async publish(events: Parameters<EventBus['publish']>[0]): Promise<void> {
    if (this.stopping.signal.aborted) throw new Error('the event bus is closed');
    assertPublishable(events);
    // Encoding first validates the whole batch before any of it is sent.
    const encoded = events.map((event) => ({ event, bytes: encodeEvent(event) }));
    // Sent back to back on the one connection, so the stream stores them in the outbox's
    // order, and the PubAcks awaited together: one round trip per batch, not per event. If
    // any fails the batch is published again; the msgID makes the events already stored
    // duplicates that JetStream drops (within the window), as after a crash.
    await Promise.all(
      encoded.map(({ event, bytes }) =>
        this.js.publish(`${this.settings.subjectPrefix}.${event.type}`, bytes, {
          msgID: event.id,
          headers: aggregateHeader(event.aggregate),
          expect: { streamName: this.settings.stream },
          timeout: this.settings.requestTimeoutMs,
        }),
      ),
    );
  }

  async subscribe(consumer: string, handler: EventHandler, options?: SubscribeOptions): Promise<void> {
    if (this.stopping.signal.aborted) throw new Error('the event bus is closed');
    assertConsumerName(consumer);
    for (const type of options?.types ?? [])
      if (!isEventType(type)) throw new TypeError(`"${type}" is not a valid event type`);
    await this.ensureConsumer(consumer, options);
    const subscription: Subscription = {
      consumer,
      handler,
      options,
      messages: undefined,
      loop: Promise.resolve(),
    };
    subscription.loop = this.consumeLoop(subscription);
    this.subscriptions.push(subscription);
  }

  async close(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    const stopped = Promise.allSettled(
      this.subscriptions.map(async (subscription) => {
        // Not awaited: close() resolves only once a reader has drained the iterator, and that
        // reader is the loop awaited next. Awaiting it here would wait forever.
        void subscription.messages?.close();
        await subscription.loop;
      }),
    );
    // A handler that never returns, or a server that is away, must not hold up a shutdown;
    // the timers are unref'd so that they do not hold it up either once the work is done.
    const timeout = () => sleep(CLOSE_TIMEOUT_MS, undefined, { ref: false });
    await Promise.race([stopped, timeout()]);
    await Promise.race([this.nc.drain(), timeout()]).catch(() => {});
    if (!this.nc.isClosed()) await this.nc.close();
  }

  /**
   * Creates the durable consumer or updates its settings. nats-server 2.9 takes one filter
   * subject per consumer: with one type the server filters, with several we take all events
   * and filter here.
   */
  private async ensureConsumer(consumer: string, options: SubscribeOptions | undefined): Promise<void> {
    const { stream, subjectPrefix, ackWaitMs, maxDeliver } = this.settings;
    const types = options?.types ?? [];
    const settings = {
      ack_wait: nanos(ackWaitMs),
      max_deliver: maxDeliver ?? -1,
      max_ack_pending: MAX_ACK_PENDING,
      filter_subject: types.length === 1 ? `${subjectPrefix}.${types[0]}` : `${subjectPrefix}.>`,
    } satisfies Partial<ConsumerConfig>;
    try {
      await this.jsm.consumers.add(stream, {
        durable_name: consumer,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ...settings,
      });
    } catch (error) {
      // 2.9 applies changed settings on add; newer servers refuse them there and want an update.
      if (!(error instanceof JetStreamApiError) || error.code === JetStreamApiCodes.StreamNotFound)
        throw error;
      await this.jsm.consumers.update(stream, consumer, settings).catch((updateError: unknown) => {
        throw new Error(`cannot create consumer ${consumer} (${error.message}) nor update it`, {
          cause: updateError,
        });
      });
    }
  }

  /** Runs until close(): whenever the message iterator ends or fails, it starts again. */
  private async consumeLoop(subscription: Subscription): Promise<void> {
    const { stream, logger } = this.settings;
    for (let round = 0; !this.stopping.signal.aborted; round += 1) {
      try {
        if (round > 0) await this.ensureConsumer(subscription.consumer, subscription.options);
        const consumer = await this.js.consumers.get(stream, subscription.consumer);
        // abort_on_missing_resource ends the iterator when the consumer or stream disappears,
        // so that this loop re-creates the consumer instead of waiting on it forever.
        subscription.messages = await consumer.consume({
          max_messages: PULL_BATCH,
          abort_on_missing_resource: true,
        });
        if (this.stopping.signal.aborted) void subscription.messages.close();
        const lanes = new AggregateLanes(MAX_CONCURRENT_HANDLERS);
        for await (const message of subscription.messages) {
          // Messages already buffered when close() was called go back at once, to another instance.
          if (this.stopping.signal.aborted) message.nak();
          else await lanes.run(laneOf(message), () => this.handle(subscription, message));
        }
        await lanes.idle();
        if (!this.stopping.signal.aborted) logger.warn({ consumer: subscription.consumer }, 'consumer ended');
      } catch (error) {
        logger.warn({ err: error, consumer: subscription.consumer }, 'consumer failed, starting it again');
      }
      subscription.messages = undefined;
      await sleep(RESUBSCRIBE_DELAY_MS, undefined, { signal: this.stopping.signal }).catch(() => {});
    }
  }

  private async handle(subscription: Subscription, message: JsMsg): Promise<void> {
    const { logger, nakDelayMs, maxDeliver } = this.settings;
    const context = { consumer: subscription.consumer, subject: message.subject, seq: message.seq };
    let event;
    try {
      event = decodeEvent(message.data);
    } catch (error) {
      // Redelivering garbage would fail the same way forever.
      logger.error({ ...context, err: error }, 'unreadable event, terminated');
      message.term();
      return;
    }
    // Several types share one unfiltered consumer (see ensureConsumer): the others are done.
    if (!wantsType(subscription.options, event.type)) {
      message.ack();
      return;
    }
    const delivery = message.info.deliveryCount;
    try {
      await subscription.handler(event);
    } catch (error) {
      const failure = { ...context, err: error, eventId: event.id, delivery };
      if (maxDeliver !== undefined && delivery >= maxDeliver) {
        logger.error(failure, 'event handler failed on the last delivery, event given up');
        message.term();
      } else {
        logger.warn(failure, 'event handler failed, event will be redelivered');
        message.nak(Math.min(nakDelayMs * 2 ** (delivery - 1), MAX_NAK_DELAY_MS));
      }
      return;
    }
    // Not awaited: the handler's effect is committed, so a lost ack costs only a redelivery
    // that the consumer recognises, while awaiting it would cost a round trip per event.
    message.ack();
  }
}

/** The lane of a message: its event's aggregate (a header, so no decoding is needed to route it). */
const laneOf = (message: JsMsg): string => message.headers?.get(AGGREGATE_HEADER) || message.subject;
