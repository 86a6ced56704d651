import type { Transaction } from 'kysely';
import { sendAhead } from '../../platform/db/send-ahead.js';
import { type AppError, conflict, isAppError, notFound } from '../../platform/errors.js';
import { CatalogRepository } from './catalog.repository.js';
import type { ProductRow } from './catalog.tables.js';
import { VariantsRepository } from './catalog.variants.repository.js';
import { chooseVariant, type VariantOptions, type VariantRow } from './catalog.variants.rules.js';
import { lineNotTaken } from './stock-not-taken.js';

/** What a line buys: a product, or one variant of it. */
export interface StockLine {
  productId: string;
  variantId?: string;
  quantity: number;
}

/** A line as a checkout charges it, with what it buys resolved. */
export interface ReservedLine extends StockLine {
  /** The line's key as the order named it (unitKeyOf), for matching it to the request. */
  key: string;
  sellerId: string;
  name: string;
  unitPriceMinor: bigint;
  currency: string;
  taxClass: string;
  /** The variant bought: named by the line, or a product's only variant. */
  variant?: { id: string; sku: string; options: VariantOptions };
}

export interface UnitPrice {
  unitPriceMinor: bigint;
  currency: string;
  sellerId: string;
  taxClass: string;
}

/** One key per thing on sale as an order names it: the product, or the product and variant. */
export const unitKeyOf = (productId: string, variantId?: string | null): string =>
  variantId ? `${productId}/${variantId}` : productId;

const keyOf = (line: { productId: string; variantId?: string }) => unitKeyOf(line.productId, line.variantId);

/** One line per key, quantities added up, sorted by key (the lock order: product, then variant). */
export function mergeLines<T extends StockLine>(items: readonly T[]): T[] {
  const merged = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    const seen = merged.get(key);
    if (seen) seen.quantity += item.quantity;
    else merged.set(key, { ...item });
  }
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, line]) => line);
}

const byProduct = (rows: readonly VariantRow[]) => {
  const map = new Map<string, VariantRow[]>();
  for (const row of rows) map.set(row.product_id, [...(map.get(row.product_id) ?? []), row]);
  return map;
};

type PricedRow = Pick<
  ProductRow,
  'id' | 'name' | 'price_minor' | 'currency' | 'seller_id' | 'tax_class' | 'variant_count'
>;

/** What each line costs now, by unitKeyOf; lines whose product or variant is unknown are left out. */
function unitPricesOf(
  lines: readonly Omit<StockLine, 'quantity'>[],
  rows: readonly PricedRow[],
  variants: ReadonlyMap<string, VariantRow[]>,
): Map<string, UnitPrice> {
  const prices = new Map<string, UnitPrice>();
  for (const line of lines) {
    const row = rows.find((each) => each.id === line.productId);
    if (!row) continue;
    const price = { currency: row.currency, sellerId: row.seller_id, taxClass: row.tax_class };
    if (row.variant_count === 0) {
      if (!line.variantId) prices.set(keyOf(line), { ...price, unitPriceMinor: row.price_minor });
      continue;
    }
    try {
      const variant = chooseVariant(variants.get(row.id) ?? [], line.variantId, row.name);
      if (variant !== 'missing') prices.set(keyOf(line), { ...price, unitPriceMinor: variant.price_minor });
    } catch (error) {
      if (!isAppError(error)) throw error;
    }
  }
  return prices;
}

/**
 * The catalog's side of a checkout: prices read without locks, stock taken last and given
 * back. A product with variants sells them, each with its own price and stock; the product
 * row keeps their total stock, taken and given back with the variant's in one transaction
 * (product row first, as every variant change locks it), so listings never disagree.
 * Products without variants (every flash sale of the benches) read one row as before.
 */
export class CatalogStock {
  constructor(
    private readonly repo: CatalogRepository,
    private readonly variants: VariantsRepository,
  ) {}

  /**
   * The current price of what each line buys, by unitKeyOf, read without locking anything;
   * unknown products and variants, and lines that must name a variant, are left out (the
   * checkout's quoteStock answers for them).
   */
  async prices(lines: readonly Omit<StockLine, 'quantity'>[]): Promise<Map<string, UnitPrice>> {
    const rows = await this.repo.livePrices([...new Set(lines.map((line) => line.productId))]);
    const withVariants = rows.filter((row) => row.variant_count > 0).map((row) => row.id);
    return unitPricesOf(lines, rows, byProduct(await this.variants.of(withVariants)));
  }

  /**
   * What an order would take, read inside the caller's transaction WITHOUT locking a row:
   * one line per key (quantities merged), in key order, with the price to charge. The stock
   * is taken later by takeStock, the checkout's last statement.
   *
   * `check` sees the prices read (as `prices` gives them) before any line is refused, so a
   * caller's own refusals, such as an order's limits, come first whatever the lines hold.
   *
   * With `skipUnpriced`, the lines `check` saw no price for (an unknown product or variant, a
   * line that must name a variant) are left out of the answer instead of refused, for a
   * caller quoting several orders at once that answers for them itself.
   * @throws what `check` throws, then `product_not_found`, `variant_not_found` (404),
   * `variant_required` (422), `insufficient_stock` (409) when the stock read is short
   */
  async quoteStock(
    trx: Transaction<object>,
    items: readonly StockLine[],
    check?: (prices: ReadonlyMap<string, UnitPrice>) => void,
    { skipUnpriced = false } = {},
  ): Promise<ReservedLine[]> {
    const merged = mergeLines(items);
    const found = await CatalogRepository.in(trx).quote([...new Set(merged.map((line) => line.productId))]);
    const withVariants = found.filter((row) => row.variant_count > 0).map((row) => row.id);
    const variants = byProduct(await VariantsRepository.in(trx).of(withVariants));
    const prices = unitPricesOf(items, found, variants);
    check?.(prices);
    const lines = skipUnpriced ? merged.filter((line) => prices.has(keyOf(line))) : merged;
    const rows = new Map(found.map((row) => [row.id, row]));
    return lines.map((line) => {
      const row = rows.get(line.productId);
      if (!row) throw notFound('product');
      const reserved: ReservedLine = {
        key: keyOf(line),
        productId: row.id,
        quantity: line.quantity,
        sellerId: row.seller_id,
        name: row.name,
        unitPriceMinor: row.price_minor,
        currency: row.currency,
        taxClass: row.tax_class,
      };
      let stock = row.stock;
      if (row.variant_count > 0 || line.variantId) {
        const variant = chooseVariant(variants.get(row.id) ?? [], line.variantId, row.name);
        if (variant === 'missing') throw notFound('variant');
        reserved.variantId = variant.id;
        reserved.variant = { id: variant.id, sku: variant.sku, options: variant.options };
        reserved.name = `${row.name} (${Object.values(variant.options).join(', ')})`;
        reserved.unitPriceMinor = variant.price_minor;
        stock = variant.stock;
      }
      if (stock < line.quantity)
        throw conflict('insufficient_stock', `insufficient stock for ${reserved.name}`);
      return reserved;
    });
  }

  /**
   * Takes the quoted stock inside the caller's transaction, in key order (product before
   * its variants) so two checkouts never lock rows in opposite orders. Each decrement is
   * conditional in one statement: stock never goes below zero, and nothing is sold at a
   * price other than the one quoted. They are sent without waiting for their answers, so
   * the caller's COMMIT follows them in the same round trip and the hot rows are locked for
   * the commit alone; a decrement that takes nothing fails the transaction (at its COMMIT,
   * or at its next statement), and `whyNotTaken` says why.
   */
  async takeStock(trx: Transaction<object>, lines: readonly ReservedLine[]): Promise<void> {
    const repo = CatalogRepository.in(trx);
    const variants = VariantsRepository.in(trx);
    const sorted = [...lines].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
    for (const line of sorted) {
      const key = keyOf(line);
      if (!line.variantId) {
        await sendAhead(
          trx,
          repo.takeAtPrice(line.productId, line.quantity, line.unitPriceMinor, line.currency, key),
        );
        continue;
      }
      await sendAhead(trx, repo.takeAtPrice(line.productId, line.quantity, undefined, line.currency, key));
      await sendAhead(trx, variants.takeAtPrice(line.variantId, line.quantity, line.unitPriceMinor, key));
    }
  }

  /**
   * Why the transaction that ran takeStock for `lines` failed with `error`, read afresh
   * outside it; undefined when `error` is not one of its decrements taking nothing.
   * @returns `product_not_found`, `variant_not_found` (404), `price_changed` (409: worth
   * another attempt at the new price), `insufficient_stock` (409)
   */
  async whyNotTaken(error: unknown, lines: readonly ReservedLine[]): Promise<AppError | undefined> {
    const key = lineNotTaken(error);
    const line = key === undefined ? undefined : lines.find((each) => keyOf(each) === key);
    if (!line) return undefined;
    const product = await this.repo.findLive(line.productId);
    if (!product) return notFound('product');
    const now = line.variantId ? await this.variants.find(line.variantId) : product;
    if (!now || ('deleted_at' in now && now.deleted_at)) return notFound('variant');
    if (now.price_minor !== line.unitPriceMinor || product.currency !== line.currency)
      return conflict('price_changed', `the price of ${line.name} changed during checkout`);
    return conflict('insufficient_stock', `insufficient stock for ${line.name}`);
  }

  /**
   * Gives stock back, inside the caller's transaction, also to products and variants deleted
   * meanwhile. A deleted variant's units no longer count in its product's total.
   */
  async releaseStock(trx: Transaction<object>, items: readonly StockLine[]): Promise<void> {
    const repo = CatalogRepository.in(trx);
    const variants = VariantsRepository.in(trx);
    for (const line of mergeLines(items)) {
      if (!line.variantId) {
        await repo.release(line.productId, line.quantity);
        continue;
      }
      // The product row first: variant changes hold it, so the variant cannot be deleted
      // between this read and the total's update.
      await repo.lockStock(line.productId);
      const variant = await variants.find(line.variantId);
      if (variant && !variant.deleted_at) await repo.release(line.productId, line.quantity);
      await variants.release(line.variantId, line.quantity);
    }
  }
}
