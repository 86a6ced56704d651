import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { localInvalidationBus } from '../cache/invalidation-bus.js';
import {
  type Revocation,
  type RevocationStore,
  RevokedSessions,
  SYNC_INTERVAL_MS,
} from './revoked-sessions.js';

const TTL_MS = 15 * 60_000;

/** One shared store, as Redis or the database would be, that can be made to fail. */
function memoryStore() {
  const rows = new Map<string, number>();
  let down = false;
  const store: RevocationStore = {
    async add(revocations) {
      if (down) throw new Error('store down');
      for (const [id, ms] of revocations) rows.set(id, ms);
    },
    async expiringAfter(afterMs) {
      if (down) throw new Error('store down');
      return [...rows].filter(([, ms]) => ms > afterMs).map(([id, ms]): Revocation => [id, ms]);
    },
  };
  return { store, setDown: (value: boolean) => (down = value) };
}

describe('revoked sessions', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('apply at once where revoked, on the other instances at the next sync, and lapse after the token lifetime', async () => {
    const { store } = memoryStore();
    const a = new RevokedSessions(TTL_MS, store);
    const b = new RevokedSessions(TTL_MS, store);
    await Promise.all([a.start(), b.start()]);
    await a.revoke(['s1']);
    expect(a.has('s1')).toBe(true);
    expect(b.has('s1')).toBe(false);
    await vi.advanceTimersByTimeAsync(SYNC_INTERVAL_MS);
    expect(b.has('s1')).toBe(true);
    await vi.advanceTimersByTimeAsync(TTL_MS + 60_000);
    expect(a.has('s1')).toBe(false);
    expect(b.has('s1')).toBe(false);
    await Promise.all([a.close(), b.close()]);
  });

  it('apply on the other instances at once when pushed over a bus, the sync only as a safety net', async () => {
    const { store } = memoryStore();
    const bus = localInvalidationBus();
    const a = new RevokedSessions(TTL_MS, store, undefined, bus);
    const b = new RevokedSessions(TTL_MS, store, undefined, bus);
    const c = new RevokedSessions(TTL_MS, store);
    await Promise.all([a.start(), b.start(), c.start()]);
    await a.revoke(['s1', 's2']);
    expect(b.has('s1') && b.has('s2')).toBe(true);
    // An instance that does not hear the bus still learns it from the store.
    expect(c.has('s1')).toBe(false);
    await vi.advanceTimersByTimeAsync(SYNC_INTERVAL_MS);
    expect(c.has('s1')).toBe(true);
    // A message that is not a list of revocations changes nothing.
    await bus.publish('auth.revoked', '{"not":"revocations"}');
    await bus.publish('auth.revoked', '[["s3","soon"]]');
    expect(b.has('s3')).toBe(false);
    await Promise.all([a.close(), b.close(), c.close(), bus.close()]);
  });

  it('load what was revoked before they started', async () => {
    const { store } = memoryStore();
    await new RevokedSessions(TTL_MS, store).revoke(['old']);
    const late = new RevokedSessions(TTL_MS, store);
    await late.start();
    expect(late.has('old')).toBe(true);
    await late.close();
  });

  it('catch up after the store was unreachable from one instance, however long that lasted', async () => {
    const { store } = memoryStore();
    let cutOff = false;
    const a = new RevokedSessions(TTL_MS, store);
    const b = new RevokedSessions(TTL_MS, {
      add: (revocations) => store.add(revocations),
      expiringAfter: (afterMs) =>
        cutOff ? Promise.reject(new Error('unreachable')) : store.expiringAfter(afterMs),
    });
    await Promise.all([a.start(), b.start()]);
    cutOff = true;
    await a.revoke(['during']);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    cutOff = false;
    await vi.advanceTimersByTimeAsync(SYNC_INTERVAL_MS);
    expect(b.has('during')).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });

  it('refuse a logout that the store cannot record, and keep it locally', async () => {
    const { store, setDown } = memoryStore();
    const a = new RevokedSessions(TTL_MS, store);
    setDown(true);
    await expect(a.revoke(['s'])).rejects.toThrow('store down');
    expect(a.has('s')).toBe(true);
  });
});
