import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { encryptedColumns } from './encrypted-columns.js';
import type { NotificationsModule } from './modules/notifications/notifications.module.js';
import type { PaymentsModule } from './modules/payments/payments.module.js';
import { startRetention } from './modules/privacy/privacy.retention.js';
import type { PushModule } from './modules/push/push.module.js';
import type { UsersModule } from './modules/users/users.module.js';
import type { WebhooksModule } from './modules/webhooks/webhooks.module.js';
import type { AuditLog } from './platform/audit/audit.log.js';
import type { KeyRing } from './platform/crypto/keyring.js';
import { encryptLegacyValues } from './platform/crypto/rotation.js';
import { type Database, requestsWaiting } from './platform/db/database.js';
import { type MigrationFile, pendingMigrations } from './platform/db/migrations.js';
import type { OutboxRelay } from './platform/events/outbox.relay.js';
import type { IdempotencyStore } from './platform/idempotency/idempotency.store.js';
import { startLedgerCheck } from './platform/metrics/metrics.ledger-check.js';
import type { PlatformMetrics } from './platform/metrics/metrics.platform.js';
import type { ReconcileOptions, ReconciliationReport } from './modules/ledger/ledger.routes.js';
import type { RolePlan } from './roles.js';
import { repeatEvery, type StopJob, stopAll } from './platform/repeat.js';

/** Spent and expired one-time tokens are kept this long after they expire, for support questions. */
const STALE_TOKEN_RETENTION_MS = 7 * 86_400_000;

export interface JobParts {
  plan: RolePlan;
  config: Config;
  logger: Logger;
  database: Database;
  migrations: MigrationFile[];
  keyring: KeyRing;
  users: UsersModule;
  payments: PaymentsModule;
  webhooks: WebhooksModule;
  notifications: NotificationsModule;
  push: PushModule;
  audit: AuditLog;
  idempotency: IdempotencyStore;
  relay: OutboxRelay;
  metrics: PlatformMetrics;
  reconcile(options?: ReconcileOptions): Promise<ReconciliationReport>;
}

/** How long a shutdown waits for the background jobs' rounds in flight. */
const JOBS_STOP_TIMEOUT_MS = 10_000;

/** The background work of one platform, started once and stopped once. */
export interface BackgroundJobs {
  /** Starts the jobs; does nothing the second time, or once `stop` has been called. */
  start(): void;
  /**
   * Refuses any later start, then stops what runs. Rounds in flight finish before what
   * they use closes, so a mail sent is also recorded as sent; one that hangs (an SMTP
   * server that never answers) is waited for JOBS_STOP_TIMEOUT_MS at most: what it claimed
   * is leased, and sent again when the lease ends.
   */
  stop(): Promise<void>;
}

/**
 * Does what must be done before the first request (the blind indexes of values stored
 * before encryption) and returns the background work this role does (see roles.ts: each
 * job runs in exactly one role), with `alsoStart`'s jobs, not started yet.
 */
export async function prepareBackgroundJobs(
  parts: JobParts,
  alsoStart: () => StopJob[],
): Promise<BackgroundJobs> {
  // A database upgraded in place still holds plaintext from before encryption at rest. (One
  // not migrated yet, as the API document generator's, has nothing to encrypt.)
  const startEncrypting =
    parts.plan.legacyEncryption && (await pendingMigrations(parts.database, parts.migrations)).length === 0
      ? await encryptLegacyValues(parts.database.db, parts.keyring, encryptedColumns, parts.logger)
      : undefined;
  const stops: StopJob[] = [];
  let state: 'waiting' | 'started' | 'stopped' = 'waiting';
  return {
    start() {
      if (state !== 'waiting') return;
      state = 'started';
      stops.push(...startBackgroundJobs(parts, startEncrypting), ...alsoStart());
    },
    async stop() {
      state = 'stopped';
      await Promise.race([stopAll(stops)(), sleep(JOBS_STOP_TIMEOUT_MS, undefined, { ref: false })]);
    },
  };
}

function startBackgroundJobs(parts: JobParts, startEncrypting: (() => StopJob) | undefined): StopJob[] {
  const { plan, config, logger } = parts;
  const stops: StopJob[] = [];
  if (startEncrypting) stops.push(startEncrypting());
  if (plan.expiry) stops.push(parts.payments.startExpiry(config.paymentExpirySweepMs));
  if (plan.refundReconciler)
    stops.push(parts.payments.startRefundReconciler(config.refunds.reconcileIntervalMs));
  if (plan.delivery) {
    // Mail and push, which can wait a second, give way to requests (drainQueue).
    const busy = requestsWaiting(parts.database);
    stops.push(parts.webhooks.startDelivery(config.webhooks.deliveryIntervalMs));
    stops.push(parts.notifications.startSending(config.mail.sendIntervalMs, busy));
    stops.push(parts.push.startSending(config.push.sendIntervalMs, busy));
  }
  if (plan.events) parts.relay.start();
  if (plan.idempotencyCleanup)
    stops.push(
      repeatEvery(3_600_000, () => parts.idempotency.deleteExpired(), logger, 'idempotency cleanup failed'),
    );
  if (plan.retention) stops.push(startRetentionJob(parts));
  if (plan.ledgerCheck) {
    // The ledger gauges: the ledger's own checks, never spending a gateway's quota.
    const check = () => parts.reconcile({ maxViolations: 1, gateway: false });
    stops.push(startLedgerCheck(check, parts.metrics, config.metrics.ledgerCheckIntervalMs, logger));
  }
  return stops;
}

/** Each module deletes its own old records; the periods come from RETENTION_*. */
function startRetentionJob({ config, logger, users, notifications, push, webhooks, audit }: JobParts) {
  const { retention } = config;
  return startRetention(
    [
      {
        name: 'notifications',
        periodMs: retention.notificationsMs,
        deleteOlderThan: (cutoff) => notifications.notifications.deleteOlderThan(cutoff),
      },
      {
        name: 'push',
        periodMs: retention.notificationsMs,
        deleteOlderThan: (cutoff) => push.push.deleteOlderThan(cutoff),
      },
      {
        name: 'webhook_deliveries',
        periodMs: retention.deliveriesMs,
        deleteOlderThan: (cutoff) => webhooks.webhooks.deleteOlderThan(cutoff),
      },
      {
        name: 'audit',
        periodMs: retention.auditMs,
        deleteOlderThan: (cutoff) => audit.deleteOlderThan(cutoff),
      },
      {
        name: 'user_tokens',
        periodMs: STALE_TOKEN_RETENTION_MS,
        deleteOlderThan: (cutoff) => users.deleteExpiredTokens(cutoff),
      },
    ],
    retention.intervalMs,
    logger,
  );
}
