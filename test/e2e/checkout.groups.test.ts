import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/platform/auth/policy.js';
import {
  checkoutGroupSize,
  checkoutQueueWaiting,
  checkoutsTotal,
} from '../../src/platform/metrics/metrics.registry.js';
import type { CheckoutInput } from '../../src/modules/payments/payments.checkout.js';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import { adminOf, reconcile, topUp, walletOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

// Wallet checkouts that queue are committed together, several in one transaction
// (payments.checkout-together.ts). With one slot, the first of a burst runs alone and the
// rest queue behind it, so the groups form the same way on every run. The checkouts are
// made through the service, all in one tick, so the burst is one; the outcomes are read
// through the API and the database.

let app: TestApp;
let admin: { token: string };
beforeAll(async () => {
  app = await startTestApp({ PLATFORM_FEE_BPS: '250', CHECKOUT_GROUP_SLOTS: '1', CHECKOUT_GROUP_SIZE: '8' });
  admin = await adminOf(app);
});
afterAll(() => app.close());

const db = () => app.db.database.db;
const stockOf = async (id: string) =>
  (await app.api<ProductJson>('GET', `/products/${id}`)).body.results.stock;

type Buyer = Awaited<ReturnType<typeof signUp>>;
async function buyers(count: number, funds: string): Promise<Buyer[]> {
  const all = await Promise.all(Array.from({ length: count }, () => signUp(app)));
  for (const buyer of all) if (funds !== '0') await topUp(app, buyer.token, funds);
  return all;
}

const asBuyer = (buyer: Buyer): Actor => ({ userId: buyer.id, role: 'buyer' });

/** Every checkout started in the same tick; each settles to its payment or its error. */
function burst(orders: { buyer: Buyer; input: CheckoutInput; key?: string }[]) {
  return Promise.all(
    orders.map(({ buyer, input, key }) =>
      app.platform.payments.checkout.create(asBuyer(buyer), input, key).then(
        (payment) => ({ payment, error: undefined }),
        (error: { code?: string }) => ({ payment: undefined, error }),
      ),
    ),
  );
}

/** How many transactions wrote these payments (rows one transaction inserts share its xmin). */
async function transactionsOf(paymentIds: string[]): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(DISTINCT xmin::text)::int AS n FROM payments WHERE id = ANY(${paymentIds}::uuid[])`.execute(
    db(),
  );
  return rows[0]!.n;
}

/** The group-size histogram's count and sum, to compare before and after a burst. */
async function groupSizes() {
  const { values } = await checkoutGroupSize.get();
  const pick = (name: string) => values.find((v) => v.metricName === name)?.value ?? 0;
  return {
    groups: pick('mamlaka_checkout_group_size_count'),
    sales: pick('mamlaka_checkout_group_size_sum'),
  };
}

const busyCount = async () =>
  (await checkoutsTotal.get()).values.find((v) => v.labels.outcome === 'busy')?.value ?? 0;

const line = (productId: string, quantity = 1) => ({ items: [{ product_id: productId, quantity }] });

describe('wallet checkouts committed together', () => {
  it('commits a burst in groups, each sale exactly as if it had been alone', async () => {
    const sellers = await Promise.all([signUp(app, { role: 'seller' }), signUp(app, { role: 'seller' })]);
    const products = await Promise.all([
      createProduct(app, sellers[0]!.token, { price: '1000', stock: 50 }),
      createProduct(app, sellers[1]!.token, { price: '4000', stock: 50 }),
    ]);
    const crowd = await buyers(12, '100000');
    const before = await groupSizes();
    const results = await burst(
      crowd.map((buyer, i) => ({
        buyer,
        input: {
          items: [
            { product_id: products[0]!.id, quantity: 1 + (i % 2) },
            { product_id: products[1]!.id, quantity: 1 },
          ],
        },
      })),
    );
    const payments = results.map((r) => r.payment!);
    expect(results.map((r) => r.error)).toEqual(crowd.map(() => undefined));
    expect(payments.every((p) => p.status === 'succeeded' && p.payment_method === 'wallet')).toBe(true);
    // One alone, then groups of at most 8: 12 sales in 3 transactions.
    expect(await transactionsOf(payments.map((p) => p.id))).toBe(3);
    const after = await groupSizes();
    expect({ groups: after.groups - before.groups, sales: after.sales - before.sales }).toEqual({
      groups: 3,
      sales: 12,
    });

    const units0 = crowd.reduce((sum, _, i) => sum + 1 + (i % 2), 0);
    expect(await stockOf(products[0]!.id)).toBe(50 - units0);
    expect(await stockOf(products[1]!.id)).toBe(50 - 12);
    for (const [i, buyer] of crowd.entries()) {
      const total = (1 + (i % 2)) * 1000 + 4000;
      expect(payments[i]!.total_amount).toBe(String(total));
      expect(payments[i]!.items).toHaveLength(2);
      expect((await walletOf(app, buyer.token)).available).toBe(String(100_000 - total));
      const mine = await app.api<{ id: string }[]>('GET', '/payments', { token: buyer.token });
      expect(mine.body.results.map((p) => p.id)).toEqual([payments[i]!.id]);
    }
    // 2.5 % fee, rounded half up: 1000 nets 975, 4000 nets 3900.
    expect((await walletOf(app, sellers[0]!.token)).available).toBe(String(units0 * 975));
    expect((await walletOf(app, sellers[1]!.token)).available).toBe(String(12 * 3900));
    // Each payment announced twice, with its own data, as a checkout alone announces it.
    const { rows: events } = await sql<{ type: string; aggregate: string; data: { id: string } }>`
      SELECT type, aggregate, data FROM outbox_events
      WHERE aggregate = ANY(${payments.map((p) => `payment:${p.id}`)}::text[]) ORDER BY position`.execute(
      db(),
    );
    for (const payment of payments) {
      const own = events.filter((e) => e.aggregate === `payment:${payment.id}`);
      expect(own.map((e) => e.type)).toEqual(['payment.created', 'payment.succeeded']);
      expect(own.every((e) => e.data.id === payment.id)).toBe(true);
    }
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('places alone whoever the group cannot take, and still commits the others together', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const product = await createProduct(app, seller.token, { price: '1000', stock: 100 });
    const [first, ...crowd] = await buyers(9, '10000');
    const broke = (await buyers(1, '0'))[0]!;
    const results = await burst([
      { buyer: first!, input: line(product.id) },
      { buyer: crowd[0]!, input: line(product.id) },
      // Cannot pay: its failed payment is recorded as a checkout alone records it.
      { buyer: broke, input: line(product.id) },
      // Shown another price: refused, nothing written.
      {
        buyer: crowd[1]!,
        input: { items: [{ product_id: product.id, quantity: 1, expected_unit_price_minor: 900n }] },
      },
      // Above the line limit: refused before anything is written.
      { buyer: crowd[2]!, input: line(product.id, 1_000_000) },
      { buyer: crowd[3]!, input: line(product.id) },
      { buyer: crowd[4]!, input: line(product.id) },
      { buyer: crowd[5]!, input: line(product.id) },
      // Names what is not for sale: refused with its 404 alone, the group unharmed.
      { buyer: crowd[6]!, input: { items: [line(product.id).items[0]!, line(randomUUID()).items[0]!] } },
      {
        buyer: crowd[7]!,
        input: { items: [{ product_id: product.id, variant_id: randomUUID(), quantity: 1 }] },
      },
    ]);
    expect(results[2]!.payment).toMatchObject({ status: 'failed', failure_code: 'insufficient_funds' });
    expect(results[3]!.error).toMatchObject({ code: 'price_changed_since_quote' });
    expect(results[4]!.error).toMatchObject({ code: 'validation_failed' });
    expect(results[8]!.error).toMatchObject({ code: 'product_not_found' });
    expect(results[9]!.error).toMatchObject({ code: 'variant_not_found' });
    const sold = [0, 1, 5, 6, 7].map((i) => results[i]!.payment!);
    expect(sold.every((p) => p.status === 'succeeded')).toBe(true);
    // The first alone; the other four sales together, in one transaction.
    expect(await transactionsOf(sold.slice(1).map((p) => p.id))).toBe(1);
    expect(await stockOf(product.id)).toBe(100 - 5);
    expect((await walletOf(app, broke.token)).available).toBe('0');
    for (const refused of [1, 6, 7])
      expect((await walletOf(app, crowd[refused]!.token)).available).toBe('10000');
    expect((await walletOf(app, seller.token)).available).toBe(String(5 * 975));
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('places everyone alone when the group as a whole cannot be sold, selling exactly the stock', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const product = await createProduct(app, seller.token, { price: '1000', stock: 5 });
    const crowd = await buyers(9, '10000');
    const results = await burst(crowd.map((buyer) => ({ buyer, input: line(product.id) })));
    const sold = results.filter((r) => r.payment?.status === 'succeeded');
    expect(sold).toHaveLength(5);
    expect(results.filter((r) => r.error?.code === 'insufficient_stock')).toHaveLength(4);
    expect(await stockOf(product.id)).toBe(0);
    const left = await Promise.all(crowd.map(async (b) => BigInt((await walletOf(app, b.token)).available)));
    expect(left.reduce((sum, each) => sum + (10_000n - each), 0n)).toBe(5000n);
    expect((await walletOf(app, seller.token)).available).toBe(String(5 * 975));
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('keeps a keyed checkout in a transaction of its own, and its retry answers the first payment', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const product = await createProduct(app, seller.token, { price: '1000', stock: 10 });
    const crowd = await buyers(4, '10000');
    const results = await burst(
      crowd.map((buyer, i) => ({ buyer, input: line(product.id), ...(i === 3 ? { key: 'k-1' } : {}) })),
    );
    const keyed = results[3]!.payment!;
    expect(keyed.status).toBe('succeeded');
    const grouped = results.slice(1, 3).map((r) => r.payment!.id);
    expect(await transactionsOf(grouped)).toBe(1);
    expect(await transactionsOf([...grouped, keyed.id])).toBe(2);
    const again = await app.platform.payments.checkout.create(asBuyer(crowd[3]!), line(product.id), 'k-1');
    expect(again.id).toBe(keyed.id);
    expect(await stockOf(product.id)).toBe(10 - 4);
  });
});

describe('a checkout queue that stops draining', () => {
  let slow: TestApp;
  beforeAll(async () => {
    slow = await startTestApp({
      CHECKOUT_GROUP_SLOTS: '1',
      CHECKOUT_GROUP_SIZE: '8',
      CHECKOUT_MAX_WAIT: '50ms',
    });
  });
  afterAll(() => slow.close());

  it('answers 503 with a Retry-After to whoever waited past CHECKOUT_MAX_WAIT, charging nothing', async () => {
    const seller = await signUp(slow, { role: 'seller' });
    const product = await createProduct(slow, seller.token, { price: '1000', stock: 10 });
    const [first, second] = await Promise.all([signUp(slow), signUp(slow)]);
    for (const buyer of [first!, second!]) {
      await topUp(slow, buyer.token, '5000');
      // Its token checked once, so its checkout reaches the queue without the database.
      expect((await slow.api('GET', '/users/me', { token: buyer.token })).status).toBe(200);
    }
    // The product row held by another transaction: the one slot's checkout waits on it at
    // its decrement (on PGlite, on the one connection), and the next checkout queues.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holding = slow.db.database.db.transaction().execute(async (trx) => {
      await sql`SELECT id FROM products WHERE id = ${product.id} FOR UPDATE`.execute(trx);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const busyBefore = await busyCount();
    const placed = slow.platform.payments.checkout.create(asBuyer(first!), line(product.id));
    const body = { product_id: product.id, quantity: 1, payment_method: 'wallet' };
    const refused = slow.api<unknown>('POST', '/payments', { token: second!.token, body });
    await new Promise((resolve) => setTimeout(resolve, 150));
    // The second checkout shows on the gauge while it waits for the held slot.
    expect((await checkoutQueueWaiting.get()).values[0]?.value).toBe(1);
    release();
    await holding;

    expect((await placed).status).toBe('succeeded');
    const answer = await refused;
    expect(answer.status).toBe(503);
    expect(answer.body.meta).toMatchObject({ success: false, code: 'checkouts_busy' });
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(await busyCount()).toBe(busyBefore + 1);
    expect((await checkoutQueueWaiting.get()).values[0]?.value).toBe(0);
    const doc = (await slow.api('GET', '/openapi.json')).body as unknown as {
      paths: Record<string, { post?: { responses?: Record<string, unknown> } }>;
    };
    expect(Object.keys(doc.paths['/payments']?.post?.responses ?? {})).toContain('503');
    expect((await walletOf(slow, second!.token)).available).toBe('5000');
    const theirs = await slow.api<unknown[]>('GET', '/payments', { token: second!.token });
    expect(theirs.body.results).toEqual([]);
    expect((await slow.api<ProductJson>('GET', `/products/${product.id}`)).body.results.stock).toBe(9);

    // Drained, the queue takes checkouts again.
    const again = await slow.api<{ status: string }>('POST', '/payments', { token: second!.token, body });
    expect(again.status).toBe(201);
    expect(again.body.results.status).toBe('succeeded');
  });
});
