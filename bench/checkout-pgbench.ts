// PostgreSQL's own ceilings beside Mamlaka's checkouts, with pgbench on the same server:
// the checkout's own statements (bench/pgbench/checkout.sql) on the same data, pgbench's
// TPC-B-like workload on a scratch database, and one hot row's conditional decrement
// (bench/pgbench/stock-decrement.sql), the ceiling of a flash sale with durable commits.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CheckoutFixture,
  type CheckoutMeasurement,
  type CheckoutSettings,
  checkpoint,
  PLATFORM_FEE_BPS,
  perCheckout,
  settledPayments,
  writeCounts,
} from './checkout.js';
import { createBenchDatabase, withClient } from './postgres.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
/** The server's LEDGER_SHARDS (its default); the checkout script spreads credits over as many. */
export const LEDGER_SHARDS = 16;

/** pgbench from PATH, else from the usual Debian/Ubuntu place; BENCH_PGBENCH overrides. */
export function findPgbench(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.BENCH_PGBENCH) return env.BENCH_PGBENCH;
  if (spawnSync('pgbench', ['--version'], { stdio: 'ignore' }).status === 0) return 'pgbench';
  const debian = '/usr/lib/postgresql';
  if (!existsSync(debian)) return undefined;
  const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => path.join(debian, v, 'bin/pgbench')).find((file) => existsSync(file));
}

/**
 * What the pgbench script needs besides the fixture's rows: the product and buyer ids by
 * number, and a payment code prefix no existing payment uses.
 */
export async function preparePgbench(
  dbUrl: string,
  fixture: CheckoutFixture,
): Promise<{ codePrefix: string }> {
  return withClient(dbUrl, async (client) => {
    await client.query(`
      CREATE TABLE IF NOT EXISTS bench_products (n integer PRIMARY KEY, id uuid NOT NULL);
      CREATE TABLE IF NOT EXISTS bench_buyers (n integer PRIMARY KEY, id uuid NOT NULL);
      TRUNCATE bench_products, bench_buyers`);
    await client.query(
      'INSERT INTO bench_products SELECT n - 1, id FROM unnest($1::uuid[]) WITH ORDINALITY AS p(id, n)',
      [fixture.productIds],
    );
    await client.query(
      'INSERT INTO bench_buyers SELECT n - 1, id FROM unnest($1::uuid[]) WITH ORDINALITY AS b(id, n)',
      [fixture.buyers.map((b) => b.id)],
    );
    await client.query('ANALYZE bench_products; ANALYZE bench_buyers');
    // Codes are GC-<prefix>-<1000 + client>-<1000 + n>: unique among themselves, and the
    // prefix is one that no payment code the server drew at random starts with.
    // The prefixes taken are read in one scan of the payments (a hashed subplan): a NOT EXISTS
    // per candidate scanned them 9,000 times, minutes once a run had made 80,000 payments.
    const { rows } = await client.query<{ prefix: string }>(`
      SELECT p::text AS prefix FROM generate_series(1000, 9999) AS p
      WHERE p::text NOT IN (
        SELECT substr(payment_code, 4, 4) FROM payments WHERE payment_code LIKE 'GC-____-10%'
      )
      ORDER BY random() LIMIT 1`);
    if (!rows[0]) throw new Error('no free payment code prefix for pgbench');
    // The script creates missing accounts as the server does, but unlike the server it
    // cannot retry when a concurrent client created one first: every seller's wallet and
    // the fee account must exist already (opening an account moves no money).
    await client.query(
      `INSERT INTO ledger_accounts (kind, owner_id, currency, no_overdraft)
       SELECT 'user_wallet', unnest($1::uuid[]), 'IDR', true
       UNION ALL SELECT 'platform_fees', NULL, 'IDR', false
       ON CONFLICT (kind, (coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)), currency) DO NOTHING`,
      [fixture.sellerIds ?? [fixture.sellerId]],
    );
    return { codePrefix: rows[0].prefix };
  });
}

export interface PgbenchRun {
  stdout: string;
  stderr: string;
  status: number | null;
  /** Each logged transaction's latency: from its scheduled start under `--rate`, else from its start. */
  latenciesUs: number[];
  /** When each logged transaction ended, in microseconds since the epoch (same order). */
  endsUs: number[];
}

export function runPgbench(
  pgbench: string,
  dbUrl: string,
  clients: number,
  args: string[],
  seconds: number,
  withLog: boolean,
  script: string | null = 'checkout.sql',
): Promise<PgbenchRun> {
  const logDir = withLog ? mkdtempSync(path.join(tmpdir(), 'mamlaka-pgbench-')) : undefined;
  const fullArgs = [
    '--no-vacuum',
    // The scripts' statements are prepared once per connection and their :variables bound,
    // as the server's connections run theirs (src/platform/db/prepared-statements.ts); the
    // built-in workload runs as pgbench runs it by default.
    ...(script ? ['--protocol=prepared'] : []),
    `--client=${clients}`,
    '--jobs=2',
    `--time=${seconds}`,
    // Without a script: pgbench's built-in workload, chosen by `args` (e.g. -N).
    ...(script ? [`--file=${path.join(benchDir, 'pgbench', script)}`] : []),
    ...args,
    ...(logDir ? ['--log', `--log-prefix=${path.join(logDir, 'pgbench')}`] : []),
    dbUrl,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(pgbench, fullArgs, { cwd: logDir ?? tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (status) => {
      const latenciesUs: number[] = [];
      const endsUs: number[] = [];
      if (logDir) {
        // One line per transaction: client_id transaction_no time_us script_no epoch epoch_us
        // [schedule_lag_us under --rate].
        for (const file of readdirSync(logDir)) {
          for (const line of readFileSync(path.join(logDir, file), 'utf8').split('\n')) {
            const fields = line.split(' ');
            const us = Number(fields[2]);
            if (!line || !Number.isFinite(us)) continue;
            latenciesUs.push(us);
            endsUs.push(Number(fields[4]) * 1e6 + Number(fields[5]));
          }
        }
        rmSync(logDir, { recursive: true, force: true });
      }
      resolve({ stdout, stderr, status, latenciesUs, endsUs });
    });
  });
}

/** What pgbench printed: transactions processed and failed, and tps without connection time. */
export function pgbenchFigures(run: PgbenchRun) {
  const field = (pattern: RegExp) => {
    const match = pattern.exec(run.stdout);
    return match ? Number(match[1]) : Number.NaN;
  };
  const processed = field(/number of transactions actually processed: (\d+)/);
  const failedTx = field(/number of failed transactions: (\d+)/);
  const tps = field(/tps = ([\d.]+) \(without initial connection time\)/);
  if (!Number.isFinite(processed) || !Number.isFinite(tps)) {
    throw new Error(`could not read pgbench's output:\n${run.stdout}\n${run.stderr}`);
  }
  return { processed, failedTx, tps };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The `--define`s bench/pgbench/checkout.sql reads, with a code prefix from preparePgbench. */
export const checkoutVariables = (fixture: CheckoutFixture, codePrefix: string): string[] => [
  `--define=products=${fixture.productIds.length}`,
  `--define=buyers=${fixture.buyers.length}`,
  `--define=fee_bps=${PLATFORM_FEE_BPS}`,
  `--define=shards=${LEDGER_SHARDS}`,
  `--define=code_prefix=${codePrefix}`,
  '--define=n=0',
];

/**
 * PostgreSQL's ceiling: bench/pgbench/checkout.sql (the server's statements, one round trip
 * each) from `clients` connections for the same seconds, on the same database, after the
 * warm-up when `warmup` is set.
 */
export async function measurePgbench(
  pgbench: string,
  dbUrl: string,
  fixture: CheckoutFixture,
  settings: CheckoutSettings,
  options: { clients: number; warmup: boolean; label?: string },
): Promise<CheckoutMeasurement> {
  const variables = (prefix: string) => checkoutVariables(fixture, prefix);
  if (options.warmup && settings.warmupSeconds > 0) {
    // Every run takes a fresh code prefix, since each client restarts its counter.
    const { codePrefix } = await preparePgbench(dbUrl, fixture);
    const warm = await runPgbench(
      pgbench,
      dbUrl,
      options.clients,
      variables(codePrefix),
      settings.warmupSeconds,
      false,
    );
    if (warm.status !== 0) throw new Error(`pgbench warm-up failed (exit ${warm.status}): ${warm.stderr}`);
  }
  const { codePrefix } = await preparePgbench(dbUrl, fixture);
  await settledPayments(dbUrl);
  await checkpoint(dbUrl);
  const writesBefore = await writeCounts(dbUrl);
  const before = await settledPayments(dbUrl);
  const run = await runPgbench(
    pgbench,
    dbUrl,
    options.clients,
    variables(codePrefix),
    settings.durationSeconds,
    true,
  );
  const after = await settledPayments(dbUrl);
  const writesAfter = await writeCounts(dbUrl);
  const problems: string[] = [];
  if (run.status !== 0)
    problems.push(`pgbench exited with ${run.status}: ${run.stderr.trim().slice(0, 500)}`);
  const { processed, failedTx, tps } = pgbenchFigures(run);
  const committed = after.succeeded - before.succeeded;
  if (committed !== processed) {
    problems.push(`the database gained ${committed} succeeded payments, pgbench reported ${processed}`);
  }
  if (run.latenciesUs.length !== processed) {
    problems.push(`pgbench logged ${run.latenciesUs.length} transactions, reported ${processed}`);
  }
  const sorted = run.latenciesUs.sort((a, b) => a - b);
  return {
    name: `${options.label ?? ''}pgbench, same statements, ${options.clients} clients`,
    perSecond: tps,
    p50Ms: percentile(sorted, 50) / 1000,
    p99Ms: percentile(sorted, 99) / 1000,
    succeeded: processed,
    failed: Number.isFinite(failedTx) ? failedTx : 0,
    errors: 0,
    seconds: settings.durationSeconds,
    committed,
    rowsPerCheckout: perCheckout(writesBefore, writesAfter, committed),
    problems,
  };
}

const runFailed = (what: string, run: PgbenchRun) =>
  new Error(`${what} failed (exit ${run.status}): ${run.stderr.trim().slice(0, 500)}`);

function measured(name: string, run: PgbenchRun, seconds: number, committed: number, problems: string[]) {
  const { processed, failedTx, tps } = pgbenchFigures(run);
  if (run.status !== 0)
    problems.push(`pgbench exited with ${run.status}: ${run.stderr.trim().slice(0, 500)}`);
  const sorted = run.latenciesUs.sort((a, b) => a - b);
  return {
    name,
    perSecond: tps,
    p50Ms: percentile(sorted, 50) / 1000,
    p99Ms: percentile(sorted, 99) / 1000,
    succeeded: processed,
    failed: Number.isFinite(failedTx) ? failedTx : 0,
    errors: 0,
    seconds,
    committed,
    rowsPerCheckout: { inserted: 0, updated: 0 },
    problems,
  } satisfies CheckoutMeasurement;
}

/** pgbench's scale for its TPC-B-like baseline: 100,000 accounts, far more rows than 64 clients contend on. */
export const TPCB_SCALE = 1;

/**
 * What this machine's PostgreSQL does with pgbench's own TPC-B-like workload without the
 * branch and teller updates (-N: three writes and a read per transaction, no hot row), at
 * `clients`, on a scratch database initialised with `pgbench -i` and dropped afterwards.
 */
export async function measureTpcb(
  pgbench: string,
  serverUrl: string,
  settings: CheckoutSettings,
  options: { clients: number; onCleanup?: (fn: () => Promise<void>) => void },
): Promise<CheckoutMeasurement> {
  const scratch = await createBenchDatabase(serverUrl);
  options.onCleanup?.(scratch.drop);
  try {
    const init = spawnSync(pgbench, ['-i', '-q', `--scale=${TPCB_SCALE}`, scratch.url], { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`pgbench -i failed (exit ${init.status}): ${init.stderr}`);
    if (settings.warmupSeconds > 0) {
      const warm = await runPgbench(
        pgbench,
        scratch.url,
        options.clients,
        ['-N'],
        settings.warmupSeconds,
        false,
        null,
      );
      if (warm.status !== 0) throw runFailed('pgbench -N warm-up', warm);
    }
    await checkpoint(scratch.url);
    const run = await runPgbench(
      pgbench,
      scratch.url,
      options.clients,
      ['-N'],
      settings.durationSeconds,
      true,
      null,
    );
    const { processed } = pgbenchFigures(run);
    const problems: string[] = [];
    if (run.latenciesUs.length !== processed)
      problems.push(`pgbench logged ${run.latenciesUs.length} transactions, reported ${processed}`);
    return measured(
      `pgbench TPC-B-like (-N, scale ${TPCB_SCALE}), ${options.clients} clients`,
      run,
      settings.durationSeconds,
      processed,
      problems,
    );
  } finally {
    await scratch.drop();
  }
}

/**
 * One hot row's ceiling: bench/pgbench/stock-decrement.sql (the conditional decrement
 * alone, one durable commit each) from `clients` connections on `productId`. The row must
 * have more stock than a run can take; the database confirms one unit per transaction.
 */
export async function measureStockDecrement(
  pgbench: string,
  dbUrl: string,
  productId: string,
  settings: CheckoutSettings,
  options: { clients: number; label?: string },
): Promise<CheckoutMeasurement> {
  const stockOf = () =>
    withClient(dbUrl, async (client) => {
      const { rows } = await client.query<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [
        productId,
      ]);
      return rows[0]!.stock;
    });
  const define = [`--define=product=${productId}`];
  if (settings.warmupSeconds > 0) {
    const warm = await runPgbench(
      pgbench,
      dbUrl,
      options.clients,
      define,
      settings.warmupSeconds,
      false,
      'stock-decrement.sql',
    );
    if (warm.status !== 0) throw runFailed('pgbench stock decrement warm-up', warm);
  }
  await checkpoint(dbUrl);
  const before = await stockOf();
  const run = await runPgbench(
    pgbench,
    dbUrl,
    options.clients,
    define,
    settings.durationSeconds,
    true,
    'stock-decrement.sql',
  );
  const after = await stockOf();
  const { processed } = pgbenchFigures(run);
  const problems: string[] = [];
  if (before - after !== processed)
    problems.push(`the product lost ${before - after} units, pgbench reported ${processed} decrements`);
  if (after === 0) problems.push('the product ran out of stock: later decrements wrote nothing');
  return measured(
    `${options.label ?? ''}pgbench, stock decrement only, ${options.clients} clients`,
    run,
    settings.durationSeconds,
    before - after,
    problems,
  );
}
