import { oldestPendingPayoutAgeSeconds } from './modules/ledger/ledger.gauges.js';
import { mailQueueDepth } from './modules/notifications/notifications.gauges.js';
import { backgroundOf, type Database } from './platform/db/database.js';
import { outboxLagSeconds } from './platform/events/outbox.lag.js';
import { type GaugeSources, PlatformMetrics } from './platform/metrics/metrics.platform.js';
import type { RolePlan } from './roles.js';

/**
 * The scrape-time reads behind the gauges, each owned by the module whose table it reads;
 * a role serves only the gauges of the work it does.
 */
export function gaugeSources(
  database: Database,
  parts: { relays: boolean; sendsMail: boolean; checksLedger: boolean },
): GaugeSources {
  // Off the request pool, so that a scrape at a peak of requests is not stuck behind them.
  const db = backgroundOf(database);
  const background = database.backgroundPoolStats;
  return {
    pool: () => database.poolStats?.() ?? { inUse: 0, idle: 1, waiting: 0 },
    backgroundPool: background ? () => background() : undefined,
    outboxLagSeconds: parts.relays ? () => outboxLagSeconds(db) : undefined,
    mailQueueDepth: parts.sendsMail ? () => mailQueueDepth(db) : undefined,
    payoutsPendingAgeSeconds: parts.checksLedger ? () => oldestPendingPayoutAgeSeconds(db) : undefined,
  };
}

/** The role's metrics, with the gauges of the work the role does. */
export const platformMetrics = (database: Database, plan: RolePlan): PlatformMetrics =>
  new PlatformMetrics(
    gaugeSources(database, { relays: plan.events, sendsMail: plan.delivery, checksLedger: plan.ledgerCheck }),
  );
