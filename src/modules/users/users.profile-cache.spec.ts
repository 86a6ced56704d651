import { describe, expect, it } from 'vitest';
import { localInvalidationBus } from '../../platform/cache/invalidation-bus.js';
import { ProfileCache } from './users.profile-cache.js';
import type { PublicUser } from './users.rules.js';

const profile = (name: string): PublicUser => ({
  id: '6b0f6a52-7f39-4a47-9d7a-0f1a2b3c4d5e',
  name,
  email: 'siti@example.com',
  phone: null,
  shipping_address: { line1: 'Jl. Sudirman 1', city: 'Jakarta', postal_code: '10220', country: 'ID' },
  role: 'buyer',
  status: 'active',
  email_verified: false,
  created_at: '2026-12-01T00:00:00.000Z',
  updated_at: '2026-12-01T00:00:00.000Z',
});
const ID = profile('').id;

/** A row source whose current name the test sets, counting the reads. */
function source(name: string) {
  const state = { name, reads: 0 };
  return Object.assign(state, {
    load: async () => {
      state.reads += 1;
      return profile(state.name);
    },
  });
}

describe('ProfileCache', () => {
  it('reads a profile once, then serves it frozen', async () => {
    const cache = new ProfileCache(localInvalidationBus(), 60_000);
    const rows = source('Siti');
    const first = await cache.get(ID, rows.load);
    const second = await cache.get(ID, rows.load);
    expect(second).toBe(first);
    expect(rows.reads).toBe(1);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first!.shipping_address)).toBe(true);
  });

  it('drops a profile on every cache of the bus when the user changes', async () => {
    const bus = localInvalidationBus();
    const here = new ProfileCache(bus, 60_000);
    const there = new ProfileCache(bus, 60_000);
    const rows = source('Siti');
    await here.get(ID, rows.load);
    await there.get(ID, rows.load);
    rows.name = 'Siti Rahma';
    await here.changed(ID);
    expect((await there.get(ID, rows.load))!.name).toBe('Siti Rahma');
    expect((await here.get(ID, rows.load))!.name).toBe('Siti Rahma');
  });

  it('does not keep a profile read while the user changed', async () => {
    const cache = new ProfileCache(localInvalidationBus(), 60_000);
    const rows = source('Siti');
    let release!: () => void;
    const slow = cache.get(ID, async () => {
      const stale = await rows.load();
      await new Promise<void>((resolve) => (release = resolve));
      return stale;
    });
    // The change commits and is announced while the read is still on its way.
    await new Promise((resolve) => setImmediate(resolve));
    rows.name = 'Changed';
    await cache.changed(ID);
    release();
    expect((await slow)!.name).toBe('Siti');
    expect((await cache.get(ID, rows.load))!.name).toBe('Changed');
  });

  it('keeps nothing with a zero TTL, yet still tells the other caches', async () => {
    const bus = localInvalidationBus();
    const off = new ProfileCache(bus, 0);
    const on = new ProfileCache(bus, 60_000);
    const rows = source('Siti');
    await off.get(ID, rows.load);
    await off.get(ID, rows.load);
    expect(rows.reads).toBe(2);
    expect(Object.isFrozen(await off.get(ID, rows.load))).toBe(false);
    await on.get(ID, rows.load);
    rows.name = 'Changed';
    await off.changed(ID);
    expect((await on.get(ID, rows.load))!.name).toBe('Changed');
  });

  it('does not keep an unknown user', async () => {
    const cache = new ProfileCache(localInvalidationBus(), 60_000);
    let reads = 0;
    const missing = async () => {
      reads += 1;
      return undefined;
    };
    expect(await cache.get(ID, missing)).toBeUndefined();
    expect(await cache.get(ID, missing)).toBeUndefined();
    expect(reads).toBe(2);
  });
});
