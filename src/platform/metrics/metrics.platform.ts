import { Gauge, Registry } from 'prom-client';
import { DurationSeries } from './metrics.series.js';
import { processRegistry } from './metrics.registry.js';
import type { PoolStats } from '../db/database.js';

/** What the gauges read at scrape time; each answers from this platform's own database. */
export interface GaugeSources {
  /** Connections of the database pool (PostgreSQL); the embedded database has one. */
  pool(): PoolStats;
  /** Connections of the background pool, where there is one (Database.background). */
  backgroundPool?: () => PoolStats;
  /** Age of the oldest event not yet relayed, 0 when none (roles that relay only). */
  outboxLagSeconds?(): Promise<number>;
  /** Mails waiting to be sent (roles that send mail only). */
  mailQueueDepth?(): Promise<number>;
  /** Age of the oldest payout not yet paid or cancelled, 0 when none. */
  payoutsPendingAgeSeconds?(): Promise<number>;
}

// Fixed buckets (seconds) from a fast cached read to a slow gateway call.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The series of one platform (one per process outside the tests): REST and gRPC traffic,
 * the database pool, the queues and the ledger check. Gauges are read when Prometheus
 * scrapes, so an idle process does no work for them.
 */
export class PlatformMetrics {
  readonly registry = new Registry();
  /** REST requests by method, route template and status code: their count and latency. */
  readonly http = new DurationSeries(['method', 'route', 'status_code'], LATENCY_BUCKETS);
  /** gRPC calls by service, method and status code name: their count and latency. */
  readonly grpc = new DurationSeries(['service', 'method', 'code'], LATENCY_BUCKETS);
  readonly ledgerViolations: Gauge;
  readonly ledgerLastRun: Gauge;

  constructor(sources: GaugeSources) {
    const registers = [this.registry];
    this.http.register(this.registry, {
      counter: {
        name: 'mamlaka_http_requests_total',
        help: 'REST requests answered, by method, route template and status code.',
      },
      histogram: {
        name: 'mamlaka_http_request_duration_seconds',
        help: 'REST latency, by method, route template and status code.',
      },
    });
    this.grpc.register(this.registry, {
      counter: {
        name: 'mamlaka_grpc_requests_total',
        help: 'gRPC calls answered, by service, method and status code name.',
      },
      histogram: {
        name: 'mamlaka_grpc_request_duration_seconds',
        help: 'gRPC latency, by service, method and status code name.',
      },
    });
    new Gauge({
      name: 'mamlaka_db_pool_connections',
      help: 'Database pool connections: in_use, idle, waiting; pool: requests or background.',
      labelNames: ['pool', 'state'],
      registers,
      collect() {
        const pools = { requests: sources.pool(), background: sources.backgroundPool?.() };
        for (const [pool, stats] of Object.entries(pools)) {
          if (!stats) continue;
          this.set({ pool, state: 'in_use' }, stats.inUse);
          this.set({ pool, state: 'idle' }, stats.idle);
          this.set({ pool, state: 'waiting' }, stats.waiting);
        }
      },
    });
    scrapedGauge(
      registers,
      'mamlaka_outbox_lag_seconds',
      'Age of the oldest unrelayed outbox event (0 when none).',
      sources.outboxLagSeconds,
    );
    scrapedGauge(registers, 'mamlaka_mail_queue_depth', 'Mails pending to send.', sources.mailQueueDepth);
    scrapedGauge(
      registers,
      'mamlaka_payouts_pending_oldest_age_seconds',
      'Age of the oldest payout waiting to be paid (0 when none).',
      sources.payoutsPendingAgeSeconds,
    );
    this.ledgerViolations = new Gauge({
      name: 'mamlaka_ledger_check_violations',
      help: 'Violations found by the last periodic ledger check.',
      registers,
    });
    this.ledgerLastRun = new Gauge({
      name: 'mamlaka_ledger_check_last_run_timestamp_seconds',
      help: 'When the last periodic ledger check finished (Unix time).',
      registers,
    });
  }

  /** The exposition text of this platform and of the process (defaults, domain counters). */
  async scrape(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processRegistry.metrics()]);
    return `${own}\n${process}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * A gauge read from the database at scrape time. A role without the source (one that does
 * not relay, say) leaves the series out rather than reporting a misleading 0.
 */
function scrapedGauge(
  registers: Registry[],
  name: string,
  help: string,
  read: (() => Promise<number>) | undefined,
): void {
  if (!read) return;
  new Gauge({
    name,
    help,
    registers,
    async collect() {
      // A failed read (the database restarting) keeps the last value rather than failing the
      // whole scrape, which would hide every other series too.
      const value = await read().catch(() => undefined);
      if (value !== undefined) this.set(value);
    },
  });
}
