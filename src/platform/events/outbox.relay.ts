import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import { type Database, type Listening, tablesOf } from '../db/database.js';
import { Lease } from '../jobs/lease.js';
import { type EventBus, MAX_PUBLISH_BATCH } from './event-bus.js';
import { toDomainEvent } from './outbox.js';
import { OUTBOX_CHANNEL, outboxSchema } from './outbox.announce.js';
import type { EventsTables } from './outbox.tables.js';
import { outboxRelayedTotal } from '../metrics/metrics.registry.js';
import { inSpan, linkTo, SpanKind, tracingOn } from '../tracing/tracing.js';

export interface RelayOptions {
  /**
   * How often an idle relay looks for new events without being woken, and how often a
   * standby one looks for a dead leader. With `listen`, only a fallback: commits wake it.
   */
  pollIntervalMs: number;
  /** Events published per round trip to the bus (at most MAX_PUBLISH_BATCH). */
  batchSize?: number;
  /**
   * A round that follows a round short of a full batch starts no sooner than this after that
   * round started, so the commits of a busy moment go out as one batch rather than one
   * round each (a round costs its consumers a transaction apiece). An idle relay woken by a
   * commit still starts at once. 0 (the default; the platform sets OUTBOX_BATCH_WINDOW):
   * every wake-up starts a round.
   */
  batchWindowMs?: number;
  /** How long the lease outlives its holder's last renewal: the take-over time after a crash. */
  leaseMs?: number;
  /** Published events are kept this long (for inspection), then deleted. */
  retentionMs?: number;
  /** The database's LISTEN, for the NOTIFYs of announceOutboxCommits after commits that wrote events. */
  listen?: Database['listen'];
}

export interface RelayStats {
  published: number;
  batches: number;
  failures: number;
  leader: boolean;
  /** Whether commits wake the relay now (false: it finds events by polling only). */
  listening: boolean;
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
 * The leader sleeps until a commit's announcement wakes it (announceOutboxCommits, in any
 * process), polling only as a fallback; wake-ups
 * that arrive during a round are folded into one more round, so a busy outbox costs one
 * round per batch, not one per commit. A standby ignores wake-ups: it can only take over
 * once the lease lapses, which its poll finds.
 *
 * No database transaction is held while publishing: in-process consumers write to the same
 * database (and PGlite has a single connection).
 */
export class OutboxRelay {
  private readonly db: Kysely<EventsTables>;
  private readonly lease: Lease;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly stats: RelayStats = {
    published: 0,
    batches: 0,
    failures: 0,
    leader: false,
    listening: false,
  };
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Set by a wake-up, cleared when a round starts: a round owes the events notified since. */
  private woken = false;
  private backingOff = false;
  /** performance.now() after which the lease is renewed; before it, it is surely still ours. */
  private renewLeaseAt = 0;
  private listening: Listening | undefined;
  /** The stamp of the last published batch, resolving to its failure if it failed. */
  private stamping: Promise<unknown> | undefined;
  private stampingPositions: string[] = [];
  private lastPrune = 0;

  constructor(
    db: Kysely<object>,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly options: RelayOptions,
  ) {
    this.db = tablesOf<EventsTables>(db);
    this.leaseMs = options.leaseMs ?? 10_000;
    this.lease = new Lease(db, LEASE, this.leaseMs);
    this.batchSize = options.batchSize ?? MAX_PUBLISH_BATCH;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > MAX_PUBLISH_BATCH)
      throw new RangeError(`batchSize must be an integer from 1 to ${MAX_PUBLISH_BATCH}`);
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
    // A batch whose stamp failed is published again by whoever relays next.
    await this.settleStamp().catch(() => {});
    await this.listening?.close();
    this.listening = undefined;
    this.stats.listening = false;
    this.renewLeaseAt = 0;
    await this.lease.release();
    this.stats.leader = false;
  }

  /**
   * Asks the relay to look now, right after a commit that wrote events, as a NOTIFY would:
   * only the leader listens, and a backoff is not cut short.
   */
  nudge(): void {
    this.wakeLeader();
  }

  /** Whether this relay holds the lease, so that it is the one relaying now. */
  leads(): boolean {
    return this.running && this.stats.leader;
  }

  current(): RelayStats {
    return { ...this.stats };
  }

  /** The PostgreSQL backend that listens for commits (undefined when none, or embedded). */
  listenerPid(): number | undefined {
    return this.listening?.backendPid;
  }

  /**
   * One round: renew or take the lease, publish up to a batch, start stamping it. Returns how
   * many events were published (0 when idle or not the leader). The stamp of one batch runs
   * while the next is read and published (the read leaves that batch out), so the database's
   * work overlaps the bus's; at most one stamp is in flight, and its failure fails the round
   * after it (the batch, still unstamped, is then published again).
   */
  async relayOnce(): Promise<number> {
    if (!(await this.holdLease())) {
      await this.settleStamp();
      return 0;
    }
    const stamping = this.stampingPositions;
    const rows = await this.db
      .selectFrom('outbox_events')
      .select(['position', 'id', 'type', 'aggregate', 'data', 'created_at', 'trace_context'])
      .where('published_at', 'is', null)
      .$if(stamping.length > 0, (query) =>
        query.where(sql<boolean>`NOT (position = ANY(${stamping}::bigint[]))`),
      )
      .orderBy('position')
      .limit(this.batchSize)
      .execute();
    if (rows.length === 0) {
      await this.settleStamp();
      return 0;
    }
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
    await this.settleStamp();
    const positions = rows.map((row) => String(row.position));
    this.stampingPositions = positions;
    // Settled by a later round or by stop(); a failure is kept for it, never left unhandled.
    this.stamping = this.stamp(positions).then(
      () => undefined,
      (error: unknown) => error,
    );
    return rows.length;
  }

  /** Marks a published batch, in one statement whatever its size. */
  private async stamp(positions: string[]): Promise<void> {
    await sql`
      UPDATE outbox_events SET published_at = now()
      WHERE position = ANY(${positions}::bigint[])`.execute(this.db);
    this.stats.published += positions.length;
    outboxRelayedTotal.inc(positions.length);
    this.stats.batches += 1;
  }

  /** Waits for the stamp in flight; throws its failure. */
  private async settleStamp(): Promise<void> {
    const stamping = this.stamping;
    if (!stamping) return;
    const failure = await stamping;
    if (this.stamping === stamping) {
      this.stamping = undefined;
      this.stampingPositions = [];
    }
    if (failure !== undefined) throw failure;
  }

  /**
   * Renewing the lease is a write; doing it every round would add a commit per wake-up. The
   * lease is renewed once a third of it has passed since the renewal was sent: the database
   * set its expiry from a clock reading taken after that, so it is still ours until then.
   */
  private async holdLease(): Promise<boolean> {
    if (this.stats.leader && performance.now() < this.renewLeaseAt) return true;
    const sentAt = performance.now();
    this.stats.leader = await this.lease.acquire();
    this.renewLeaseAt = this.stats.leader ? sentAt + this.leaseMs / 3 : 0;
    return this.stats.leader;
  }

  private async run(): Promise<void> {
    await this.startListening();
    let backoffMs = 0;
    let lastRoundAt = Number.NEGATIVE_INFINITY;
    let published = 0;
    while (this.running) {
      const windowLeft = lastRoundAt + (this.options.batchWindowMs ?? 0) - performance.now();
      if (published < this.batchSize && windowLeft > 0) await this.pause(windowLeft);
      lastRoundAt = performance.now();
      this.woken = false;
      published = 0;
      try {
        published = await this.relayOnce();
        backoffMs = 0;
        await this.pruneNow();
      } catch (error) {
        this.stats.failures += 1;
        // A failed round may have lost the lease to a timeout: ask the database again.
        this.renewLeaseAt = 0;
        backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(backoffMs * 2, this.options.pollIntervalMs));
        this.logger.warn({ err: error, retryInMs: backoffMs }, 'outbox relay failed; will retry');
      }
      if (backoffMs > 0) {
        // Commits must not cut a backoff short: a bus that is down would be hammered.
        this.backingOff = true;
        await this.sleep(backoffMs);
        this.backingOff = false;
      }
      // A standby looks often enough to find a lapsed lease, however long the fallback poll.
      else if (!this.stats.leader) await this.sleep(Math.min(this.options.pollIntervalMs, this.leaseMs / 2));
      // A full batch means more may be waiting; a wake-up during the round, that more committed.
      else if (published < this.batchSize && !this.woken) await this.sleep(this.options.pollIntervalMs);
    }
  }

  private async startListening(): Promise<void> {
    if (!this.options.listen) return;
    const schema = await this.outboxSchema().catch(() => undefined);
    try {
      this.listening = await this.options.listen(OUTBOX_CHANNEL, {
        onNotify: (payload) => {
          if (schema === undefined || payload === schema) this.wakeLeader();
        },
        onListening: () => {
          this.stats.listening = true;
          // Commits made while nobody listened woke no one.
          this.wakeLeader();
        },
        onLost: (error) => {
          this.stats.listening = false;
          this.logger.warn({ err: error }, 'outbox listener lost its connection; polling until it is back');
        },
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'cannot listen for outbox commits; polling only');
    }
  }

  /** The schema named in the announcements meant for this relay. */
  private async outboxSchema(): Promise<string> {
    const { rows } = await sql<{ schema: string }>`SELECT ${outboxSchema} AS schema`.execute(this.db);
    return rows[0]!.schema;
  }

  private wakeLeader(): void {
    if (!this.stats.leader) return;
    this.woken = true;
    if (!this.backingOff) this.wake?.();
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

  /** Waits `ms` (at most a batch window), whatever commits are announced meanwhile. */
  private async pause(ms: number): Promise<void> {
    if (!this.running) return;
    await new Promise((resolve) => setTimeout(resolve, ms).unref());
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
      if (!this.running) done();
    });
  }
}
