import { describe, expect, it } from 'vitest';
import { MessageBatches } from './message-batches.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('MessageBatches', () => {
  it('hands over one item at once when one came, and everything that came meanwhile after', async () => {
    const queue = new MessageBatches<number>(10);
    const taking = queue.take();
    await queue.push(1);
    expect(await taking).toEqual([1]);
    for (const n of [2, 3, 4]) await queue.push(n);
    expect(await queue.take()).toEqual([2, 3, 4]);
  });

  it('never hands over more than its maximum, oldest first', async () => {
    const queue = new MessageBatches<number>(3);
    const pushing = (async () => {
      for (let n = 0; n < 7; n += 1) await queue.push(n);
      queue.end();
    })();
    const batches: number[][] = [];
    for (let batch = await queue.take(); batch; batch = await queue.take()) batches.push(batch);
    await pushing;
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(3);
  });

  it('holds the producer back while the queue is full', async () => {
    const queue = new MessageBatches<number>(2);
    await queue.push(1);
    let pushed = false;
    const second = queue.push(2).then(() => (pushed = true));
    await turn();
    expect(pushed).toBe(false);
    expect(await queue.take()).toEqual([1, 2]);
    await second;
    expect(pushed).toBe(true);
  });

  it('gives what is left after the end, then nothing, and refuses more', async () => {
    const queue = new MessageBatches<string>(5);
    await queue.push('a');
    queue.end();
    expect(await queue.take()).toEqual(['a']);
    expect(await queue.take()).toBeUndefined();
    await expect(queue.push('b')).rejects.toThrow(/ended/);
  });

  it('wakes a waiting consumer when the queue ends empty', async () => {
    const queue = new MessageBatches<number>(5);
    const taking = queue.take();
    queue.end();
    expect(await taking).toBeUndefined();
  });
});
