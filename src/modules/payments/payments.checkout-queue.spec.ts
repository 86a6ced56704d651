import { describe, expect, it } from 'vitest';
import { CheckoutQueue } from './payments.checkout-queue.js';

const noRefusal = { maxWaitMs: 5_000, refuse: () => expect.unreachable('nothing waits that long here') };

/** A queue whose groups finish only when the test says so, on a clock the test moves. */
function queueOf(options: { slots: number; maxGroup: number; maxWaitMs?: number }) {
  const groups: number[][] = [];
  const finishers: (() => void)[] = [];
  const refused: [number, number][] = [];
  const clock = { now: 0 };
  // What a gauge fed by waitingChanged would show.
  const gauge = { value: 0 };
  const queue = new CheckoutQueue<number>(
    (group) =>
      new Promise<void>((resolve) => {
        groups.push(group);
        finishers.push(resolve);
      }),
    {
      maxWaitMs: 5_000,
      ...options,
      refuse: (member, queuedMs) => refused.push([member, queuedMs]),
      waitingChanged: (by) => (gauge.value += by),
      now: () => clock.now,
    },
  );
  const finish = async (n: number) => {
    finishers[n]!();
    // Lets the queue's `finally` run and start what waited.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { queue, groups, finish, refused, clock, gauge };
}

describe('CheckoutQueue', () => {
  it('starts a checkout at once, alone, while a slot is free', () => {
    const { queue, groups } = queueOf({ slots: 2, maxGroup: 8 });
    queue.submit(1);
    queue.submit(2);
    expect(groups).toEqual([[1], [2]]);
    expect(queue.waiting).toBe(0);
  });

  it('groups what arrives while every slot runs, in arrival order, when a slot frees', async () => {
    const { queue, groups, finish, gauge } = queueOf({ slots: 1, maxGroup: 8 });
    for (let n = 1; n <= 5; n++) queue.submit(n);
    expect(groups).toEqual([[1]]);
    expect(queue.waiting).toBe(4);
    expect(gauge.value).toBe(4);
    await finish(0);
    expect(groups).toEqual([[1], [2, 3, 4, 5]]);
    expect(queue.waiting).toBe(0);
    expect(gauge.value).toBe(0);
  });

  it('never puts more than maxGroup in one group, and fills every free slot', async () => {
    const { queue, groups, finish } = queueOf({ slots: 2, maxGroup: 3 });
    for (let n = 1; n <= 10; n++) queue.submit(n);
    expect(groups).toEqual([[1], [2]]);
    await finish(0);
    await finish(1);
    expect(groups).toEqual([[1], [2], [3, 4, 5], [6, 7, 8]]);
    await finish(2);
    expect(groups.at(-1)).toEqual([9, 10]);
    expect(queue.waiting).toBe(0);
  });

  it('frees the slot of a group that failed', async () => {
    let calls = 0;
    const queue = new CheckoutQueue<number>(
      async () => {
        calls++;
        throw new Error('group failed');
      },
      { slots: 1, maxGroup: 4, ...noRefusal },
    );
    queue.submit(1);
    queue.submit(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(2);
  });

  it('refuses whoever would join a queue whose oldest checkout waited maxWaitMs, placing nothing for it', async () => {
    const { queue, groups, finish, refused, clock, gauge } = queueOf({
      slots: 1,
      maxGroup: 8,
      maxWaitMs: 5_000,
    });
    queue.submit(1);
    queue.submit(2);
    clock.now = 4_999;
    queue.submit(3);
    expect(refused).toEqual([]);
    clock.now = 5_000;
    queue.submit(4);
    expect(refused).toEqual([[4, 5_000]]);
    expect(queue.waiting).toBe(2);
    expect(gauge.value).toBe(2);
    // 2 waited its bound when the slot freed: refused then, not placed; 3 had not.
    await finish(0);
    expect(refused).toEqual([
      [4, 5_000],
      [2, 5_000],
    ]);
    expect(groups).toEqual([[1], [3]]);
    expect(queue.waiting).toBe(0);
    expect(gauge.value).toBe(0);
  });

  it('queues again once the stale checkouts are gone', async () => {
    const { queue, groups, finish, refused, clock } = queueOf({ slots: 1, maxGroup: 8, maxWaitMs: 1_000 });
    queue.submit(1);
    queue.submit(2);
    clock.now = 2_000;
    await finish(0);
    expect(refused).toEqual([[2, 2_000]]);
    queue.submit(3);
    queue.submit(4);
    expect(groups).toEqual([[1], [3]]);
    expect(queue.waiting).toBe(1);
  });

  it('refuses a queue without a slot, a group or a bound on the wait', () => {
    const bounded = (slots: number, maxGroup: number, maxWaitMs = 5_000) =>
      new CheckoutQueue(async () => {}, { slots, maxGroup, maxWaitMs, refuse: () => undefined });
    expect(() => bounded(0, 4)).toThrow(RangeError);
    expect(() => bounded(1, 0)).toThrow(RangeError);
    expect(() => bounded(1, 4, 0)).toThrow(RangeError);
    expect(() => bounded(1, 4, Number.NaN)).toThrow(RangeError);
  });
});
