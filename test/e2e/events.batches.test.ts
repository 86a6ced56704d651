import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/platform/events/event.js';
import { type EventBus, MAX_HANDLER_BATCH } from '../../src/platform/events/event-bus.js';
import { createInProcessBus } from '../../src/platform/events/in-process.bus.js';
import { connectNatsBus } from '../../src/platform/events/nats.bus.js';
import { sleep } from '../helpers/crashable-server.js';
import { untilStable } from '../helpers/quiet.js';
import { serviceUrl, testDatabase } from '../helpers/services.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

const numbered = (count: number, type = 'payment.succeeded'): DomainEvent[] =>
  Array.from({ length: count }, (_, n) => ({
    id: randomUUID(),
    type,
    aggregate: `payment:${randomUUID()}`,
    created: Date.now(),
    data: { n },
  }));

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

// The buses alone, no database: once is enough.
describe.runIf(testDatabase() === 'pglite')('consumers taking events in batches', () => {
  it('in process: gets the wanted events of a publish in one call, one by one after a failure', async () => {
    const bus = createInProcessBus({ logger, maxAttempts: 2, retryDelayMs: 5 });
    const batches: string[][] = [];
    const refused = new Set<string>();
    await bus.subscribeBatch(
      'batches',
      async (events) => {
        if (events.some((event) => refused.has(event.id))) throw new Error('bad event in the batch');
        batches.push(events.map((event) => event.id));
      },
      { types: ['payment.succeeded'] },
    );
    const events = [...numbered(3), ...numbered(1, 'payment.refunded'), ...numbered(2)];
    await bus.publish(events);
    const wanted = events.filter((event) => event.type === 'payment.succeeded').map((event) => event.id);
    expect(batches).toEqual([wanted]);

    const next = numbered(3);
    refused.add(next[1]!.id);
    batches.length = 0;
    await expect(bus.publish(next)).rejects.toThrow(/failed on event .* 2 times/);
    // The batch failed, then its events went one by one: the first got through alone.
    expect(batches).toEqual([[next[0]!.id]]);
  });

  it('in process: batch consumers work at the same time, and the publish waits for all of them', async () => {
    const bus = createInProcessBus({ logger, maxAttempts: 1 });
    const log: string[] = [];
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    await bus.subscribeBatch('slow', async (events) => {
      log.push(`slow starts ${events.length}`);
      await slowGate;
      log.push('slow ends');
    });
    await bus.subscribeBatch('quick', async (events) => {
      log.push(`quick handles ${events.length}`);
      throw new Error('quick is broken');
    });
    const events = numbered(MAX_HANDLER_BATCH + 1);
    let settled = false;
    const publishing = bus.publish(events).finally(() => (settled = true));
    publishing.catch(() => {});
    await until(() => log.includes('quick handles 1'), 'the quick consumer to be tried one by one');
    // The quick one ran (and failed) while the slow one was still on its first batch.
    expect(log[0]).toBe(`slow starts ${MAX_HANDLER_BATCH}`);
    await sleep(30);
    expect(settled).toBe(false);
    releaseSlow();
    await expect(publishing).rejects.toThrow(/consumer quick failed on event/);
    // The slow consumer still went through its batches in order, the second after the first.
    expect(log.filter((line) => line.startsWith('slow'))).toEqual([
      `slow starts ${MAX_HANDLER_BATCH}`,
      'slow ends',
      'slow starts 1',
      'slow ends',
    ]);
  });

  const natsUrl = serviceUrl('TEST_NATS_URL');

  describe.runIf(natsUrl)('on NATS JetStream', () => {
    const buses: EventBus[] = [];
    const streams: string[] = [];

    /** A bus on a stream and subjects of its own. */
    async function isolatedBus(): Promise<{ bus: EventBus; stream: string }> {
      const suffix = randomUUID().slice(0, 8);
      const stream = `TEST_BATCHES_${suffix}`;
      streams.push(stream);
      const bus = await connectNatsBus({
        url: natsUrl!,
        stream,
        subjectPrefix: `test.${suffix}`,
        logger,
        nakDelayMs: 50,
      });
      buses.push(bus);
      return { bus, stream };
    }

    afterEach(async () => {
      await Promise.all(buses.splice(0).map((bus) => bus.close()));
      const nc = await connect({ servers: natsUrl! });
      const jsm = await jetstreamManager(nc);
      for (const stream of streams.splice(0)) await jsm.streams.delete(stream).catch(() => false);
      await nc.close();
    });

    it('hands a batch consumer many events per call, in order, each once, all acked', async () => {
      const { bus, stream } = await isolatedBus();
      const events = numbered(500);
      await bus.publish(events);
      const sizes: number[] = [];
      const handled: string[] = [];
      await bus.subscribeBatch('batches', async (batch) => {
        // As a transaction would: the next messages arrive meanwhile and form the next batch.
        await sleep(5);
        sizes.push(batch.length);
        handled.push(...batch.map((event) => event.id));
      });
      await until(() => handled.length >= 500, 'every event');
      await untilStable(() => handled.length);
      expect(handled).toEqual(events.map((event) => event.id));
      expect(Math.max(...sizes)).toBeGreaterThan(1);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_HANDLER_BATCH);
      const nc = await connect({ servers: natsUrl! });
      const info = await (await jetstreamManager(nc)).consumers.info(stream, 'batches');
      await nc.close();
      expect(info.num_ack_pending).toBe(0);
    });

    it('redelivers only the event that made its batch fail', async () => {
      const { bus } = await isolatedBus();
      const events = numbered(20);
      const bad = events[7]!.id;
      const attempts = new Map<string, number>();
      const handled: string[] = [];
      await bus.publish(events);
      await bus.subscribeBatch('batches', async (batch) => {
        await sleep(2);
        for (const event of batch) attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
        if (batch.some((event) => event.id === bad) && attempts.get(bad)! <= 2)
          throw new Error('refusing the bad event');
        handled.push(...batch.map((event) => event.id));
      });
      await until(() => handled.includes(bad), 'the bad event, redelivered');
      await untilStable(() => handled.length);
      expect([...handled].sort()).toEqual(events.map((event) => event.id).sort());
      expect(attempts.get(bad)).toBe(3);
    });
  });
});
