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
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { connect, headers as natsHeaders, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { type DomainEvent, encodeEvent, isEventType } from './event.js';
import {
  assertConsumerName,
  assertPublishable,
  type BatchEventHandler,
  type EventBus,
  type EventHandler,
  type SubscribeOptions,
} from './event-bus.js';
import { AGGREGATE_HEADER, type Handling, handleMessages, pullBatchFor } from './nats.handling.js';
import { JetStreamPublisher } from './nats.publisher.js';

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
// Unacknowledged events per consumer name, over all the processes that share it.
const MAX_ACK_PENDING = 1_000;
const RESUBSCRIBE_DELAY_MS = 1_000;

/** The event id as JetStream's de-duplication id, the stream it must land in, and its aggregate. */
function streamHeaders(event: DomainEvent, stream: string) {
  const result = natsHeaders();
  result.set('Nats-Msg-Id', event.id);
  result.set('Nats-Expected-Stream', stream);
  result.set(AGGREGATE_HEADER, event.aggregate);
  return result;
}
const CLOSE_TIMEOUT_MS = 10_000;
const STREAM_IN_USE = 10058;
const SUBJECTS_OVERLAP = 10065;

type Subscription = Handling & {
  messages: ConsumerMessages | undefined;
  loop: Promise<void>;
};

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
    if (!(await createdByAnother(jsm, stream, error))) throw error;
    const info = await jsm.streams.update(stream, config);
    // Storage cannot be changed by an update, and a memory stream would lose events on a restart.
    if (info.config.storage !== StorageType.File)
      throw new Error(`stream ${stream} exists with ${info.config.storage} storage; it must be file`);
  }
}

/**
 * Whether a refused add means the stream exists, made by another process. A name in use
 * says so; a subject overlap does too when the stream with our name now exists, because
 * nats-server 2.9 checks a new stream's name and its subjects at two moments: a process
 * adding the stream while another is adding it can pass the first check and fail the
 * second on the stream the other has just registered. Any other overlap is a real clash
 * with another stream and is left to fail.
 */
export async function createdByAnother(
  jsm: JetStreamManager,
  stream: string,
  error: unknown,
): Promise<boolean> {
  if (!(error instanceof JetStreamApiError)) return false;
  if (error.code === STREAM_IN_USE) return true;
  if (error.code !== SUBJECTS_OVERLAP) return false;
  try {
    await jsm.streams.info(stream);
    return true;
  } catch (lookup) {
    if (lookup instanceof JetStreamApiError && lookup.code === JetStreamApiCodes.StreamNotFound) return false;
    throw lookup;
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
  private readonly publisher: JetStreamPublisher;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly settings: Settings,
  ) {
    this.publisher = new JetStreamPublisher(nc, settings.requestTimeoutMs);
  }

  async publish(events: Parameters<EventBus['publish']>[0]): Promise<void> {
    if (this.stopping.signal.aborted) throw new Error('the event bus is closed');
    assertPublishable(events);
    // Encoding first validates the whole batch before any of it is sent.
    const encoded = events.map((event) => ({ event, bytes: encodeEvent(event) }));
    // Sent back to back on the one connection, so the stream stores them in the outbox's
    // order, and the acknowledgements awaited together: one round trip per batch, not per
    // event. If any fails the batch is published again; the msgID makes the events already
    // stored duplicates that JetStream drops (within the window), as after a crash.
    await this.publisher.publish(
      encoded.map(({ event, bytes }) => ({
        subject: `${this.settings.subjectPrefix}.${event.type}`,
        data: bytes,
        headers: streamHeaders(event, this.settings.stream),
      })),
    );
  }

  async subscribe(consumer: string, handler: EventHandler, options?: SubscribeOptions): Promise<void> {
    await this.add({ consumer, options, each: handler });
  }

  async subscribeBatch(
    consumer: string,
    handler: BatchEventHandler,
    options?: SubscribeOptions,
  ): Promise<void> {
    await this.add({ consumer, options, batch: handler });
  }

  private async add(handling: Handling): Promise<void> {
    if (this.stopping.signal.aborted) throw new Error('the event bus is closed');
    assertConsumerName(handling.consumer);
    for (const type of handling.options?.types ?? [])
      if (!isEventType(type)) throw new TypeError(`"${type}" is not a valid event type`);
    await this.ensureConsumer(handling.consumer, handling.options);
    const subscription: Subscription = { ...handling, messages: undefined, loop: Promise.resolve() };
    subscription.loop = this.consumeLoop(subscription);
    this.subscriptions.push(subscription);
  }

  async close(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    this.publisher.close();
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
          max_messages: pullBatchFor(subscription),
          abort_on_missing_resource: true,
        });
        if (this.stopping.signal.aborted) void subscription.messages.close();
        await handleMessages(subscription.messages, subscription, this.settings, this.stopping.signal);
        if (!this.stopping.signal.aborted) logger.warn({ consumer: subscription.consumer }, 'consumer ended');
      } catch (error) {
        logger.warn({ err: error, consumer: subscription.consumer }, 'consumer failed, starting it again');
      }
      subscription.messages = undefined;
      await sleep(RESUBSCRIBE_DELAY_MS, undefined, { signal: this.stopping.signal }).catch(() => {});
    }
  }
}
