import { randomUUID } from 'node:crypto';
import { JetStreamApiError, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeEvent,
  type DomainEvent,
  encodeEvent,
  InvalidEventError,
} from '../../src/platform/events/event.js';
import type { EventBus, EventHandler } from '../../src/platform/events/event-bus.js';
import { createInProcessBus } from '../../src/platform/events/in-process.bus.js';
import { connectNatsBus, createdByAnother, type NatsBusOptions } from '../../src/platform/events/nats.bus.js';
import { openEventBus } from '../../src/platform/events/open.js';
import { sleep } from '../helpers/crashable-server.js';
import { NatsTestServer } from '../helpers/nats-server.js';
import { untilStable } from '../helpers/quiet.js';
import { serviceUrl, testDatabase } from '../helpers/services.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

const domainEvent = (type: string, data: unknown = { n: 0 }): DomainEvent => ({
  id: randomUUID(),
  type,
  aggregate: `payment:${randomUUID()}`,
  created: Date.now(),
  data,
});

const numbered = (count: number, type = 'payment.succeeded') =>
  Array.from({ length: count }, (_, n) => domainEvent(type, { n }));

/** A handler that records what it handled, and can be told to fail. */
function recorder(fail: (event: DomainEvent, attempt: number) => boolean = () => false) {
  const handled: DomainEvent[] = [];
  const attempts = new Map<string, number>();
  const handler: EventHandler = async (event) => {
    const attempt = (attempts.get(event.id) ?? 0) + 1;
    attempts.set(event.id, attempt);
    if (fail(event, attempt)) throw new Error(`refusing ${event.id} on attempt ${attempt}`);
    handled.push(event);
  };
  return { handler, handled, attempts, ids: () => handled.map((event) => event.id) };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe.runIf(testDatabase() === 'pglite')('event bus', () => {
  describe('events on the wire', () => {
    it('round-trips an event through JSON bytes', () => {
      const event = domainEvent('payment.refunded', { amount: '1000', currency: 'IDR' });
      expect(decodeEvent(encodeEvent(event))).toEqual(event);
    });

    it('refuses garbage with a clear error', () => {
      const bytes = (text: string) => new TextEncoder().encode(text);
      expect(() => decodeEvent(bytes('not json'))).toThrow(InvalidEventError);
      expect(() => decodeEvent(bytes('[]'))).toThrow(/JSON object/);
      const valid = domainEvent('payment.succeeded');
      expect(() => decodeEvent(bytes(JSON.stringify({ ...valid, id: 'x' })))).toThrow(/event.id/);
      expect(() => encodeEvent({ ...valid, type: 'payment.*' })).toThrow(/event.type/);
      expect(() => encodeEvent({ ...valid, created: 1.5 })).toThrow(/event.created/);
      expect(() => encodeEvent({ ...valid, data: undefined })).toThrow(/event.data/);
      expect(() => encodeEvent({ ...valid, data: 10n })).toThrow(InvalidEventError);
    });
  });

  describe('in process', () => {
    it('delivers each event in order to every subscriber that wants its type', async () => {
      const bus = await openEventBus({ logger });
      expect(bus.kind).toBe('in-process');
      const all = recorder();
      const refunds = recorder();
      await bus.subscribe('all', all.handler);
      await bus.subscribe('refunds', refunds.handler, { types: ['payment.refunded'] });
      const events = [...numbered(3), domainEvent('payment.refunded'), ...numbered(2)];
      await bus.publish(events);
      expect(all.handled).toEqual(events);
      expect(refunds.ids()).toEqual([events[3]!.id]);
      await bus.close();
    });

    it('retries a failing handler and resolves once it succeeds', async () => {
      const bus = createInProcessBus({ logger, maxAttempts: 3, retryDelayMs: 5 });
      const flaky = recorder((_, attempt) => attempt < 3);
      await bus.subscribe('flaky', flaky.handler);
      const [event] = numbered(1);
      await bus.publish([event!]);
      expect(flaky.attempts.get(event!.id)).toBe(3);
      expect(flaky.ids()).toEqual([event!.id]);
    });

    it('rejects after the retries and delivers nothing later, so the relay publishes again', async () => {
      const bus = createInProcessBus({ logger, maxAttempts: 2, retryDelayMs: 5 });
      let broken = true;
      const steady = recorder();
      const failing = recorder(() => broken);
      await bus.subscribe('steady', steady.handler);
      await bus.subscribe('failing', failing.handler);
      const events = numbered(2);
      await expect(bus.publish(events)).rejects.toThrow(/consumer failing failed on event .* 2 times/);
      expect(failing.attempts.get(events[0]!.id)).toBe(2);
      expect(failing.attempts.has(events[1]!.id)).toBe(false);
      broken = false;
      await bus.publish(events);
      expect(failing.ids()).toEqual(events.map((event) => event.id));
      // The steady subscriber sees the first event twice: consumers deduplicate by id.
      expect(steady.ids()).toEqual([events[0]!.id, ...events.map((event) => event.id)]);
    });
  });

  const natsUrl = serviceUrl('TEST_NATS_URL');

  describe.runIf(natsUrl)('on NATS JetStream', () => {
    const buses: EventBus[] = [];
    const streams: { url: string; stream: string; subjectPrefix: string }[] = [];

    /** A bus on its own stream and subjects, as a separate process would have. */
    const isolated = () => {
      const suffix = randomUUID().slice(0, 8);
      const options = { url: natsUrl!, stream: `TEST_EVENTS_${suffix}`, subjectPrefix: `test.${suffix}` };
      streams.push(options);
      return async (extra: Partial<NatsBusOptions> = {}) => {
        const bus = await connectNatsBus({ ...options, logger, nakDelayMs: 50, ...extra });
        buses.push(bus);
        return bus;
      };
    };

    afterEach(async () => {
      await Promise.all(buses.splice(0).map((bus) => bus.close()));
      for (const { url, stream } of streams.splice(0)) {
        const nc = await connect({ servers: url });
        await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
        await nc.close();
      }
    });

    it('delivers every event to a durable consumer in order with its payload', async () => {
      const bus = await isolated()();
      const consumer = recorder();
      await bus.subscribe('ledger', consumer.handler);
      const events = numbered(50);
      await bus.publish(events);
      await until(() => consumer.handled.length >= 50, '50 events');
      expect(consumer.handled).toEqual(events);
    });

    it('stores an event published twice once, and its consumer handles it once', async () => {
      const open = isolated();
      const bus = await open();
      const consumer = recorder();
      await bus.subscribe('ledger', consumer.handler);
      const [event, sentinel] = numbered(2);
      await bus.publish([event!]);
      await bus.publish([event!]);
      await bus.publish([sentinel!]);
      await until(() => consumer.ids().includes(sentinel!.id), 'the sentinel');
      expect(consumer.ids()).toEqual([event!.id, sentinel!.id]);
      const nc = await connect({ servers: natsUrl! });
      const info = await (await jetstreamManager(nc)).streams.info(streams[0]!.stream);
      await nc.close();
      expect(info.state.messages).toBe(2);
    });

    it('rejects a publish that no stream stores, so the relay keeps the events', async () => {
      const open = isolated();
      const bus = await open();
      const nc = await connect({ servers: natsUrl! });
      await (await jetstreamManager(nc)).streams.delete(streams[0]!.stream);
      await nc.close();
      await expect(bus.publish(numbered(3))).rejects.toThrow(/JetStream refused a message: 503/);
    });

    it('redelivers an event whose handler threw', async () => {
      const bus = await isolated()();
      const consumer = recorder((_, attempt) => attempt === 1);
      await bus.subscribe('ledger', consumer.handler);
      const [event] = numbered(1);
      await bus.publish([event!]);
      await until(() => consumer.handled.length === 1, 'the redelivery');
      expect(consumer.attempts.get(event!.id)).toBe(2);
    });

    it('splits the events of one consumer name between two processes, none handled twice', async () => {
      const open = isolated();
      const [first, second, publisher] = await Promise.all([open(), open(), open()]);
      const a = recorder();
      const b = recorder();
      const slow =
        (handler: EventHandler): EventHandler =>
        async (event) => {
          await sleep(2);
          await handler(event);
        };
      await Promise.all([
        first!.subscribe('mailer', slow(a.handler)),
        second!.subscribe('mailer', slow(b.handler)),
      ]);
      const events = numbered(200);
      await publisher!.publish(events);
      await until(() => a.handled.length + b.handled.length >= 200, 'all events');
      // No platform here, only two consumers: quiet is their counts no longer moving.
      await untilStable(() => [a.handled.length, b.handled.length]);
      const handled = [...a.ids(), ...b.ids()];
      expect(handled).toHaveLength(200);
      expect(new Set(handled)).toEqual(new Set(events.map((event) => event.id)));
      expect(a.handled.length).toBeGreaterThan(0);
      expect(b.handled.length).toBeGreaterThan(0);
    });

    it('hands the work to the process still subscribed once the other closes', async () => {
      const open = isolated();
      const [leaving, staying] = await Promise.all([open(), open()]);
      const left = recorder();
      const stayed = recorder();
      await leaving!.subscribe('mailer', left.handler);
      await staying!.subscribe('mailer', stayed.handler);
      const started = Date.now();
      await leaving!.close();
      expect(Date.now() - started).toBeLessThan(2_000);
      const events = numbered(20);
      await staying!.publish(events);
      await until(() => stayed.handled.length === 20, 'all events on the remaining process');
      expect(left.handled).toEqual([]);
    });

    it('refuses a stream whose subjects another stream already takes, and creates nothing', async () => {
      const nc = await connect({ servers: natsUrl! });
      const jsm = await jetstreamManager(nc);
      const suffix = randomUUID().slice(0, 8);
      const taken = { url: natsUrl!, stream: `TEST_TAKEN_${suffix}`, subjectPrefix: `test.${suffix}` };
      const ours = { ...taken, stream: `TEST_EVENTS_${suffix}` };
      streams.push(taken, ours);
      await jsm.streams.add({ name: taken.stream, subjects: [`${taken.subjectPrefix}.>`] });
      await expect(connectNatsBus({ ...ours, logger })).rejects.toThrow(/subjects overlap/);
      await expect(jsm.streams.info(ours.stream)).rejects.toThrow(/stream not found/);
      await nc.close();
    });

    it('reads a subject overlap on its own stream name as the stream another process has just made', async () => {
      const nc = await connect({ servers: natsUrl! });
      const jsm = await jetstreamManager(nc);
      const suffix = randomUUID().slice(0, 8);
      const stream = `TEST_EVENTS_${suffix}`;
      const overlap = new JetStreamApiError({ code: 400, err_code: 10065, description: 'subjects overlap' });
      const inUse = new JetStreamApiError({
        code: 400,
        err_code: 10058,
        description: 'stream name already in use',
      });
      // Before the other process's stream exists the overlap is a real clash.
      expect(await createdByAnother(jsm, stream, overlap)).toBe(false);
      expect(await createdByAnother(jsm, stream, inUse)).toBe(true);
      streams.push({ url: natsUrl!, stream, subjectPrefix: `test.${suffix}` });
      await jsm.streams.add({ name: stream, subjects: [`test.${suffix}.>`] });
      expect(await createdByAnother(jsm, stream, overlap)).toBe(true);
      expect(await createdByAnother(jsm, stream, new Error('timeout'))).toBe(false);
      await nc.close();
    });

    it('gives a consumer that subscribes late the events published before it existed', async () => {
      const bus = await isolated()();
      const events = numbered(10);
      await bus.publish(events);
      const late = recorder();
      await bus.subscribe('late', late.handler);
      await until(() => late.handled.length === 10, 'the earlier events');
      expect(late.handled).toEqual(events);
    });

    it('filters by one type on the server and by several in code', async () => {
      const bus = await isolated()();
      const one = recorder();
      const several = recorder();
      await bus.subscribe('one', one.handler, { types: ['payment.refunded'] });
      await bus.subscribe('several', several.handler, { types: ['payment.created', 'payment.refunded'] });
      const events = ['payment.created', 'payment.succeeded', 'payment.refunded', 'order.placed'].map(
        (type) => domainEvent(type),
      );
      await bus.publish(events);
      await until(() => one.handled.length === 1 && several.handled.length === 2, 'the wanted types');
      expect(one.ids()).toEqual([events[2]!.id]);
      expect(several.ids()).toEqual([events[0]!.id, events[2]!.id]);
    });

    it('re-creates its durable consumer when it is deleted under it', async () => {
      const bus = await isolated()();
      const consumer = recorder();
      await bus.subscribe('ledger', consumer.handler);
      const [before, after] = numbered(2);
      await bus.publish([before!]);
      await until(() => consumer.handled.length === 1, 'the first event');
      const nc = await connect({ servers: natsUrl! });
      await (await jetstreamManager(nc)).consumers.delete(streams[0]!.stream, 'ledger');
      await nc.close();
      await bus.publish([after!]);
      await until(() => consumer.ids().includes(after!.id), 'the event after the deletion');
    });

    it('terminates a message that is not an event and carries on', async () => {
      const open = isolated();
      const bus = await open();
      const consumer = recorder();
      await bus.subscribe('ledger', consumer.handler);
      const nc = await connect({ servers: natsUrl! });
      await jetstream(nc).publish(`${streams[0]!.subjectPrefix}.payment.succeeded`, 'garbage');
      const [event] = numbered(1);
      await bus.publish([event!]);
      await until(() => consumer.handled.length === 1, 'the valid event');
      const info = await (await jetstreamManager(nc)).consumers.info(streams[0]!.stream, 'ledger');
      await nc.close();
      expect(info.num_ack_pending).toBe(0);
      expect(info.num_redelivered).toBe(0);
      expect(consumer.ids()).toEqual([event!.id]);
    });
  });

  // A private nats-server process: where NATS is a service of the machine (TEST_NATS_URL,
  // as in CI), its binary is there too; a machine with only Node and npm has neither.
  describe.runIf(natsUrl)('across a nats-server crash', () => {
    it('loses no event when the server is killed and restarted mid-stream', async () => {
      const server = await NatsTestServer.start();
      const options = {
        url: server.url,
        logger,
        reconnectWaitMs: 100,
        requestTimeoutMs: 1_000,
        nakDelayMs: 50,
      };
      const publisher = await connectNatsBus(options);
      const subscriber = await connectNatsBus(options);
      try {
        const consumer = recorder();
        await subscriber.subscribe('ledger', consumer.handler);
        const events = numbered(300);
        let failedPublishes = 0;
        const publishing = (async () => {
          for (const event of events) {
            // The relay's behaviour: an event not confirmed is published again, same id.
            for (;;) {
              try {
                await publisher.publish([event]);
                break;
              } catch {
                failedPublishes += 1;
                await sleep(50);
              }
            }
            await sleep(3);
          }
        })();
        await until(() => consumer.handled.length >= 100, 'the first 100 events');
        await server.stop({ signal: 'SIGKILL' });
        await sleep(300);
        await server.restart();
        await publishing;
        await until(() => new Set(consumer.ids()).size === events.length, 'every event', 20_000);
        expect(new Set(consumer.ids())).toEqual(new Set(events.map((event) => event.id)));
        expect(failedPublishes).toBeGreaterThan(0);
      } finally {
        await Promise.all([publisher.close(), subscriber.close()]);
        await server.close();
      }
    });
  });
});
