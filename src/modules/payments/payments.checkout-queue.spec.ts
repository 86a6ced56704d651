import { describe, expect, it } from 'vitest';
import { CheckoutQueue } from './payments.checkout-queue.js';

/** A queue whose groups finish only when the test says so. */
function queueOf(options: { slots: number; maxGroup: number }) {
  const groups: number[][] = [];
  const finishers: (() => void)[] = [];
  const queue = new CheckoutQueue<number>(
    (group) =>
      new Promise<void>((resolve) => {
        groups.push(group);
        finishers.push(resolve);
      }),
    options,
  );
  const finish = async (n: number) => {
    finishers[n]!();
    // Lets the queue's `finally` run and start what waited.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { queue, groups, finish };
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
    const { queue, groups, finish } = queueOf({ slots: 1, maxGroup: 8 });
    for (let n = 1; n <= 5; n++) queue.submit(n);
    expect(groups).toEqual([[1]]);
    expect(queue.waiting).toBe(4);
    await finish(0);
    expect(groups).toEqual([[1], [2, 3, 4, 5]]);
    expect(queue.waiting).toBe(0);
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
      { slots: 1, maxGroup: 4 },
    );
    queue.submit(1);
    queue.submit(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(2);
  });

  it('refuses a queue without a slot or a group', () => {
    expect(() => new CheckoutQueue(async () => {}, { slots: 0, maxGroup: 4 })).toThrow(RangeError);
    expect(() => new CheckoutQueue(async () => {}, { slots: 1, maxGroup: 0 })).toThrow(RangeError);
  });
});
