import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogRepository } from '../../src/modules/catalog/catalog.repository.js';
import { CatalogStock, type ReservedLine } from '../../src/modules/catalog/catalog.stock.js';
import { VariantsRepository } from '../../src/modules/catalog/catalog.variants.repository.js';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import { eventually } from '../helpers/eventually.js';
import { adminOf, type PaymentJson, reconcile, topUp, walletOf } from '../helpers/payments.js';
import { testDatabase } from '../helpers/services.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

// Hot rows: one seller and one product bought by many buyers at once. The seller's wallet
// and the fee account are credited through shard rows; the product row is locked last.

let app: TestApp;
let admin: { token: string };
beforeAll(async () => {
  app = await startTestApp({ PLATFORM_FEE_BPS: '250', LEDGER_SHARDS: '8' });
  admin = await adminOf(app);
});
afterAll(() => app.close());

const db = () => app.db.database.db;
const stockOf = async (id: string) =>
  (await app.api<ProductJson>('GET', `/products/${id}`)).body.results.stock;

/** An account's row and the sum of its shards, read apart (the API only shows their sum). */
async function parts(where: { ownerId?: string; kind: 'user_wallet' | 'platform_fees' }) {
  const { rows } = await sql<{ row_credits: bigint; shard_credits: bigint; shards: number }>`
    SELECT a.posted_credits AS row_credits,
      coalesce(sum(s.posted_credits), 0)::bigint AS shard_credits,
      count(s.shard) FILTER (WHERE s.posted_credits > 0)::int AS shards
    FROM ledger_accounts a LEFT JOIN ledger_account_shards s ON s.account_id = a.id
    WHERE a.kind = ${where.kind} AND a.currency = 'IDR'
      AND a.owner_id IS NOT DISTINCT FROM ${where.ownerId ?? null}::uuid
    GROUP BY a.id`.execute(db());
  return rows[0] ?? { row_credits: 0n, shard_credits: 0n, shards: 0 };
}
const feesBalance = async () => {
  const fee = await parts({ kind: 'platform_fees' });
  return fee.row_credits + fee.shard_credits;
};

async function buyers(count: number, funds: string) {
  const all = await Promise.all(Array.from({ length: count }, () => signUp(app)));
  for (const buyer of all) await topUp(app, buyer.token, funds);
  return all;
}

/** Returns once another connection waits for a lock `holder`'s transaction holds (PostgreSQL). */
async function someoneWaitsFor(holder: Transaction<object>) {
  const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(holder);
  await eventually(
    async () =>
      (
        await sql<{ waiting: number }>`
          SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE ${rows[0]!.pid}::int = ANY(pg_blocking_pids(pid))`.execute(db())
      ).rows[0]!.waiting,
    (waiting) => waiting > 0,
  );
}

const checkout = (token: string, productId: string, quantity = 1) =>
  app.api<PaymentJson>('POST', '/payments', { token, body: { product_id: productId, quantity } });

describe('checkouts on one seller and one product', () => {
  it('sells exactly the stock to 80 concurrent checkouts, with exact wallet, fee and stock figures', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const product = await createProduct(app, seller.token, { price: '1000', stock: 60 });
    const crowd = await buyers(16, '100000');
    const feesBefore = await feesBalance();
    const results = await Promise.all(
      Array.from({ length: 80 }, (_, i) => checkout(crowd[i % crowd.length]!.token, product.id)),
    );
    const succeeded = results.filter((r) => r.status === 201 && r.body.results.status === 'succeeded');
    const refused = results.filter((r) => r.status === 409);
    expect(succeeded).toHaveLength(60);
    expect(refused).toHaveLength(20);
    for (const r of refused) expect(r.body.meta.code).toBe('insufficient_stock');
    expect(await stockOf(product.id)).toBe(0);
    // 2.5 % of 1000 is 25: the seller nets 975 per unit, the platform 25.
    expect((await walletOf(app, seller.token)).available).toBe(String(60 * 975));
    expect((await feesBalance()) - feesBefore).toBe(60n * 25n);
    const spent = await Promise.all(crowd.map(async (b) => BigInt((await walletOf(app, b.token)).available)));
    expect(spent.reduce((sum, left) => sum + (100_000n - left), 0n)).toBe(60n * 1000n);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('credits the seller through shard rows and never writes the wallet’s own row for a sale', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const product = await createProduct(app, seller.token, { price: '2000', stock: 100 });
    const crowd = await buyers(8, '100000');
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => checkout(crowd[i % crowd.length]!.token, product.id)),
    );
    expect(results.every((r) => r.body.results.status === 'succeeded')).toBe(true);
    const wallet = await parts({ ownerId: seller.id, kind: 'user_wallet' });
    expect(wallet.row_credits).toBe(0n);
    expect(wallet.shard_credits).toBe(40n * 1950n);
    // 40 transactions over 16 shards by random ids: more than one shard is all but certain
    // (all on one has probability 8^-39).
    expect(wallet.shards).toBeGreaterThan(1);
    expect((await walletOf(app, seller.token)).available).toBe(String(40 * 1950));
  });
});

describe('debits of a wallet whose credits sit in shards', () => {
  const payout = (token: string, amount: string) =>
    app.api<{ id: string }>('POST', '/wallet/payouts', { token, body: { amount, currency: 'IDR' } });

  it('lets a payout spend exactly what the shards hold, and not one unit more', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const product = await createProduct(app, seller.token, { price: '1000', stock: 100 });
    const crowd = await buyers(4, '100000');
    await Promise.all(Array.from({ length: 20 }, (_, i) => checkout(crowd[i % 4]!.token, product.id)));
    expect(await parts({ ownerId: seller.id, kind: 'user_wallet' })).toMatchObject({ row_credits: 0n });

    expect((await payout(seller.token, String(20 * 975 + 1))).status).toBe(422);
    expect((await payout(seller.token, String(20 * 975))).status).toBe(201);
    // The payout locked the wallet's row and folded its shards into it.
    expect(await parts({ ownerId: seller.id, kind: 'user_wallet' })).toMatchObject({
      row_credits: 20n * 975n,
      shard_credits: 0n,
    });
    const nothingLeft = await payout(seller.token, '1');
    expect(nothingLeft.status).toBe(422);
    expect(nothingLeft.body.meta.code).toBe('insufficient_funds');

    // A sale after the fold lands in a shard again, and is spendable at once.
    expect((await checkout(crowd[0]!.token, product.id)).body.results.status).toBe('succeeded');
    expect((await payout(seller.token, '976')).status).toBe(422);
    expect((await payout(seller.token, '975')).status).toBe(201);
    expect(await walletOf(app, seller.token)).toMatchObject({ available: '0', held: String(21 * 975) });
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('never overdraws the seller when payouts race the sales that fund them', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const product = await createProduct(app, seller.token, { price: '1000', stock: 1000 });
    const crowd = await buyers(10, '100000');
    await Promise.all(Array.from({ length: 10 }, (_, i) => checkout(crowd[i]!.token, product.id)));
    const sales = Array.from({ length: 50 }, (_, i) => checkout(crowd[i % 10]!.token, product.id));
    const payouts = Array.from({ length: 20 }, () => payout(seller.token, '3000'));
    const [sold, paid] = await Promise.all([Promise.all(sales), Promise.all(payouts)]);
    expect(sold.every((r) => r.body.results.status === 'succeeded')).toBe(true);
    const held = paid.filter((r) => r.status === 201).length;
    expect(held + paid.filter((r) => r.status === 422).length).toBe(20);
    // At least the payouts the first ten sales fund (9750 / 3000) got through.
    expect(held).toBeGreaterThanOrEqual(3);
    const wallet = await walletOf(app, seller.token);
    expect(BigInt(wallet.available)).toBe(60n * 975n - BigInt(held) * 3000n);
    expect(BigInt(wallet.available)).toBeGreaterThanOrEqual(0n);
    expect(await stockOf(product.id)).toBe(1000 - 60);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });
});

describe.runIf(testDatabase() === 'postgres')('a price changed while a checkout is in flight', () => {
  it('charges the new price, once: the stock decrement only matches the price that was charged', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const product = await createProduct(app, seller.token, { price: '1000', stock: 10 });
    const [buyer] = await buyers(1, '100000');
    let answer: Promise<Awaited<ReturnType<typeof checkout>>> | undefined;
    // The seller's change holds the product row until it commits; the checkout has read the
    // old price, written its ledger and order, and waits on that row in its last statement.
    await db()
      .transaction()
      .execute(async (trx) => {
        await sql`UPDATE products SET price_minor = 1500, version = version + 1 WHERE id = ${product.id}`.execute(
          trx,
        );
        answer = checkout(buyer!.token, product.id);
        await someoneWaitsFor(trx);
      });
    const res = await answer!;
    expect(res.status).toBe(201);
    expect(res.body.results).toMatchObject({ status: 'succeeded', total_amount: '1500' });
    expect((await walletOf(app, buyer!.token)).available).toBe('98500');
    expect((await walletOf(app, seller.token)).available).toBe(String(1500 - 38)); // fee: 2.5 % of 1500, rounded
    const mine = await app.api<PaymentJson[]>('GET', '/payments', { token: buyer!.token });
    expect(mine.body.results).toHaveLength(1);
    expect(await stockOf(product.id)).toBe(9);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });
});

/** The catalog's side of a checkout on the test app's database, and a line as it charges one. */
const catalogStock = () => new CatalogStock(CatalogRepository.of(db()), VariantsRepository.of(db()));
const lineOf = (product: ProductJson, quantity: number, unitPriceMinor: bigint): ReservedLine => ({
  key: product.id,
  productId: product.id,
  quantity,
  sellerId: product.user_id,
  name: product.name,
  unitPriceMinor,
  currency: product.currency,
  taxClass: 'standard',
});

describe('a stock decrement that takes nothing', () => {
  it('fails its transaction, which writes nothing, and is explained by what the row holds now', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const product = await createProduct(app, seller.token, { price: '1000', stock: 1 });
    const stock = catalogStock();
    const attempt = (line: ReservedLine) =>
      db()
        .transaction()
        .execute(async (trx) => {
          await sql`UPDATE products SET description = 'touched' WHERE id = ${product.id}`.execute(trx);
          await stock.takeStock(trx, [line]);
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
    const description = async () =>
      (await sql<{ d: string }>`SELECT description AS d FROM products WHERE id = ${product.id}`.execute(db()))
        .rows[0]!.d;
    const before = await description();

    const short = lineOf(product, 2, 1000n);
    const soldOut = await attempt(short);
    expect(soldOut).toMatchObject({ code: 'MK409', detail: product.id });
    expect(await stock.whyNotTaken(soldOut, [short])).toMatchObject({ code: 'insufficient_stock' });

    const stale = lineOf(product, 1, 900n);
    expect(await stock.whyNotTaken(await attempt(stale), [stale])).toMatchObject({ code: 'price_changed' });

    expect(await description()).toBe(before);
    expect(await stockOf(product.id)).toBe(1);
    // Any other failure is not the decrement's to explain.
    expect(await stock.whyNotTaken(new Error('something else'), [short])).toBeUndefined();

    await app.api('DELETE', `/products/${product.id}`, { token: seller.token });
    const gone = lineOf(product, 1, 1000n);
    expect(await stock.whyNotTaken(await attempt(gone), [gone])).toMatchObject({ code: 'product_not_found' });
  });
});

describe.runIf(testDatabase() === 'postgres')('the stock decrement on PostgreSQL', () => {
  it('goes out without waiting for its answer, so COMMIT follows it while the row is still held', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const product = await createProduct(app, seller.token, { price: '1000', stock: 3 });
    const stock = catalogStock();
    let returned = false;
    let checkout: Promise<void> | undefined;
    await db()
      .transaction()
      .execute(async (holder) => {
        await sql`SELECT 1 FROM products WHERE id = ${product.id} FOR UPDATE`.execute(holder);
        checkout = db()
          .transaction()
          .execute(async (trx) => {
            await stock.takeStock(trx, [lineOf(product, 1, 1000n)]);
            returned = true;
          });
        await someoneWaitsFor(holder);
        // The decrement waits for this row, and takeStock has returned all the same.
        expect(returned).toBe(true);
      });
    await checkout;
    expect(await stockOf(product.id)).toBe(2);
  });
});
