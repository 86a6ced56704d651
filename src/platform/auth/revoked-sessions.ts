import type { Logger } from 'pino';
import type { InvalidationBus } from '../cache/invalidation-bus.js';

/** A revoked session and the moment (ms since the epoch) its last access token has expired. */
export type Revocation = readonly [sessionId: string, expiresAtMs: number];

/** Where the instances of one deployment share revocations (Redis, or the database). */
export interface RevocationStore {
  add(revocations: readonly Revocation[]): Promise<void>;
  /** Every revocation still in force after `afterMs`. */
  expiringAfter(afterMs: number): Promise<Revocation[]>;
}

/** The bus topic revocations are pushed on; its key is a JSON array of Revocations. */
const REVOKED_TOPIC = 'auth.revoked';

/**
 * How often each instance reads the shared store: a revocation applies everywhere within
 * this even when the push over the bus is lost.
 */
export const SYNC_INTERVAL_MS = 500;
/**
 * Added to every revocation's lifetime, for instances whose clocks disagree by up to this
 * much. It also makes each sync re-read the last half minute, so a revocation written by an
 * instance whose clock is behind is not skipped.
 */
const CLOCK_SKEW_MS = 30_000;
const PURGE_INTERVAL_MS = 10_000;

/**
 * The sessions whose access tokens must be refused although their signatures are valid.
 * `has` runs on every authenticated request, so it reads only this process's memory; that
 * memory is refreshed from the shared store every SYNC_INTERVAL_MS. Without a store (tests
 * that build the token service by hand) revocations apply to this process alone.
 */
export class RevokedSessions {
  private readonly local = new Map<string, number>();
  private syncedAtMs: number | undefined;
  private purgedAtMs = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private closed = false;
  private failing = false;

  constructor(
    /** The access tokens' lifetime: a revocation is needed for no longer than that. */
    private readonly ttlMs: number,
    private readonly store?: RevocationStore,
    private readonly logger?: Logger,
    /** Pushes each revocation to every instance at once (Redis pub/sub, or this process). */
    private readonly bus?: InvalidationBus,
  ) {
    bus?.subscribe(REVOKED_TOPIC, (message) => {
      const revocations = revocationsIn(message);
      if (revocations) this.remember(revocations);
      else this.logger?.warn('ignored a malformed revocation message');
    });
  }

  has(sessionId: string): boolean {
    const expiresAtMs = this.local.get(sessionId);
    return expiresAtMs !== undefined && expiresAtMs > Date.now();
  }

  /**
   * Refuses the sessions' access tokens in this process at once and, through the store, on
   * every other instance within SYNC_INTERVAL_MS. Safe to repeat.
   * @throws when the store cannot be written (the other instances would not know)
   */
  async revoke(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const expiresAtMs = Date.now() + this.ttlMs + CLOCK_SKEW_MS;
    const revocations = sessionIds.map((id): Revocation => [id, expiresAtMs]);
    this.remember(revocations);
    await this.store?.add(revocations);
    // After the store: an instance that starts now reads it; those running hear this.
    await this.bus?.publish(REVOKED_TOPIC, JSON.stringify(revocations));
  }

  /** Loads what is in force now, then keeps in step with the store until `close`. */
  async start(): Promise<void> {
    if (!this.store || this.timer || this.closed) return;
    await this.sync();
    const next = () => {
      this.timer = setTimeout(() => {
        this.syncing = this.sync().finally(() => {
          this.syncing = undefined;
          if (!this.closed) next();
        });
      }, SYNC_INTERVAL_MS);
      this.timer.unref();
    };
    next();
  }

  /** Stops syncing; resolves once a sync in flight is over, so its store may be closed next. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.syncing;
  }

  private async sync(): Promise<void> {
    const startedAtMs = Date.now();
    // What was revoked since the last sync expires after this; the first sync takes all.
    const afterMs = this.syncedAtMs === undefined ? startedAtMs : this.syncedAtMs + this.ttlMs;
    try {
      this.remember(await this.store!.expiringAfter(afterMs));
      // Only a sync that worked moves the window: after an outage the next one covers the gap.
      this.syncedAtMs = startedAtMs;
      if (this.failing) this.logger?.info('revoked sessions are in sync again');
      this.failing = false;
    } catch (error) {
      // Tokens revoked elsewhere stay usable here until the store answers again: logged once.
      if (!this.failing) this.logger?.error({ err: error }, 'cannot read revoked sessions');
      this.failing = true;
    }
  }

  private remember(revocations: readonly Revocation[]): void {
    for (const [sessionId, expiresAtMs] of revocations) {
      if (expiresAtMs > (this.local.get(sessionId) ?? 0)) this.local.set(sessionId, expiresAtMs);
    }
    const now = Date.now();
    if (now - this.purgedAtMs < PURGE_INTERVAL_MS) return;
    this.purgedAtMs = now;
    for (const [sessionId, expiresAtMs] of this.local) if (expiresAtMs <= now) this.local.delete(sessionId);
  }
}

function revocationsIn(message: string): Revocation[] | undefined {
  try {
    const parsed: unknown = JSON.parse(message);
    if (!Array.isArray(parsed)) return undefined;
    const valid = parsed.every(
      (item): item is Revocation =>
        Array.isArray(item) && typeof item[0] === 'string' && Number.isFinite(item[1]),
    );
    return valid ? (parsed as Revocation[]) : undefined;
  } catch {
    return undefined;
  }
}
