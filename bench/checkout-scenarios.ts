// The checkout scenarios of issue 17 and their goals: a marketplace (many sellers, many
// products) and a flash sale (one seller, one product), each measured against what the
// same PostgreSQL does without Mamlaka in the same run.
import {
  type CheckoutFixture,
  type CheckoutMeasurement,
  CHECKOUT_BUYERS,
  createCheckoutFixture,
  PRODUCT_STOCK,
} from './checkout.js';
import type { Invariants } from './checkout-invariants.js';
import { withClient } from './postgres.js';

export interface ScenarioShape {
  sellers: number;
  products: number;
  buyers: number;
  /** Each product's stock at the start. */
  stock: number;
}

export const MARKETPLACE: ScenarioShape = {
  sellers: 100,
  products: 1_000,
  buyers: CHECKOUT_BUYERS,
  stock: PRODUCT_STOCK,
};
export const FLASH_SALE_STOCK = 100_000;
export const FLASH_SALE: ScenarioShape = {
  sellers: 1,
  products: 1,
  buyers: CHECKOUT_BUYERS,
  stock: FLASH_SALE_STOCK,
};

/** The goals of issue 17, point 1: Mamlaka's checkouts/s ÷ the pgbench row named. */
export const GOALS = {
  marketplaceVsSameStatements: 1.0,
  marketplaceVsTpcb: 0.5,
  flashVsStockDecrement: 0.8,
} as const;

export interface CheckoutGoal {
  name: string;
  target: number;
  /** Mamlaka ÷ the baseline; undefined when the baseline was not measured (no pgbench). */
  ratio: number | undefined;
  met: boolean;
}

export interface CheckoutScenario {
  name: 'marketplace' | 'flash-sale';
  shape: ScenarioShape;
  /** Mamlaka first, then the pgbench baselines of the same run. */
  rows: CheckoutMeasurement[];
  /** The invariants after each run that wrote orders. */
  invariants: (Invariants & { run: string })[];
  goals: CheckoutGoal[];
  /** Counts that disagree, invariants broken, requests failed; empty on a clean run. */
  problems: string[];
}

export interface Fixtures {
  marketplace: CheckoutFixture;
  flashSale: CheckoutFixture;
  /** A product of its own for pgbench's decrement-only run, so the flash sale's stock stays Mamlaka's. */
  flashTwinId: string;
}

/**
 * Both scenarios' sellers and products, through the API; the flash sale reuses the
 * marketplace's buyers. Each buyer then buys once, so the top-up credits waiting in its
 * wallet's shards are folded into the row before anything is measured (a one-off write
 * that would otherwise blur the rows-per-checkout comparison with pgbench).
 */
export async function createFixtures(url: string): Promise<Fixtures> {
  const marketplace = await createCheckoutFixture(url, MARKETPLACE);
  const flashSale = await createCheckoutFixture(url, FLASH_SALE, { buyers: marketplace.buyers });
  // Its stock is never the limit: the row's cost is the same whatever the number.
  const twin = await createCheckoutFixture(url, { ...FLASH_SALE, stock: PRODUCT_STOCK }, { buyers: [] });
  await buyOncePerBuyer(url, marketplace);
  return { marketplace, flashSale, flashTwinId: twin.productIds[0]! };
}

/**
 * Opens every seller's wallet and the fee account with all their shard rows, at zero, as
 * the first sales would: both sides are then measured in their steady state, each sale an
 * update of two existing shard rows. Zero rows change no balance (row + Σ shards).
 */
export async function primeShards(dbUrl: string, fixtures: Fixtures, shards: number): Promise<void> {
  const sellers = [
    ...new Set([...(fixtures.marketplace.sellerIds ?? []), ...(fixtures.flashSale.sellerIds ?? [])]),
  ];
  await withClient(dbUrl, async (client) => {
    // Two statements: rows a statement inserts are not visible to its own reads.
    await client.query(
      `INSERT INTO ledger_accounts (kind, owner_id, currency, no_overdraft)
       SELECT 'user_wallet', unnest($1::uuid[]), 'IDR', true
       UNION ALL SELECT 'platform_fees', NULL, 'IDR', false
       ON CONFLICT (kind, (coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)), currency) DO NOTHING`,
      [sellers],
    );
    await client.query(
      `INSERT INTO ledger_account_shards (account_id, shard)
       SELECT a.id, s FROM ledger_accounts a CROSS JOIN generate_series(0, $2::int - 1) AS s
       WHERE a.currency = 'IDR' AND (a.kind = 'platform_fees' OR (a.kind = 'user_wallet' AND a.owner_id = ANY($1::uuid[])))
       ON CONFLICT (account_id, shard) DO NOTHING`,
      [sellers, shards],
    );
  });
}

async function buyOncePerBuyer(url: string, fixture: CheckoutFixture): Promise<void> {
  await Promise.all(
    fixture.buyers.map(async (buyer, n) => {
      const response = await fetch(`${url}/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${buyer.token}` },
        body: JSON.stringify({ product_id: fixture.productIds[n % fixture.productIds.length], quantity: 1 }),
      });
      const text = await response.text();
      if (response.status !== 201 || !text.includes('"status":"succeeded"'))
        throw new Error(`priming checkout failed: ${response.status} ${text.slice(0, 300)}`);
    }),
  );
}

/** Mamlaka (rows[0]) ÷ rows[baseline] against `target`. */
export function goal(
  name: string,
  target: number,
  rows: CheckoutMeasurement[],
  baseline: number,
): CheckoutGoal {
  const base = rows[baseline]?.perSecond;
  const ratio = base && base > 0 ? rows[0]!.perSecond / base : undefined;
  return { name, target, ratio, met: ratio !== undefined && ratio >= target };
}

/** One scenario's result: its problems gathered from its rows, invariants and counts. */
export function scenario(
  name: CheckoutScenario['name'],
  shape: ScenarioShape,
  rows: CheckoutMeasurement[],
  invariants: CheckoutScenario['invariants'],
  goals: CheckoutGoal[],
): CheckoutScenario {
  const problems = rows.flatMap((row) => row.problems.map((p) => `${row.name}: ${p}`));
  problems.push(...invariants.flatMap((check) => check.problems.map((p) => `after ${check.run}: ${p}`)));
  const mamlaka = rows[0]!;
  const attempts = mamlaka.succeeded + mamlaka.failed + mamlaka.errors;
  if (attempts === 0 || (mamlaka.failed + mamlaka.errors) / attempts > 0.01) {
    problems.push(
      `${mamlaka.name}: ${mamlaka.failed} answers were not a succeeded payment and ` +
        `${mamlaka.errors} connections failed, out of ${attempts}`,
    );
  }
  // The pgbench script is a copy of the statements of a checkout alone; when the checkout's
  // SQL changes and the script does not, the two write different rows per checkout. Checkouts
  // committed together update each account's row and shard once per group, so the server
  // may update fewer rows per checkout, never more.
  const same = rows.find((row) => row.name.includes('same statements'));
  if (same) {
    const a = mamlaka.rowsPerCheckout;
    const b = same.rowsPerCheckout;
    if (Math.abs(a.inserted - b.inserted) > 0.1 || a.updated - b.updated > 0.1) {
      problems.push(
        `${same.name} writes ${b.inserted.toFixed(2)} rows and updates ${b.updated.toFixed(2)} per checkout, ` +
          `the server ${a.inserted.toFixed(2)} and ${a.updated.toFixed(2)}: ` +
          'bench/pgbench/checkout.sql no longer matches the checkout',
      );
    }
  }
  return { name, shape, rows, invariants, goals, problems };
}
