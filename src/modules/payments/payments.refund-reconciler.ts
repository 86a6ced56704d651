import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Lease } from '../../platform/jobs/lease.js';
import { repeatEvery, type StopJob } from '../../platform/repeat.js';
import type { RefundSettlement } from './payments.refund-settlement.js';

const LEASE_NAME = 'refund-reconciler';

/**
 * Settles refunds that a gateway left unanswered (a timeout, a crash between the two
 * phases): every `intervalMs`, the instance holding the reconciler's lease asks the
 * gateway about each pending refund whose check is due. One leader at a time, as the
 * outbox relay, so a gateway is not asked the same question by every instance; a leader
 * that dies lets its lease lapse and another takes over. Returns the function that stops it.
 */
export function startRefundReconciler(
  db: Kysely<object>,
  settlement: RefundSettlement,
  logger: Logger,
  intervalMs: number,
): StopJob {
  // The lease outlives a few missed rounds, so a slow round does not hand it over.
  const lease = new Lease(db, LEASE_NAME, Math.max(intervalMs * 4, 10_000));
  const stop = repeatEvery(
    intervalMs,
    async () => {
      if (!(await lease.acquire())) return;
      const settled = await settlement.reconcileDue();
      if (settled) logger.info({ settled }, 'pending refunds settled');
    },
    logger,
    'refund reconciliation failed',
  );
  // Released once the round in flight is over, so the next leader never overlaps it.
  return async () => {
    await stop();
    await lease.release();
  };
}
