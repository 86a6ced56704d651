import type { Logger } from 'pino';
import type { PlatformMetrics } from './metrics.platform.js';
import type { StopJob } from '../repeat.js';

/**
 * Re-checks the ledger every `intervalMs` (LEDGER_CHECK_INTERVAL) and publishes the result
 * as the ledger gauges, so an alert fires on a violation or on a check that stopped running
 * (the last-run timestamp goes stale). Payment gateways are not asked: a periodic job must
 * not spend their API quota. One role runs it (roles.ts: ledgerCheck), a few seconds after
 * start (not in the way of start-up) and then at each interval; a check still running when
 * the next is due is not doubled.
 */
const FIRST_RUN_DELAY_MS = 5_000;

export function startLedgerCheck(
  check: () => Promise<{ violationCount: number }>,
  metrics: PlatformMetrics,
  intervalMs: number,
  logger: Logger,
): StopJob {
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = check()
      .then(({ violationCount }) => {
        metrics.ledgerViolations.set(violationCount);
        metrics.ledgerLastRun.set(Date.now() / 1000);
        if (violationCount > 0) logger.error({ violationCount }, 'ledger check found violations');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'ledger check failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(run, Math.min(intervalMs, FIRST_RUN_DELAY_MS));
  const timer = setInterval(run, intervalMs);
  first.unref();
  timer.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}
