import type { InvalidationBus } from './invalidation-bus.js';

interface Entry<V> {
  value: V;
  expiresAtMs: number;
}

const ALL = '*';

/**
 * Each entry lives between 80 % and 100 % of the TTL, drawn at random. Entries loaded
 * together (a warm-up, a busy listing) would otherwise expire together, and every one of
 * them would be read again from the database at the same moment: on the embedded database,
 * which runs on the event loop, that stalled the server for over 100 ms (bench latency
 * section at 30 s per phase). Never longer than the TTL, which bounds how stale a lost
 * invalidation can leave an entry.
 */
const TTL_SPREAD = 0.2;

/**
 * A bounded, expiring read-through cache whose entries are dropped on every instance when
 * the data behind them changes. A load that overlaps an invalidation is not stored, so a
 * slow read of old data cannot re-fill the cache after a write. Misses of one key that
 * arrive while it is being loaded wait for that load instead of starting their own (single
 * flight), so an entry that expires under a thousand requests a second costs one read, not
 * one per request until the first returns; a miss after an invalidation never joins a load
 * that began before it.
 */
export class ReadCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, { generation: number; value: Promise<V | undefined> }>();
  private generation = 0;

  constructor(
    private readonly topic: string,
    private readonly bus: InvalidationBus,
    private readonly options: { maxEntries: number; ttlMs: number },
  ) {
    bus.subscribe(topic, (key) => this.drop(key));
    bus.onGap(() => this.drop(ALL));
  }

  /** The fresh cached value, synchronously, for hot paths that want to skip a promise. */
  peek(key: string): V | undefined {
    const hit = this.entries.get(key);
    return hit && hit.expiresAtMs > Date.now() ? hit.value : undefined;
  }

  /**
   * The cached value, else `load`'s, shared by every miss of `key` until it settles. `load`
   * must depend on the key alone: whoever misses first loads for all.
   */
  getOrLoad(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.peek(key);
    if (hit !== undefined) return Promise.resolve(hit);
    // A cache that is off reads through every time, as if it were not there.
    if (this.options.ttlMs <= 0) return load();
    const inFlight = this.loading.get(key);
    if (inFlight && inFlight.generation === this.generation) return inFlight.value;
    const generation = this.generation;
    const value = load().then(
      (loaded) => {
        if (this.loading.get(key)?.value === value) this.loading.delete(key);
        if (loaded !== undefined && generation === this.generation) this.store(key, loaded);
        return loaded;
      },
      (error: unknown) => {
        if (this.loading.get(key)?.value === value) this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, { generation, value });
    return value;
  }

  /** Drops `key` here and on every other instance. Call after the write has committed. */
  invalidate(key: string): Promise<void> {
    return this.bus.publish(this.topic, key);
  }

  invalidateAll(): Promise<void> {
    return this.bus.publish(this.topic, ALL);
  }

  private drop(key: string) {
    this.generation += 1;
    if (key === ALL) this.entries.clear();
    else this.entries.delete(key);
  }

  private store(key: string, value: V) {
    if (this.options.ttlMs <= 0) return;
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    const ttlMs = this.options.ttlMs * (1 - TTL_SPREAD * Math.random());
    this.entries.set(key, { value, expiresAtMs: Date.now() + ttlMs });
  }
}
