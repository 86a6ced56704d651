// The "checkout on PostgreSQL" part of `npm run bench`: a fresh database, Mamlaka on it,
// wallet checkouts under load, PostgreSQL's own ceiling for the same transaction with
// pgbench, and ledger postings in batches. Everything is dropped afterwards.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CHECKOUT_BUYERS,
  CHECKOUT_CONNECTIONS,
  CHECKOUT_PRODUCTS,
  type CheckoutFixture,
  type CheckoutMeasurement,
  type CheckoutSettings,
  createCheckoutFixture,
  findPgbench,
  measureCheckout,
  measurePgbench,
  PLATFORM_FEE_BPS,
} from './checkout.js';
import type { LedgerBatchResult } from './ledger-batch.js';
import { createBenchDatabase, type PostgresTarget } from './postgres.js';
import { mamlakaSpec, startServer } from './servers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Mamlaka's checkouts per second as a share of pgbench's transactions per second. */
export const CHECKOUT_TARGET_RATIO = 0.75;
export const LEDGER_BATCH_TARGET_ENTRIES_PER_SEC = 20_000;
/** node-postgres pool of the server (src/platform/db/database.ts; not configurable yet). */
export const SERVER_POOL_SIZE = 10;

export interface CheckoutSection {
  database: string;
  connections: number;
  buyers: number;
  products: number;
  serverPoolSize: number;
  rows: CheckoutMeasurement[];
  /** Mamlaka ÷ pgbench at the same concurrency; undefined when pgbench was not found. */
  ratio: number | undefined;
  /** Mamlaka ÷ pgbench with as many clients as the server has database connections. */
  ratioAtPoolSize: number | undefined;
  pgbenchSkipped?: string;
  ledgerBatch: LedgerBatchResult;
  /** What went wrong (counts that disagree, failed requests); empty on a clean run. */
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
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      JWT_ISSUER: 'http://mamlaka-bench.invalid',
      // The checkout's own transaction (outbox rows included) is what pgbench repeats; relaying
      // and handling those events afterwards is measured on its own by bench/events.ts.
      OUTBOX_POLL_INTERVAL: '1h',
    };
    const start = async () => {
      const server = await startServer(await mamlakaSpec({ databaseUrl: database.url, env }));
      onCleanup(server.stop);
      return server;
    };
    console.log(
      `creating the checkout fixture: 1 seller, ${CHECKOUT_PRODUCTS} products, ` +
        `${CHECKOUT_BUYERS} buyers with topped-up wallets …`,
    );
    const setup = await start();
    let fixture: CheckoutFixture;
    try {
      fixture = await createCheckoutFixture(setup.url);
    } finally {
      await setup.stop();
    }
    // A server of its own: its database sessions end with it, so PostgreSQL's counters of
    // rows written cover exactly its checkouts (compared with pgbench's below).
    console.log(`measuring POST /payments at ${CHECKOUT_CONNECTIONS} connections …`);
    const rows: CheckoutMeasurement[] = [await measureCheckout(start, database.url, fixture, settings)];

    const pgbench = findPgbench();
    let pgbenchSkipped: string | undefined;
    if (pgbench) {
      console.log(`measuring pgbench (${pgbench}) at ${CHECKOUT_CONNECTIONS} clients …`);
      rows.push(
        await measurePgbench(pgbench, database.url, fixture, settings, {
          clients: CHECKOUT_CONNECTIONS,
          warmup: true,
        }),
      );
      // For reading the ratio: the server itself never has more than its pool's connections
      // on the database, and fewer clients queue less on the hot ledger accounts.
      console.log(`measuring pgbench at ${SERVER_POOL_SIZE} clients (the server's pool size) …`);
      rows.push(
        await measurePgbench(pgbench, database.url, fixture, settings, {
          clients: SERVER_POOL_SIZE,
          warmup: false,
        }),
      );
    } else {
      pgbenchSkipped = 'pgbench not found (on PATH or under /usr/lib/postgresql/*/bin; set BENCH_PGBENCH)';
      console.log(`SKIPPED the pgbench ceiling: ${pgbenchSkipped}`);
    }

    console.log('measuring ledger postBatch …');
    const ledgerBatch = await runLedgerBatch(database.url, settings);

    const [mamlaka, ceiling, atPoolSize] = rows;
    const problems = rows.flatMap((row) => row.problems.map((p) => `${row.name}: ${p}`));
    const attempts = mamlaka!.succeeded + mamlaka!.failed + mamlaka!.errors;
    if (attempts === 0 || (mamlaka!.failed + mamlaka!.errors) / attempts > 0.01) {
      problems.push(
        `${mamlaka!.name}: ${mamlaka!.failed} answers were not a succeeded payment and ` +
          `${mamlaka!.errors} connections failed, out of ${attempts}`,
      );
    }
    // The pgbench script is a copy of the server's statements; when the checkout's SQL
    // changes and the script does not, the two write different rows per checkout.
    for (const row of rows.slice(1)) {
      const a = mamlaka!.rowsPerCheckout;
      const b = row.rowsPerCheckout;
      if (Math.abs(a.inserted - b.inserted) > 0.1 || Math.abs(a.updated - b.updated) > 0.1) {
        problems.push(
          `${row.name} writes ${b.inserted.toFixed(2)} rows and updates ${b.updated.toFixed(2)} per checkout, ` +
            `the server ${a.inserted.toFixed(2)} and ${a.updated.toFixed(2)}: ` +
            'bench/pgbench/checkout.sql no longer matches the checkout',
        );
      }
    }
    if (!ledgerBatch.check.ok) {
      problems.push(`ledger check after the batches failed: ${ledgerBatch.check.violations.join('; ')}`);
    }
    return {
      database: 'PostgreSQL (fresh database, dropped afterwards)',
      connections: CHECKOUT_CONNECTIONS,
      buyers: CHECKOUT_BUYERS,
      products: CHECKOUT_PRODUCTS,
      serverPoolSize: SERVER_POOL_SIZE,
      rows,
      ratio: ceiling && ceiling.perSecond > 0 ? mamlaka!.perSecond / ceiling.perSecond : undefined,
      ratioAtPoolSize:
        atPoolSize && atPoolSize.perSecond > 0 ? mamlaka!.perSecond / atPoolSize.perSecond : undefined,
      ...(pgbenchSkipped ? { pgbenchSkipped } : {}),
      ledgerBatch,
      problems,
    };
  } finally {
    await database.drop();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** The section's table and the lines under it. */
export function checkoutReport(section: CheckoutSection): string {
  const pgbenchRate = section.rows[1]?.perSecond;
  const header = [
    'checkout (wallet)',
    'per s',
    'p50 ms',
    'p99 ms',
    'vs pgbench',
    'counted',
    'in DB',
    'failed',
  ];
  const cells = section.rows.map((r) => [
    r.name,
    fmt(r.perSecond),
    ms(r.p50Ms),
    ms(r.p99Ms),
    pgbenchRate ? `${(r.perSecond / pgbenchRate).toFixed(2)}×` : '–',
    String(r.succeeded),
    String(r.committed),
    String(r.failed + r.errors),
    `${r.rowsPerCheckout.inserted.toFixed(1)}/${r.rowsPerCheckout.updated.toFixed(1)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  const lb = section.ledgerBatch;
  const lines = [
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(line),
    '',
    section.ratio === undefined
      ? `Mamlaka ÷ pgbench: not measured (${section.pgbenchSkipped ?? 'no pgbench row'})`
      : `Mamlaka ÷ pgbench at ${section.connections} clients: ${(section.ratio * 100).toFixed(0)} % ` +
        `(target ≥ ${CHECKOUT_TARGET_RATIO * 100} %: ${section.ratio >= CHECKOUT_TARGET_RATIO ? 'met' : 'MISSED'})` +
        (section.ratioAtPoolSize === undefined
          ? ''
          : `; at ${section.serverPoolSize} clients, the server's pool size: ` +
            `${(section.ratioAtPoolSize * 100).toFixed(0)} %`),
    `ledger postBatch: ${fmt(lb.entriesPerSec)} entries/s (${lb.batches} batches of 1,000 transactions × 2 ` +
      `entries, p50 ${ms(Number(lb.batchP50Ms.toFixed(1)))} ms, p99 ${ms(Number(lb.batchP99Ms.toFixed(1)))} ms per batch; ` +
      `target ≥ ${fmt(LEDGER_BATCH_TARGET_ENTRIES_PER_SEC)}: ` +
      `${lb.entriesPerSec >= LEDGER_BATCH_TARGET_ENTRIES_PER_SEC ? 'met' : 'MISSED'}); ` +
      `ledger check ${lb.check.ok ? 'ok' : 'FAILED'} over ${fmt(lb.check.entries)} entries`,
  ];
  return lines.join('\n');
}
