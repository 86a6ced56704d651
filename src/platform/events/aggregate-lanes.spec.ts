import { describe, expect, it } from 'vitest';
import { AggregateLanes } from './aggregate-lanes.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('AggregateLanes', () => {
  it('keeps each lane in order while lanes run side by side', async () => {
    const lanes = new AggregateLanes(8);
    const done: string[] = [];
    let concurrent = 0;
    let peak = 0;
    for (let n = 0; n < 5; n += 1) {
      for (const lane of ['a', 'b', 'c']) {
        await lanes.run(lane, async () => {
          concurrent += 1;
          peak = Math.max(peak, concurrent);
          // Later tasks finish faster: only the lanes keep them in order.
          await tick(10 - n * 2);
          done.push(`${lane}${n}`);
          concurrent -= 1;
        });
      }
    }
    await lanes.idle();
    for (const lane of ['a', 'b', 'c']) {
      expect(done.filter((name) => name.startsWith(lane))).toEqual([0, 1, 2, 3, 4].map((n) => `${lane}${n}`));
    }
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(3);
  });

  it('never runs more than its limit at once, and a failing task does not stop its lane', async () => {
    const lanes = new AggregateLanes(2);
    let concurrent = 0;
    let peak = 0;
    const finished: number[] = [];
    for (let n = 0; n < 10; n += 1) {
      await lanes.run(n === 3 ? 'x' : `lane${n}`, async () => {
        concurrent += 1;
        peak = Math.max(peak, concurrent);
        await tick(5);
        concurrent -= 1;
        if (n === 3) throw new Error('boom');
        finished.push(n);
      });
    }
    await lanes.run('x', async () => void finished.push(99));
    await lanes.idle();
    expect(peak).toBe(2);
    expect(finished).toContain(99);
    expect(finished).toHaveLength(10);
  });
});
