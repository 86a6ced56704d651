// The reconciliation part of `npm run bench`: the database part of `mamlaka ledger check`
// (gateways skipped) over 100,000 payments with refunds, on a fresh PostgreSQL database
// seeded in bulk (bench/reconcile-seed.ts) and dropped afterwards. Reported as payments
// checked per second and as a ratio to a bare join scan over the same rows, measured in the
// same run. Runnable alone: `npm run bench -- reconcile`, or `tsx bench/reconcile.ts <url>`.
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { LedgerService } from '../src/modules/ledger/ledger.service.js';
import { paymentsReconciliation } from '../src/modules/payments/payments.reconcile.js';
import { postgresDatabase } from '../src/platform/db/postgres-database.js';
import { migrate } from '../src/platform/db/migrations.js';
import { inReadSnapshot } from '../src/platform/db/snapshot.js';
import { reconciliation } from '../src/reconciliation.js';
import { createBenchDatabase, type PostgresTarget, postgresTarget, withClient } from './postgres.js';
import { seedSql } from './reconcile-seed.js';

export const RECONCILE_PAYMENTS = 100_000;
export const RECONCILE_TARGET_PER_SEC = 20_000;
/** Measured runs of each query after one unmeasured run (which warms the buffer cache). */
const RUNS = 3;

export interface ReconcileSection {
  payments: number;
  refunds: number;
  ledgerTransactions: number;
  ledgerEntries: number;
  seedSeconds: number;
  /** The whole database check (ledger's own checks + payments ↔ ledger), median of RUNS. */
  checkSeconds: number;
  paymentsPerSec: number;
  /** The ledger's own checks alone, in a snapshot of their own, median of RUNS. */
  ledgerOnlySeconds: number;
  /** The payments' pages against the ledger alone, in a snapshot of their own, median of RUNS. */
  paymentsOnlySeconds: number;
  /** One SELECT count(*) joining payments, refunds and their ledger transactions, median of RUNS. */
  baselineSeconds: number;
  baselinePaymentsPerSec: number;
  ratio: number;
  violationCount: number;
  problems: string[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(run: () => Promise<unknown>): Promise<number> {
  await run();
  const seconds: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    seconds.push((performance.now() - started) / 1000);
  }
  return median(seconds);
}

/** Seeds, measures and drops a database of its own on `target`'s server. */
export async function runReconcileSection(
  target: PostgresTarget,
  onCleanup: (fn: () => Promise<void>) => void = () => {},
): Promise<ReconcileSection> {
  const bench = await createBenchDatabase(target.url);
  onCleanup(bench.drop);
  console.log(`reconciliation: fresh database ${bench.name} on the server of ${target.source}`);
  const database = postgresDatabase(bench.url);
  try {
    await migrate(database);
    console.log(`seeding ${RECONCILE_PAYMENTS.toLocaleString('en-US')} payments with refunds in bulk SQL …`);
    const seedStarted = performance.now();
    await withClient(bench.url, async (client) => {
      await client.query(seedSql(RECONCILE_PAYMENTS));
      // As autovacuum would soon after such a load; done now so that it cannot run during the
      // measurements instead (VACUUM refuses to run inside the seed's implicit transaction).
      await client.query('VACUUM (ANALYZE)');
    });
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    // The composition app.ts uses, without the server around it: nothing else touches the
    // database while it is measured. No providers: the gateways are skipped anyway.
    const ledger = new LedgerService(database.db);
    const payments = paymentsReconciliation(database.db, ledger, new Map());
    const check = reconciliation({ db: database.db, ledger, payments });
    let report = await check({ gateway: false });
    console.log('measuring the check, the ledger’s own checks alone, and the bare join scan …');
    const checkSeconds = await timed(async () => {
      report = await check({ gateway: false });
    });
    const ledgerOnlySeconds = await timed(() => ledger.check());
    const paymentsOnlySeconds = await timed(() =>
      inReadSnapshot(database.db, (snapshot) => payments.againstLedger(snapshot, 100)),
    );
    const baselineSeconds = await timed(() =>
      sql`
        SELECT count(*) FROM payments p
        LEFT JOIN ledger_transactions pt ON pt.kind = 'purchase' AND pt.reference = p.id::text
        LEFT JOIN refunds r ON r.payment_id = p.id
        LEFT JOIN ledger_transactions rt ON rt.kind = 'refund' AND rt.reference = r.id::text`.execute(
        database.db,
      ),
    );
    const problems: string[] = [];
    if (!report.ok || report.violationCount > 0) {
      problems.push(
        `the check found ${report.violationCount} violation(s) in consistent data: ` +
          report.violations.slice(0, 5).join('; '),
      );
    }
    if (report.counts.payments !== RECONCILE_PAYMENTS)
      problems.push(`the check read ${report.counts.payments} payments, not ${RECONCILE_PAYMENTS}`);
    const paymentsPerSec = RECONCILE_PAYMENTS / checkSeconds;
    const baselinePaymentsPerSec = RECONCILE_PAYMENTS / baselineSeconds;
    return {
      payments: report.counts.payments ?? 0,
      refunds: report.counts.refunds ?? 0,
      ledgerTransactions: report.counts.transactions ?? 0,
      ledgerEntries: report.counts.entries ?? 0,
      seedSeconds,
      checkSeconds,
      paymentsPerSec,
      ledgerOnlySeconds,
      paymentsOnlySeconds,
      baselineSeconds,
      baselinePaymentsPerSec,
      ratio: paymentsPerSec / baselinePaymentsPerSec,
      violationCount: report.violationCount,
      problems,
    };
  } finally {
    await database.close();
    await bench.drop();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function reconcileReport(section: ReconcileSection): string {
  const met = section.paymentsPerSec >= RECONCILE_TARGET_PER_SEC ? 'met' : 'MISSED';
  return [
    `${fmt(section.payments)} payments, ${fmt(section.refunds)} refunds, ` +
      `${fmt(section.ledgerTransactions)} ledger transactions, ${fmt(section.ledgerEntries)} entries ` +
      `(seeded in ${section.seedSeconds.toFixed(1)} s)`,
    `ledger check (database part): ${section.checkSeconds.toFixed(2)} s = ${fmt(section.paymentsPerSec)} ` +
      `payments/s (target ≥ ${fmt(RECONCILE_TARGET_PER_SEC)}: ${met}); ${section.violationCount} violations`,
    `  parts alone: the ledger's own checks ${section.ledgerOnlySeconds.toFixed(2)} s, ` +
      `payments and refunds against the ledger ${section.paymentsOnlySeconds.toFixed(2)} s ` +
      `(${fmt(section.payments / section.paymentsOnlySeconds)} payments/s)`,
    `bare join scan of the same rows: ${section.baselineSeconds.toFixed(2)} s = ` +
      `${fmt(section.baselinePaymentsPerSec)} payments/s; check ÷ scan: ${section.ratio.toFixed(2)}×`,
  ].join('\n');
}

// Alone: `tsx bench/reconcile.ts [postgres-url]` (else DATABASE_URL or BENCH_PG_URL).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.argv[2];
  const target = url ? { url, source: 'BENCH_PG_URL' as const } : postgresTarget();
  if (!target) {
    console.error('usage: tsx bench/reconcile.ts <postgres-url> (or set DATABASE_URL or BENCH_PG_URL)');
    process.exit(2);
  }
  runReconcileSection(target).then(
    (section) => {
      console.log(`\nreconciliation on PostgreSQL:\n${reconcileReport(section)}`);
      for (const problem of section.problems) console.error(`WARNING: reconcile: ${problem}`);
      process.exit(section.problems.length ? 1 : 0);
    },
    (error: unknown) => {
      console.error('reconciliation bench failed:', error);
      process.exit(1);
    },
  );
}
