// The latency section's control for checkouts: PostgreSQL alone running a checkout's own
// statements (bench/pgbench/checkout.sql, as in the checkout section) at a fixed rate, so a
// report can tell the database's tail from the server's. pgbench's `--rate` schedules each
// transaction and counts its latency from the scheduled start, as bench/open-loop.ts does.
import type { CheckoutFixture } from './checkout.js';
import {
  checkoutVariables,
  type PgbenchRun,
  percentile,
  pgbenchFigures,
  preparePgbench,
  runPgbench,
} from './checkout-pgbench.js';

/** Percentiles of the transactions scheduled after the warm-up. */
export interface PgbenchLoad {
  /** Transactions measured (scheduled after the warm-up) per second of the measured time. */
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  transactions: number;
}

export interface DatabaseControl {
  clients: number;
  peakPerSec: number;
  atOwnShare: { ratePerSec: number; load: PgbenchLoad };
  atCheckoutRate: { ratePerSec: number; load: PgbenchLoad };
  problems: string[];
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * The transactions whose (scheduled) start came `warmupSeconds` after the run's first one.
 * One pgbench run covers warm-up and measurement: a second run would open new connections,
 * and a new backend's first transactions (loading its catalog caches, preparing the
 * statements) are the warm-up's to absorb, not the measurement's.
 */
export function measuredLoad(
  run: Pick<PgbenchRun, 'latenciesUs' | 'endsUs'>,
  warmupSeconds: number,
  seconds: number,
): PgbenchLoad {
  const starts = run.endsUs.map((end, i) => end - run.latenciesUs[i]!);
  const from = starts.reduce((a, b) => Math.min(a, b), Infinity) + warmupSeconds * 1e6;
  const kept = run.latenciesUs.filter((_, i) => starts[i]! >= from).sort((a, b) => a - b);
  return {
    perSec: kept.length / seconds,
    p50Ms: round(percentile(kept, 50) / 1000),
    p99Ms: round(percentile(kept, 99) / 1000),
    maxMs: round((kept.at(-1) ?? 0) / 1000),
    transactions: kept.length,
  };
}

/**
 * pgbench's peak on the checkout's statements with `clients` connections, then the same
 * statements at `shareOfPeak` of that peak and at `checkoutRate`, each for warm-up plus
 * `seconds`. Runs on the checkout fixture's database, with the server stopped.
 */
export async function measureDatabaseControl(
  pgbench: string,
  dbUrl: string,
  fixture: CheckoutFixture,
  options: {
    clients: number;
    seconds: number;
    warmupSeconds: number;
    shareOfPeak: number;
    checkoutRate: number;
  },
): Promise<DatabaseControl> {
  const problems: string[] = [];
  const run = async (ratePerSec: number | undefined) => {
    const { codePrefix } = await preparePgbench(dbUrl, fixture);
    const result = await runPgbench(
      pgbench,
      dbUrl,
      options.clients,
      [...checkoutVariables(fixture, codePrefix), ...(ratePerSec ? [`--rate=${ratePerSec}`] : [])],
      options.warmupSeconds + options.seconds,
      true,
    );
    const label = ratePerSec ? `at ${ratePerSec}/s` : 'at its peak';
    if (result.status !== 0)
      problems.push(`pgbench ${label} exited with ${result.status}: ${result.stderr.trim().slice(0, 500)}`);
    const { processed, failedTx } = pgbenchFigures(result);
    if (failedTx > 0) problems.push(`pgbench ${label}: ${failedTx} transactions failed`);
    if (result.latenciesUs.length !== processed)
      problems.push(
        `pgbench ${label} logged ${result.latenciesUs.length} transactions, reported ${processed}`,
      );
    return measuredLoad(result, options.warmupSeconds, options.seconds);
  };
  const peak = await run(undefined);
  const ownRate = Math.max(1, Math.round(peak.perSec * options.shareOfPeak));
  const atOwnShare = { ratePerSec: ownRate, load: await run(ownRate) };
  const atCheckoutRate = { ratePerSec: options.checkoutRate, load: await run(options.checkoutRate) };
  return { clients: options.clients, peakPerSec: peak.perSec, atOwnShare, atCheckoutRate, problems };
}
