// The "checkout on PostgreSQL" part of `npm run bench`: a fresh database, Mamlaka on it,
// the marketplace and flash-sale checkout scenarios under load, PostgreSQL's own ceilings
// for the same work with pgbench in the same run, the invariants after every run, and
// ledger postings in batches. Everything is dropped afterwards.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CHECKOUT_CONNECTIONS,
  type CheckoutFixture,
  type CheckoutMeasurement,
  type CheckoutSettings,
  measureCheckout,
  PLATFORM_FEE_BPS,
} from './checkout.js';
import { checkInvariants } from './checkout-invariants.js';
import {
  findPgbench,
  LEDGER_SHARDS,
  measurePgbench,
  measureStockDecrement,
  measureTpcb,
} from './checkout-pgbench.js';
import {
  type CheckoutGoal,
  type CheckoutScenario,
  createFixtures,
  FLASH_SALE,
  FLASH_SALE_STOCK,
  type Fixtures,
  GOALS,
  goal,
  MARKETPLACE,
  primeShards,
  scenario,
} from './checkout-scenarios.js';
import type { LedgerBatchResult } from './ledger-batch.js';
import { createBenchDatabase, type PostgresTarget } from './postgres.js';
import { mamlakaSpec, passedOn, startServer } from './servers.js';

export type { CheckoutGoal, CheckoutScenario } from './checkout-scenarios.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Mamlaka's marketplace checkouts per second as a share of pgbench's for the same statements. */
export const CHECKOUT_TARGET_RATIO = GOALS.marketplaceVsSameStatements;
export const LEDGER_BATCH_TARGET_ENTRIES_PER_SEC = 100_000;
/** node-postgres pool of the server (src/platform/db/database.ts; not configurable yet). */
export const SERVER_POOL_SIZE = 10;

export interface CheckoutSection {
  database: string;
  connections: number;
  /** The marketplace scenario's buyers and products. */
  buyers: number;
  products: number;
  serverPoolSize: number;
  /** The marketplace scenario's rows: Mamlaka, pgbench with the same statements, pgbench TPC-B-like. */
  rows: CheckoutMeasurement[];
  /** Marketplace: Mamlaka ÷ pgbench with the same statements at the same concurrency; undefined without pgbench. */
  ratio: number | undefined;
  /** No longer measured (the scenarios compare at equal concurrency); always undefined. */
  ratioAtPoolSize: number | undefined;
  pgbenchSkipped?: string;
  ledgerBatch: LedgerBatchResult;
  /** Both scenarios of issue 17 with their rows, invariants, goals and problems. */
  scenarios: CheckoutScenario[];
  /** Every goal of the scenarios, with its ratio and whether it was met. */
  goals: CheckoutGoal[];
  /** No problem in any scenario or in the ledger batches, and every goal met. */
  passed: boolean;
  /** What went wrong (counts that disagree, invariants broken, failed requests); empty on a clean run. */
  problems: string[];
}

type Cleanup = (fn: () => Promise<void>) => void;

function runLedgerBatch(dbUrl: string, settings: CheckoutSettings): Promise<LedgerBatchResult> {
  const args = [
    '--import',
    'tsx',
    path.join(root, 'bench/ledger-batch.ts'),
    dbUrl,
    String(settings.durationSeconds),
    String(settings.warmupSeconds),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) {
        reject(new Error(`bench/ledger-batch.ts exited with ${code}:\n${stdout}`));
        return;
      }
      resolve(JSON.parse(line.slice('RESULT '.length)) as LedgerBatchResult);
    });
  });
}

/**
 * Runs the checkout scenarios on a database created for this run on `target`'s server and
 * dropped afterwards (also when a step fails; `onCleanup` receives the drop for Ctrl-C).
 */
export async function runCheckoutSection(
  target: PostgresTarget,
  settings: CheckoutSettings,
  onCleanup: Cleanup,
): Promise<CheckoutSection> {
  const database = await createBenchDatabase(target.url);
  onCleanup(database.drop);
  console.log(`checkout scenarios: fresh database ${database.name} on the server of ${target.source}`);
  try {
    // The same signing key and issuer for every server started below, so the fixture's
    // tokens stay valid in the server that is measured.
    const { privateKey } = generateKeyPairSync('ed25519');
    const env = {
      PLATFORM_FEE_BPS: String(PLATFORM_FEE_BPS),
      LEDGER_SHARDS: String(LEDGER_SHARDS),
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      JWT_ISSUER: 'http://mamlaka-bench.invalid',
      // One key ring for every process (servers and the ledger check), or each would make
      // its own and fail to read the others' encrypted rows.
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
      // The checkout's own transaction (outbox rows included) is what pgbench repeats; relaying
      // and handling those events afterwards is measured on its own by bench/events.ts, and
      // alongside sales at a fixed rate by bench/checkout-fixed-rate.ts. Here the relay is
      // parked, so the events these servers leave unrelayed say nothing about it.
      OUTBOX_POLL_INTERVAL: '1h',
      OUTBOX_LISTEN: 'false',
      // How groups form, when the bench is asked to try other settings than the defaults.
      ...passedOn(['CHECKOUT_GROUP_SLOTS', 'CHECKOUT_GROUP_SIZE']),
    };
    const start = async () => {
      const spec = await mamlakaSpec({ databaseUrl: database.url, env });
      // BENCH_CPU_PROF=<dir>: every server writes its CPU profile there (bench/cpu-profile.ts).
      const profileDir = process.env.BENCH_CPU_PROF;
      if (profileDir) spec.args.unshift('--cpu-prof', '--cpu-prof-dir', path.resolve(profileDir));
      const server = await startServer(spec);
      onCleanup(server.stop);
      return server;
    };
    console.log(
      `creating the checkout fixtures: ${MARKETPLACE.sellers} sellers with ${MARKETPLACE.products} products, ` +
        `${MARKETPLACE.buyers} buyers with topped-up wallets, and a flash-sale product of ${FLASH_SALE_STOCK} …`,
    );
    const setup = await start();
    let fixtures: Fixtures;
    try {
      fixtures = await createFixtures(setup.url);
    } finally {
      await setup.stop();
    }
    await primeShards(database.url, fixtures, LEDGER_SHARDS);
    const pgbench = findPgbench();
    const pgbenchSkipped = pgbench
      ? undefined
      : 'pgbench not found (on PATH or under /usr/lib/postgresql/*/bin; set BENCH_PGBENCH)';
    if (pgbenchSkipped) console.log(`SKIPPED the pgbench ceilings: ${pgbenchSkipped}`);
    const invariantsAfter = (run: string, fixture: CheckoutFixture) =>
      checkInvariants(database.url, fixture, env).then((result) => ({ run, ...result }));

    // A server of its own per measurement: its database sessions end with it, so
    // PostgreSQL's counters of rows written cover exactly its checkouts.
    console.log(`marketplace: measuring POST /payments at ${CHECKOUT_CONNECTIONS} connections …`);
    const market = fixtures.marketplace;
    const marketRows = [await measureCheckout(start, database.url, market, settings, 'marketplace: ')];
    const marketChecks = [await invariantsAfter(marketRows[0]!.name, market)];
    if (pgbench) {
      console.log(`marketplace: measuring pgbench, same statements, at ${CHECKOUT_CONNECTIONS} clients …`);
      marketRows.push(
        await measurePgbench(pgbench, database.url, market, settings, {
          clients: CHECKOUT_CONNECTIONS,
          warmup: true,
          label: 'marketplace: ',
        }),
      );
      marketChecks.push(await invariantsAfter(marketRows[1]!.name, market));
      console.log(`measuring pgbench's TPC-B-like workload (-N) at ${CHECKOUT_CONNECTIONS} clients …`);
      marketRows.push(
        await measureTpcb(pgbench, target.url, settings, { clients: CHECKOUT_CONNECTIONS, onCleanup }),
      );
    }

    console.log(`flash sale: measuring POST /payments at ${CHECKOUT_CONNECTIONS} connections …`);
    const flash = fixtures.flashSale;
    const flashRows = [await measureCheckout(start, database.url, flash, settings, 'flash sale: ')];
    const flashChecks = [await invariantsAfter(flashRows[0]!.name, flash)];
    if (pgbench) {
      console.log(
        `flash sale: measuring pgbench, stock decrement only, at ${CHECKOUT_CONNECTIONS} clients …`,
      );
      flashRows.push(
        await measureStockDecrement(pgbench, database.url, fixtures.flashTwinId, settings, {
          clients: CHECKOUT_CONNECTIONS,
          label: 'flash sale: ',
        }),
      );
    }

    console.log('measuring ledger postBatch …');
    const ledgerBatch = await runLedgerBatch(database.url, settings);

    const scenarios = [
      scenario('marketplace', MARKETPLACE, marketRows, marketChecks, [
        goal('marketplace ÷ pgbench, same statements', GOALS.marketplaceVsSameStatements, marketRows, 1),
        goal('marketplace ÷ pgbench TPC-B-like (-N)', GOALS.marketplaceVsTpcb, marketRows, 2),
      ]),
      scenario('flash-sale', FLASH_SALE, flashRows, flashChecks, [
        goal('flash sale ÷ pgbench, stock decrement only', GOALS.flashVsStockDecrement, flashRows, 1),
      ]),
    ];
    const problems = [...scenarios.flatMap((s) => s.problems)];
    if (!ledgerBatch.check.ok) {
      problems.push(`ledger check after the batches failed: ${ledgerBatch.check.violations.join('; ')}`);
    }
    const goals = scenarios.flatMap((s) => s.goals);
    return {
      database: 'PostgreSQL (fresh database, dropped afterwards)',
      connections: CHECKOUT_CONNECTIONS,
      buyers: MARKETPLACE.buyers,
      products: MARKETPLACE.products,
      serverPoolSize: SERVER_POOL_SIZE,
      rows: marketRows,
      ratio: goals[0]!.ratio,
      ratioAtPoolSize: undefined,
      ...(pgbenchSkipped ? { pgbenchSkipped } : {}),
      ledgerBatch,
      scenarios,
      goals,
      passed: problems.length === 0 && goals.every((g) => g.met),
      problems,
    };
  } finally {
    await database.drop();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** One scenario's table: each row's rate, latency, counts and rows written per checkout. */
function scenarioTable(rows: CheckoutMeasurement[]): string[] {
  const header = [
    'checkout (wallet)',
    'per s',
    'p50 ms',
    'p99 ms',
    'vs row 1',
    'counted',
    'in DB',
    'failed',
    'ins/upd',
  ];
  const first = rows[0]?.perSecond;
  const cells = rows.map((r) => [
    r.name,
    fmt(r.perSecond),
    ms(r.p50Ms),
    ms(r.p99Ms),
    first ? `${(r.perSecond / first).toFixed(2)}×` : '–',
    String(r.succeeded),
    String(r.committed),
    String(r.failed + r.errors),
    `${r.rowsPerCheckout.inserted.toFixed(1)}/${r.rowsPerCheckout.updated.toFixed(1)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
}

const goalLine = (g: CheckoutGoal) =>
  g.ratio === undefined
    ? `${g.name}: not measured (target ≥ ${g.target.toFixed(2)}×)`
    : `${g.name}: ${g.ratio.toFixed(2)}× (target ≥ ${g.target.toFixed(2)}×: ${g.met ? 'met' : 'MISSED'})`;

/** The section's tables and the lines under them. */
export function checkoutReport(section: CheckoutSection): string {
  const lines: string[] = [];
  for (const s of section.scenarios) {
    const { sellers, products, buyers, stock } = s.shape;
    lines.push(
      `${s.name}: ${sellers} seller(s), ${products} product(s) of ${fmt(stock)} in stock, ${buyers} buyers`,
      ...scenarioTable(s.rows),
      ...s.goals.map(goalLine),
      ...s.invariants.map(
        (check) =>
          `after ${check.run}: ledger check ${check.ledgerCheck ? 'ok' : 'FAILED'}, ` +
          `stock + sold = initial ${check.stockConserved ? 'ok' : 'FAILED'}`,
      ),
      '',
    );
  }
  if (section.pgbenchSkipped) lines.push(`pgbench baselines skipped: ${section.pgbenchSkipped}`);
  const lb = section.ledgerBatch;
  lines.push(
    `ledger postBatch: ${fmt(lb.entriesPerSec)} entries/s (${lb.batches} batches of 1,000 transactions × 2 ` +
      `entries from ${lb.loaders ?? 1} caller(s), p50 ${ms(Number(lb.batchP50Ms.toFixed(1)))} ms, p99 ${ms(Number(lb.batchP99Ms.toFixed(1)))} ms per batch; ` +
      `target ≥ ${fmt(LEDGER_BATCH_TARGET_ENTRIES_PER_SEC)}: ` +
      `${lb.entriesPerSec >= LEDGER_BATCH_TARGET_ENTRIES_PER_SEC ? 'met' : 'MISSED'}); ` +
      `ledger check ${lb.check.ok ? 'ok' : 'FAILED'} over ${fmt(lb.check.entries)} entries`,
    `checkout scenarios: ${section.passed ? 'PASSED' : 'FAILED'} (${section.problems.length} problems, ` +
      `${section.goals.filter((g) => !g.met).length} goals missed)`,
  );
  return lines.join('\n');
}
