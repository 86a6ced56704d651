import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import { tablesOf } from '../db/database.js';
import { Lease } from '../jobs/lease.js';
import type { EventBus } from './event-bus.js';
import { toDomainEvent } from './outbox.js';
import type { EventsTables } from './outbox.tables.js';
import { outboxRelayedTotal } from '../metrics/metrics.registry.js';
import { inSpan, linkTo, SpanKind, tracingOn } from '../tracing/tracing.js';

export interface RelayOptions {
  /** How often an idle relay looks for new events (and a standby one for a dead leader). */
  pollIntervalMs: number;
  /** Events published per round trip to the bus. */
  batchSize?: number;
  /** How long the lease outlives its holder's last renewal: the take-over time after a crash. */
  leaseMs?: number;
  /** Published events are kept this long (for inspection), then deleted. */
  retentionMs?: number;
}

export interface RelayStats {
  published: number;
  batches: number;
  failures: number;
  leader: boolean;
}

const LEASE = 'outbox';
const MAX_BACKOFF_MS = 5_000;
const PRUNE_EVERY_MS = 60_000;
const PRUNE_BATCH = 1_000;

/**
 * Moves committed outbox events to the bus, in outbox order, and stamps them published.
 * Only the holder of a lease row relays, so instances never publish the same event twice
 * while they are healthy; after a crash the lease expires and another instance republishes
 * what was not stamped (consumers absorb the duplicate by event id, NATS by msgID).
 *
 * No database transaction is held while publishing: in-process consumers write to the same
 * database (and PGlite has a single connection).
 */
export class OutboxRelay {
  private readonly db: Kysely<EventsTables>;
  private readonly lease: Lease;
  private readonly stats: RelayStats = { published: 0, batches: 0, failures: 0, leader: false };
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastPrune = 0;

  constructor(
    db: Kysely<object>,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly options: RelayOptions,
  ) {
    this.db = tablesOf<EventsTables>(db);
    this.lease = new Lease(db, LEASE, options.leaseMs ?? 10_000);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the batch in progress, then gives the lease up so another instance takes over at once. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.lease.release();
  }

  /** Asks an idle relay to look now (e.g. right after a commit that wrote events). */
  nudge(): void {
    this.wake?.();
  }

  current(): RelayStats {
    return { ...this.stats };
  }

  /**
   * One round: renew or take the lease, publish up to a batch, stamp it. Returns how many
   * events were published (0 when idle or not the leader).
   */
  async relayOnce(): Promise<number> {
    this.stats.leader = await this.lease.acquire();
    if (!this.stats.leader) return 0;
    const rows = await this.db
      .selectFrom('outbox_events')
      .select(['position', 'id', 'type', 'aggregate', 'data', 'created_at', 'trace_context'])
      .where('published_at', 'is', null)
      .orderBy('position')
      .limit(this.options.batchSize ?? 500)
      .execute();
    if (rows.length === 0) return 0;
    const events = rows.map(toDomainEvent);
    // One span per batch, linked to every request that wrote one of its events.
    await inSpan(
      'outbox publish',
      {
        kind: SpanKind.PRODUCER,
        attributes: { 'messaging.batch.message_count': events.length },
        links: tracingOn ? events.flatMap((event) => linkTo(event.traceparent)) : [],
      },
      () => this.bus.publish(events),
    );
    await this.db
      .updateTable('outbox_events')
      .set({ published_at: sql<Date>`now()` })
      .where(
        'position',
        'in',
        rows.map((row) => row.position),
      )
      .execute();
    this.stats.published += rows.length;
    outboxRelayedTotal.inc(rows.length);
    this.stats.batches += 1;
    return rows.length;
  }

  private async run(): Promise<void> {
    let backoffMs = 0;
    while (this.running) {
      let published = 0;
      try {
        published = await this.relayOnce();
        backoffMs = 0;
        await this.pruneNow();
      } catch (error) {
        this.stats.failures += 1;
        backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(backoffMs * 2, this.options.pollIntervalMs));
        this.logger.warn({ err: error, retryInMs: backoffMs }, 'outbox relay failed; will retry');
      }
      // A full batch means more may be waiting: go again at once.
      if (published === 0 || backoffMs > 0) await this.sleep(backoffMs || this.options.pollIntervalMs);
    }
  }

  private async pruneNow(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    const retentionMs = this.options.retentionMs ?? 7 * 24 * 3_600_000;
    // Bounded deletes, so a large backlog never becomes one long statement.
    await sql`
      DELETE FROM outbox_events WHERE position IN (
        SELECT position FROM outbox_events
        WHERE published_at < now() - ${retentionMs} * interval '1 millisecond'
        ORDER BY published_at LIMIT ${PRUNE_BATCH})`.execute(this.db);
    await sql`
      DELETE FROM handled_events WHERE (consumer, event_id) IN (
        SELECT consumer, event_id FROM handled_events
        WHERE handled_at < now() - ${retentionMs * 4} * interval '1 millisecond'
        ORDER BY handled_at LIMIT ${PRUNE_BATCH})`.execute(this.db);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
