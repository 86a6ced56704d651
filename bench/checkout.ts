// Wallet checkouts on PostgreSQL: Mamlaka's POST /payments under autocannon, on a fixture
// made through the API, with the database confirming every count. PostgreSQL's own ceilings
// for the same work are measured by bench/checkout-pgbench.ts on the same data.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { withClient } from './postgres.js';
import type { RunningServer } from './servers.js';

/** Concurrent checkouts: autocannon connections, and pgbench clients. */
export const CHECKOUT_CONNECTIONS = 64;
/** One buyer per connection, so no two connections ever wait on the same wallet row. */
export const CHECKOUT_BUYERS = 64;
/** Products of the one seller; each checkout buys one, drawn at random, quantity 1. */
export const CHECKOUT_PRODUCTS = 200;
/** Far more than a run can sell, so stock never runs out (the API's maximum). */
export const PRODUCT_STOCK = 1_000_000_000;
/** Each buyer's top-up, in IDR: enough for millions of checkouts. */
const WALLET_TOP_UP = '1000000000000';
/** The server's PLATFORM_FEE_BPS (its default); the pgbench script computes the same fee. */
export const PLATFORM_FEE_BPS = 250;

export interface CheckoutFixture {
  /** The first seller (the only one unless the fixture was made with several). */
  sellerId: string;
  sellerIds?: string[];
  productIds: string[];
  /** Each product's stock when it was created, by id. */
  initialStock?: Map<string, number>;
  buyers: { id: string; token: string }[];
}

/** The shape of a fixture: how many sellers, products (spread over them) and buyers, and the stock of each product. */
export interface FixtureShape {
  sellers: number;
  products: number;
  buyers: number;
  stock: number;
}

const DEFAULT_SHAPE: FixtureShape = {
  sellers: 1,
  products: CHECKOUT_PRODUCTS,
  buyers: CHECKOUT_BUYERS,
  stock: PRODUCT_STOCK,
};

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
export const CHECKOUT_TABLES = [
  'products',
  'ledger_accounts',
  'ledger_account_shards',
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
 * Through the public API: `shape.sellers` sellers with `shape.products` products between
 * them (round robin), each of `shape.stock`, and `shape.buyers` buyers with a large test
 * top-up in their wallet (or the `buyers` given, already funded). By default one seller,
 * CHECKOUT_PRODUCTS products of huge stock and CHECKOUT_BUYERS buyers.
 */
export async function createCheckoutFixture(
  url: string,
  shape: Partial<FixtureShape> = {},
  given?: { buyers: CheckoutFixture['buyers'] },
): Promise<CheckoutFixture> {
  const { sellers: sellerCount, products, buyers: buyerCount, stock } = { ...DEFAULT_SHAPE, ...shape };
  const sellers = await pool(sellerCount, 8, (n) =>
    account(url, 'seller', sellerCount === 1 ? 'Bench Checkout Seller' : `Bench Seller ${n}`),
  );
  const productIds = await pool(products, 16, async (n) => {
    const { results } = await call(
      `${url}/products`,
      {
        name: `Checkout product ${n}`,
        description: `Product ${n} of the checkout benchmark`,
        price: String(1000 + (n % 97) * 500),
        stock,
      },
      201,
      sellers[n % sellers.length]!.token,
    );
    return String(results.id);
  });
  const initialStock = new Map(productIds.map((id) => [id, stock]));
  const sellerIds = sellers.map((s) => s.id);
  if (given) return { sellerId: sellerIds[0]!, sellerIds, productIds, initialStock, buyers: given.buyers };
  const buyers = await pool(buyerCount, 8, async (n) => {
    const buyer = await account(url, 'buyer', `Bench Checkout Buyer ${n}`);
    await call(
      `${url}/wallet/top-ups`,
      { amount: WALLET_TOP_UP, currency: 'IDR', method: 'test' },
      201,
      buyer.token,
    );
    return buyer;
  });
  return { sellerId: sellerIds[0]!, sellerIds, productIds, initialStock, buyers };
}

export async function succeededPayments(dbUrl: string): Promise<{ succeeded: number; other: number }> {
  return withClient(dbUrl, async (client) => {
    const { rows } = await client.query<{ succeeded: string; other: string }>(
      `SELECT count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
              count(*) FILTER (WHERE status <> 'succeeded') AS other FROM payments`,
    );
    return { succeeded: Number(rows[0]!.succeeded), other: Number(rows[0]!.other) };
  });
}

/** Waits until transactions still running when the load stopped have committed. */
export async function settledPayments(dbUrl: string) {
  let last = await succeededPayments(dbUrl);
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await succeededPayments(dbUrl);
    if (now.succeeded === last.succeeded && now.other === last.other) return now;
    last = now;
  }
  return last;
}

export interface WriteCounts {
  inserted: number;
  updated: number;
}

/**
 * Rows written to the database so far, by everyone (only the bench uses it). Waits until no
 * other client is connected: PostgreSQL 15 publishes an idle backend's counters up to 10 s
 * late, but always before the backend is gone.
 */
export async function writeCounts(dbUrl: string): Promise<WriteCounts> {
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

export const perCheckout = (before: WriteCounts, after: WriteCounts, committed: number) => ({
  inserted: committed > 0 ? (after.inserted - before.inserted) / committed : 0,
  updated: committed > 0 ? (after.updated - before.updated) / committed : 0,
});

/** Lets the next measurement start without a checkpoint of the previous one's writes pending. */
export async function checkpoint(dbUrl: string): Promise<void> {
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
 * Marks the events earlier runs left unrelayed as published, and their queued mails as
 * sent, so a server started next does not spend the run relaying them: the checkout section
 * parks the relay (its poll is an hour), but a relay's first round at start goes on while
 * it finds full batches. Relaying is measured by bench/events.ts and the latency section.
 */
export async function setAsideBacklog(dbUrl: string): Promise<void> {
  await withClient(dbUrl, async (client) => {
    await client.query('UPDATE outbox_events SET published_at = now() WHERE published_at IS NULL');
    await client.query("UPDATE mail_messages SET status = 'sent' WHERE status = 'pending'");
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
  label = '',
): Promise<CheckoutMeasurement> {
  await setAsideBacklog(dbUrl);
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
    name: `${label}Mamlaka POST /payments, ${CHECKOUT_CONNECTIONS} connections`,
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

/** Events written and not yet relayed, and mails queued and not yet sent, right now. */
export async function unfinishedWork(dbUrl: string): Promise<{ events: number; mails: number }> {
  return withClient(dbUrl, async (client) => {
    const { rows } = await client.query<{ events: number; mails: number }>(
      `SELECT (SELECT count(*)::int FROM outbox_events WHERE published_at IS NULL) AS events,
              (SELECT count(*)::int FROM mail_messages WHERE status = 'pending') AS mails`,
    );
    return rows[0]!;
  });
}
