import { describe, expect, it } from 'vitest';
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

  it('keeps at most maxEntries', async () => {
    const c = cache(60_000, 2);
    let loads = 0;
    for (const key of ['a', 'b', 'c']) await c.getOrLoad(key, async () => `${key}${++loads}`);
    expect(await c.getOrLoad('a', async () => 'reloaded')).toBe('reloaded');
  });
});
