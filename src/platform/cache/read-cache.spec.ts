import { afterEach, describe, expect, it, vi } from 'vitest';
import { localInvalidationBus } from './invalidation-bus.js';
import { ReadCache } from './read-cache.js';

const cache = (ttlMs = 60_000, maxEntries = 100) =>
  new ReadCache<string>('test', localInvalidationBus(), { maxEntries, ttlMs });

describe('ReadCache', () => {
  it('loads once and serves the stored value afterwards', async () => {
    const c = cache();
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await c.getOrLoad('a', load)).toBe('v1');
    expect(await c.getOrLoad('a', load)).toBe('v1');
    expect(loads).toBe(1);
  });

  it('loads again after an invalidation of that key or of everything', async () => {
    const c = cache();
    let loads = 0;
    const load = async () => `v${++loads}`;
    await c.getOrLoad('a', load);
    await c.invalidate('a');
    expect(await c.getOrLoad('a', load)).toBe('v2');
    await c.invalidateAll();
    expect(await c.getOrLoad('a', load)).toBe('v3');
  });

  it('does not store a value loaded while an invalidation happened', async () => {
    const c = cache();
    let release!: () => void;
    const slow = c.getOrLoad('a', () => new Promise<string>((resolve) => (release = () => resolve('old'))));
    await c.invalidate('a');
    release();
    expect(await slow).toBe('old');
    expect(await c.getOrLoad('a', async () => 'new')).toBe('new');
  });

  it('expires entries after the TTL and never caches a miss', async () => {
    const c = cache(1);
    await c.getOrLoad('a', async () => 'v1');
    await new Promise((r) => setTimeout(r, 5));
    expect(await c.getOrLoad('a', async () => 'v2')).toBe('v2');
    expect(await c.getOrLoad('b', async () => undefined)).toBeUndefined();
    expect(await c.getOrLoad('b', async () => 'now')).toBe('now');
  });

  describe('expiry spread', () => {
    afterEach(() => vi.useRealTimers());

    it('lets entries loaded together expire over the last fifth of the TTL, never after it', async () => {
      vi.useFakeTimers({ now: 0 });
      const c = cache(10_000, 1_000);
      for (let i = 0; i < 1_000; i++) await c.getOrLoad(`k${i}`, async () => `v${i}`);
      const fresh = () => Array.from({ length: 1_000 }, (_, i) => c.peek(`k${i}`)).filter(Boolean).length;
      vi.setSystemTime(7_999);
      expect(fresh()).toBe(1_000);
      vi.setSystemTime(9_000);
      const mid = fresh();
      // About half expire in the first half of the window; far from none and far from all.
      expect(mid).toBeGreaterThan(300);
      expect(mid).toBeLessThan(700);
      vi.setSystemTime(10_000);
      expect(fresh()).toBe(0);
    });
  });

  describe('single flight', () => {
    /** A load that returns `value` when released, counting how many started. */
    const gate = () => {
      const started: (() => void)[] = [];
      return {
        started,
        load: (value: string) => () => new Promise<string>((resolve) => started.push(() => resolve(value))),
      };
    };

    it('has misses of a key that arrive during its load wait for that load', async () => {
      const c = cache();
      const g = gate();
      const answers = Array.from({ length: 50 }, () => c.getOrLoad('a', g.load('v1')));
      expect(g.started).toHaveLength(1);
      g.started[0]!();
      expect(await Promise.all(answers)).toEqual(Array(50).fill('v1'));
      // Other keys load on their own.
      const other = c.getOrLoad('b', g.load('b1'));
      expect(g.started).toHaveLength(2);
      g.started[1]!();
      expect(await other).toBe('b1');
    });

    it('never joins a load that began before an invalidation', async () => {
      const c = cache();
      const g = gate();
      const before = c.getOrLoad('a', g.load('old'));
      await c.invalidate('a');
      const after = c.getOrLoad('a', g.load('new'));
      expect(g.started).toHaveLength(2);
      g.started[1]!();
      g.started[0]!();
      expect([await before, await after]).toEqual(['old', 'new']);
      expect(await c.getOrLoad('a', async () => 'unused')).toBe('new');
    });

    it('shares a failed load with its waiters, caches nothing, and loads again on the next miss', async () => {
      const c = cache();
      let fail!: (error: Error) => void;
      const first = c.getOrLoad('a', () => new Promise<string>((_, reject) => (fail = reject)));
      const second = c.getOrLoad('a', async () => 'unused');
      fail(new Error('database down'));
      await expect(first).rejects.toThrow('database down');
      await expect(second).rejects.toThrow('database down');
      expect(await c.getOrLoad('a', async () => 'v2')).toBe('v2');
    });

    it('does not share loads when the cache is off', async () => {
      const c = cache(0);
      const g = gate();
      const answers = [c.getOrLoad('a', g.load('x')), c.getOrLoad('a', g.load('y'))];
      expect(g.started).toHaveLength(2);
      for (const release of g.started) release();
      expect(await Promise.all(answers)).toEqual(['x', 'y']);
    });
  });

  it('keeps at most maxEntries', async () => {
    const c = cache(60_000, 2);
    let loads = 0;
    for (const key of ['a', 'b', 'c']) await c.getOrLoad(key, async () => `${key}${++loads}`);
    expect(await c.getOrLoad('a', async () => 'reloaded')).toBe('reloaded');
  });
});
