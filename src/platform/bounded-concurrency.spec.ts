import { describe, expect, it } from 'vitest';
import { BoundedConcurrency } from './bounded-concurrency.js';

class Busy extends Error {
  constructor(readonly waitMs: number) {
    super('busy');
  }
}

/** A task that ends when the test says so, recording when it started. */
function gate(log: string[], name: string) {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    open = () => resolve(name);
    fail = reject;
  });
  return {
    task: () => {
      log.push(`start ${name}`);
      return done;
    },
    open,
    fail,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A limiter on a clock the test moves (`clock.ms`), refusing with Busy. */
function clocked(options: { concurrency: number; queueLimit: number; maxWaitMs?: number }) {
  const clock = { ms: 0 };
  const limiter = new BoundedConcurrency({ ...options, refusal: (ms) => new Busy(ms), now: () => clock.ms });
  return { clock, limiter };
}

describe('bounded concurrency', () => {
  it('runs at most `concurrency` tasks at once and starts the waiting ones in arrival order', async () => {
    const limiter = new BoundedConcurrency({ concurrency: 2, queueLimit: 10, refusal: (ms) => new Busy(ms) });
    const log: string[] = [];
    const gates = ['a', 'b', 'c', 'd'].map((name) => gate(log, name));
    const results = gates.map((g) => limiter.run(g.task));
    await settle();
    expect(log).toEqual(['start a', 'start b']);
    expect([limiter.running, limiter.queued]).toEqual([2, 2]);

    gates[1]!.open();
    await settle();
    expect(log).toEqual(['start a', 'start b', 'start c']);
    expect([limiter.running, limiter.queued]).toEqual([2, 1]);

    gates[0]!.open();
    gates[2]!.open();
    await settle();
    expect(log).toEqual(['start a', 'start b', 'start c', 'start d']);
    gates[3]!.open();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect([limiter.running, limiter.queued]).toEqual([0, 0]);
  });

  it('refuses a call beyond the queue at once, without running it', async () => {
    const limiter = new BoundedConcurrency({ concurrency: 1, queueLimit: 1, refusal: (ms) => new Busy(ms) });
    const log: string[] = [];
    const first = gate(log, 'first');
    const second = gate(log, 'second');
    const running = limiter.run(first.task);
    const waiting = limiter.run(second.task);
    let ran = false;
    await expect(
      limiter.run(async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(Busy);
    expect(ran).toBe(false);
    first.open();
    second.open();
    expect([await running, await waiting]).toEqual(['first', 'second']);
    // With the queue drained, calls are accepted again.
    expect(await limiter.run(async () => 'again')).toBe('again');
  });

  it('with no queue, refuses as soon as every slot is taken', async () => {
    const limiter = new BoundedConcurrency({ concurrency: 1, queueLimit: 0, refusal: (ms) => new Busy(ms) });
    const first = gate([], 'first');
    const running = limiter.run(first.task);
    await expect(limiter.run(async () => 'x')).rejects.toBeInstanceOf(Busy);
    first.open();
    await running;
  });

  it('frees the slot of a task that failed, and passes its error on', async () => {
    const limiter = new BoundedConcurrency({ concurrency: 1, queueLimit: 5, refusal: (ms) => new Busy(ms) });
    const log: string[] = [];
    const failing = gate(log, 'failing');
    const next = gate(log, 'next');
    const failed = limiter.run(failing.task);
    const after = limiter.run(next.task);
    failing.fail(new Error('hash failed'));
    await expect(failed).rejects.toThrow('hash failed');
    await settle();
    expect(log).toEqual(['start failing', 'start next']);
    next.open();
    expect(await after).toBe('next');
    expect(limiter.running).toBe(0);
  });

  it('tells the refused caller how long the queue would take, from the tasks it ran', async () => {
    const { clock, limiter } = clocked({ concurrency: 2, queueLimit: 2 });
    expect(limiter.estimatedWaitMs()).toBe(0);
    await limiter.run(async () => {
      clock.ms += 100;
    });
    const gates = ['a', 'b', 'c', 'd'].map((name) => gate([], name));
    const results = gates.map((g) => limiter.run(g.task));
    // Two queued and one more arriving, 100 ms each, two at a time: 150 ms.
    const refused = await limiter.run(async () => 'x').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Busy);
    expect((refused as Busy).waitMs).toBe(150);
    for (const g of gates) g.open();
    await Promise.all(results);
  });

  it('refuses a call that would wait longer than maxWaitMs, though the queue has room', async () => {
    const { clock, limiter } = clocked({ concurrency: 1, queueLimit: 10, maxWaitMs: 250 });
    await limiter.run(async () => {
      clock.ms += 100;
    });
    const gates = ['a', 'b', 'c'].map((name) => gate([], name));
    const results = gates.map((g) => limiter.run(g.task));
    await settle();
    // a runs; b (100 ms) and c (200 ms) wait; the next would wait 300 ms.
    expect([limiter.running, limiter.queued]).toEqual([1, 2]);
    const refused = await limiter.run(async () => 'x').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Busy);
    expect((refused as Busy).waitMs).toBe(300);
    for (const g of gates) g.open();
    await Promise.all(results);
    // With no one waiting, a call queues whatever the estimate.
    const slow = gate([], 'slow');
    const running = limiter.run(async () => {
      clock.ms += 10_000;
      return slow.task();
    });
    await settle();
    const queued = limiter.run(async () => 'queued');
    slow.open();
    expect(await Promise.all([running, queued])).toEqual(['slow', 'queued']);
  });

  it('refuses a waiter whose turn comes after maxWaitMs, and hands the slot to the next', async () => {
    const { clock, limiter } = clocked({ concurrency: 1, queueLimit: 10, maxWaitMs: 250 });
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((name) => gate(log, name));
    const results = [limiter.run(a!.task), limiter.run(b!.task)];
    await settle();
    // b has waited 300 ms when a ends; c, queued then, has not.
    clock.ms += 300;
    results.push(limiter.run(c!.task));
    a!.open();
    c!.open();
    const [first, second, third] = await Promise.allSettled(results);
    expect(first).toEqual({ status: 'fulfilled', value: 'a' });
    expect(second!.status).toBe('rejected');
    expect((second as PromiseRejectedResult).reason).toBeInstanceOf(Busy);
    expect(third).toEqual({ status: 'fulfilled', value: 'c' });
    expect(log).toEqual(['start a', 'start c']);
    expect([limiter.running, limiter.queued]).toEqual([0, 0]);
  });

  it('refuses settings that would never run anything or queue a negative number', () => {
    const refusal = (ms: number) => new Busy(ms);
    expect(() => new BoundedConcurrency({ concurrency: 0, queueLimit: 1, refusal })).toThrow(RangeError);
    expect(() => new BoundedConcurrency({ concurrency: 1.5, queueLimit: 1, refusal })).toThrow(RangeError);
    expect(() => new BoundedConcurrency({ concurrency: 1, queueLimit: -1, refusal })).toThrow(RangeError);
  });
});
