// Wallet checkouts on PostgreSQL: Mamlaka's POST /payments under autocannon, and
// PostgreSQL's own ceiling for the same transaction under pgbench, on the same data.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { withClient } from './postgres.js';
import type { RunningServer } from './servers.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));

/** Concurrent checkouts: autocannon connections, and pgbench clients. */
export const CHECKOUT_CONNECTIONS = 64;
/** One buyer per connection, so no two connections ever wait on the same wallet row. */
export const CHECKOUT_BUYERS = 64;
/** Products of the one seller; each checkout buys one, drawn at random, quantity 1. */
export const CHECKOUT_PRODUCTS = 200;
/** Far more than a run can sell, so stock never runs out (the API's maximum). */
const PRODUCT_STOCK = 1_000_000_000;
/** Each buyer's top-up, in IDR: enough for millions of checkouts. */
const WALLET_TOP_UP = '1000000000000';
/** The server's PLATFORM_FEE_BPS (its default); the pgbench script computes the same fee. */
export const PLATFORM_FEE_BPS = 250;

export interface CheckoutFixture {
  sellerId: string;
  productIds: string[];
  buyers: { id: string; token: string }[];
}

export interface CheckoutSettings {
  durationSeconds: number;
  warmupSeconds: number;
}

/** One row of the checkout table. */
export interface CheckoutMeasurement {
  name: string;
  /** Committed checkouts per second over the measured seconds. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Checkouts counted by the load generator as succeeded. */
  succeeded: number;
  /** Answers other than 201 with status succeeded, or transactions pgbench reported failed. */
  failed: number;
  errors: number;
  seconds: number;
  /** What the database holds afterwards: succeeded payments added by this run. */
  committed: number;
  /** Rows inserted and updated per committed checkout in CHECKOUT_TABLES, to compare both sides. */
  rowsPerCheckout: { inserted: number; updated: number };
  /** Empty when the database agrees with the load generator; otherwise what is wrong. */
  problems: string[];
}

/** The tables one checkout writes, in its one transaction. */
const CHECKOUT_TABLES = [
  'products',
  'ledger_accounts',
  'ledger_transactions',
  'ledger_entries',
  'orders',
  'order_items',
  'payments',
  'outbox_events',
];

async function call(
  url: string,
  body: unknown,
  expected: number,
  token?: string,
): Promise<{ results: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected) {
    throw new Error(`POST ${url}: expected ${expected}, got ${response.status}: ${text.slice(0, 500)}`);
  }
  return JSON.parse(text) as { results: Record<string, unknown> };
}

async function account(url: string, role: 'buyer' | 'seller', name: string) {
  const email = `bench-${role}-${randomUUID()}@example.com`;
  const password = 'bench-password-1234';
  await call(`${url}/users/register`, { name, email, role, password, confirm_password: password }, 201);
  const { results } = await call(`${url}/users/login`, { email, password }, 200);
  return { id: String(results.id), token: String(results.token) };
}

/** Runs `count` tasks with at most `inFlight` at once. */
async function pool<T>(count: number, inFlight: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  return out;
}

/**
 * Through the public API: one seller with CHECKOUT_PRODUCTS products of huge stock, and
 * CHECKOUT_BUYERS buyers, each with a large test top-up in their wallet.
 */
export async function createCheckoutFixture(url: string): Promise<CheckoutFixture> {
  const seller = await account(url, 'seller', 'Bench Checkout Seller');
  const productIds = await pool(CHECKOUT_PRODUCTS, 16, async (n) => {
    const { results } = await call(
      `${url}/products`,
      {
        name: `Checkout product ${n}`,
        description: `Product ${n} of the checkout benchmark`,
        price: String(1000 + (n % 97) * 500),
        stock: PRODUCT_STOCK,
      },
      201,
      seller.token,
    );
    return String(results.id);
  });
  const buyers = await pool(CHECKOUT_BUYERS, 8, async (n) => {
    const buyer = await account(url, 'buyer', `Bench Checkout Buyer ${n}`);
    await call(
      `${url}/wallet/top-ups`,
      { amount: WALLET_TOP_UP, currency: 'IDR', method: 'test' },
      201,
      buyer.token,
    );
    return buyer;
  });
  return { sellerId: seller.id, productIds, buyers };
}

async function succeededPayments(dbUrl: string): Promise<{ succeeded: number; other: number }> {
  return withClient(dbUrl, async (client) => {
    const { rows } = await client.query<{ succeeded: string; other: string }>(
      `SELECT count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
              count(*) FILTER (WHERE status <> 'succeeded') AS other FROM payments`,
    );
    return { succeeded: Number(rows[0]!.succeeded), other: Number(rows[0]!.other) };
  });
}

/** Waits until transactions still running when the load stopped have committed. */
async function settledPayments(dbUrl: string) {
  let last = await succeededPayments(dbUrl);
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await succeededPayments(dbUrl);
    if (now.succeeded === last.succeeded && now.other === last.other) return now;
    last = now;
  }
  return last;
}

interface WriteCounts {
  inserted: number;
  updated: number;
}

/**
 * Rows written to the database so far, by everyone (only the bench uses it). Waits until no
 * other client is connected: PostgreSQL 15 publishes an idle backend's counters up to 10 s
 * late, but always before the backend is gone.
 */
async function writeCounts(dbUrl: string): Promise<WriteCounts> {
  return withClient(dbUrl, async (client) => {
    for (let waited = 0; waited < 15_000; waited += 100) {
      const { rows } = await client.query<{ others: string }>(
        `SELECT count(*) AS others FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
      );
      if (Number(rows[0]!.others) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // A new snapshot of the statistics, not the one this session may have cached.
    await client.query('SELECT pg_stat_clear_snapshot()');
    // The checkout's own tables only: the relay, the event consumers and the mail queue
    // write in the background (their own tables, and outbox_events' published_at), and
    // would blur a comparison that is about the checkout's transaction.
    const { rows } = await client.query<{ inserted: string; updated: string }>(
      `SELECT coalesce(sum(n_tup_ins), 0) AS inserted,
              coalesce(sum(n_tup_upd) FILTER (WHERE relname <> 'outbox_events'), 0) AS updated
       FROM pg_stat_user_tables WHERE relname = ANY($1)`,
      [CHECKOUT_TABLES],
    );
    return { inserted: Number(rows[0]!.inserted), updated: Number(rows[0]!.updated) };
  });
}

const perCheckout = (before: WriteCounts, after: WriteCounts, committed: number) => ({
  inserted: committed > 0 ? (after.inserted - before.inserted) / committed : 0,
  updated: committed > 0 ? (after.updated - before.updated) / committed : 0,
});

/** Lets the next measurement start without a checkpoint of the previous one's writes pending. */
async function checkpoint(dbUrl: string): Promise<void> {
  await withClient(dbUrl, (client) => client.query('CHECKPOINT')).catch(() => {
    // Needs superuser or pg_checkpoint; without it the measurement simply runs as is.
  });
}

const randomProduct = (fixture: CheckoutFixture) =>
  fixture.productIds[Math.floor(Math.random() * fixture.productIds.length)]!;

function checkoutLoad(url: string, fixture: CheckoutFixture, seconds: number, samples: string[]) {
  let nextBuyer = 0;
  let succeeded = 0;
  const body = () => JSON.stringify({ product_id: randomProduct(fixture), quantity: 1 });
  const run = autocannon({
    url: `${url}/payments`,
    method: 'POST',
    connections: CHECKOUT_CONNECTIONS,
    duration: seconds,
    // Each connection pays as its own buyer (its token set once), a new product each time.
    setupClient: (client) => {
      const buyer = fixture.buyers[nextBuyer++ % fixture.buyers.length]!;
      client.setHeadersAndBody(
        { 'content-type': 'application/json', authorization: `Bearer ${buyer.token}` },
        body(),
      );
      client.on('response', () => client.setBody(body()));
    },
    // Every answer is checked, not only its status: a 201 may carry a failed payment.
    verifyBody: (text) => {
      const ok = typeof text === 'string' && text.includes('"status":"succeeded"');
      if (ok) succeeded++;
      if (samples.length < 5) samples.push(String(text));
      return ok;
    },
  });
  return run.then((result) => ({ result, succeeded }));
}

/** Problems with sampled answers: each must be the envelope of a succeeded wallet payment. */
function checkSamples(samples: string[]): string[] {
  return samples.flatMap((text, i) => {
    try {
      const body = JSON.parse(text) as {
        meta?: { success?: boolean };
        results?: { status?: string; payment_method?: string; payment_code?: string };
      };
      const r = body.results;
      const good =
        body.meta?.success === true &&
        r?.status === 'succeeded' &&
        r.payment_method === 'wallet' &&
        /^GC-\d{4}-\d{4}-\d{4}$/.test(r.payment_code ?? '');
      return good ? [] : [`sample answer ${i + 1} is not a succeeded wallet payment: ${text.slice(0, 300)}`];
    } catch {
      return [`sample answer ${i + 1} is not JSON: ${text.slice(0, 300)}`];
    }
  });
}

/**
 * POST /payments from CHECKOUT_CONNECTIONS connections to a server `start` starts (and this
 * stops, so that its database sessions end and their statistics are published); the
 * database confirms every count.
 */
export async function measureCheckout(
  start: () => Promise<RunningServer>,
  dbUrl: string,
  fixture: CheckoutFixture,
  settings: CheckoutSettings,
): Promise<CheckoutMeasurement> {
  const writesBefore = await writeCounts(dbUrl);
  const first = await settledPayments(dbUrl);
  const server = await start();
  let measured;
  try {
    if (settings.warmupSeconds > 0) await checkoutLoad(server.url, fixture, settings.warmupSeconds, []);
    await settledPayments(dbUrl);
    await checkpoint(dbUrl);
    const before = await settledPayments(dbUrl);
    const samples: string[] = [];
    const load = await checkoutLoad(server.url, fixture, settings.durationSeconds, samples);
    const after = await settledPayments(dbUrl);
    measured = { ...load, samples, before, after };
  } finally {
    await server.stop();
  }
  const { result, succeeded, samples, before, after } = measured;
  const writesAfter = await writeCounts(dbUrl);
  const committed = after.succeeded - before.succeeded;
  const problems = checkSamples(samples);
  // Checkouts still in flight when autocannon stopped commit without being counted by it.
  if (committed < succeeded || committed > succeeded + CHECKOUT_CONNECTIONS) {
    problems.push(
      `the database gained ${committed} succeeded payments, autocannon counted ${succeeded} ` +
        `(at most ${CHECKOUT_CONNECTIONS} more may commit after it stops)`,
    );
  }
  if (after.other !== first.other) {
    problems.push(`${after.other - first.other} payments that did not succeed were written`);
  }
  const failed = result.non2xx + (result['2xx'] - succeeded);
  return {
    name: `Mamlaka POST /payments, ${CHECKOUT_CONNECTIONS} connections`,
    perSecond: succeeded / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    succeeded,
    failed,
    errors: result.errors + result.timeouts,
    seconds: result.duration,
    committed,
    // Over the warm-up and the measured seconds: everything this server wrote.
    rowsPerCheckout: perCheckout(writesBefore, writesAfter, after.succeeded - first.succeeded),
    problems,
  };
}

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
    const { rows } = await client.query<{ prefix: string }>(`
      SELECT p::text AS prefix FROM generate_series(1000, 9999) AS p
      WHERE NOT EXISTS (SELECT 1 FROM payments WHERE payment_code LIKE 'GC-' || p || '-10%')
      ORDER BY random() LIMIT 1`);
    if (!rows[0]) throw new Error('no free payment code prefix for pgbench');
    // The server's checkouts created the seller's wallet and the fee account. The script
    // creates missing accounts as the server does, but unlike the server it cannot retry
    // when a concurrent client created one first, so it needs them to exist already.
    const accounts = await client.query(
      `SELECT 1 FROM ledger_accounts WHERE (kind = 'user_wallet' AND owner_id = $1) OR kind = 'platform_fees'`,
      [fixture.sellerId],
    );
    if (accounts.rowCount !== 2) throw new Error('run the server checkouts before pgbench: accounts missing');
    return { codePrefix: rows[0].prefix };
  });
}

interface PgbenchRun {
  stdout: string;
  stderr: string;
  status: number | null;
  latenciesUs: number[];
}

function runPgbench(
  pgbench: string,
  dbUrl: string,
  clients: number,
  args: string[],
  seconds: number,
  withLog: boolean,
): Promise<PgbenchRun> {
  const logDir = withLog ? mkdtempSync(path.join(tmpdir(), 'mamlaka-pgbench-')) : undefined;
  const fullArgs = [
    '--no-vacuum',
    '--protocol=extended',
    `--client=${clients}`,
    '--jobs=2',
    `--time=${seconds}`,
    `--file=${path.join(benchDir, 'pgbench/checkout.sql')}`,
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
      if (logDir) {
        // One line per transaction: client_id transaction_no time_us script_no epoch epoch_us.
        for (const file of readdirSync(logDir)) {
          for (const line of readFileSync(path.join(logDir, file), 'utf8').split('\n')) {
            const us = Number(line.split(' ')[2]);
            if (line && Number.isFinite(us)) latenciesUs.push(us);
          }
        }
        rmSync(logDir, { recursive: true, force: true });
      }
      resolve({ stdout, stderr, status, latenciesUs });
    });
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

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
  options: { clients: number; warmup: boolean },
): Promise<CheckoutMeasurement> {
  const variables = (prefix: string) => [
    `--define=products=${fixture.productIds.length}`,
    `--define=buyers=${fixture.buyers.length}`,
    `--define=fee_bps=${PLATFORM_FEE_BPS}`,
    `--define=code_prefix=${prefix}`,
    '--define=n=0',
  ];
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
  const committed = after.succeeded - before.succeeded;
  if (committed !== processed) {
    problems.push(`the database gained ${committed} succeeded payments, pgbench reported ${processed}`);
  }
  if (run.latenciesUs.length !== processed) {
    problems.push(`pgbench logged ${run.latenciesUs.length} transactions, reported ${processed}`);
  }
  const sorted = run.latenciesUs.sort((a, b) => a - b);
  return {
    name: `pgbench, same statements, ${options.clients} clients`,
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
