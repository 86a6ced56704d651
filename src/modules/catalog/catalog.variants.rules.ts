import { conflict, invalidField, unprocessable } from '../../platform/errors.js';
import { formatAmount } from '../../platform/money.js';

/** A product has at most this many variants (8 sizes × 6 colours, with room to spare). */
export const MAX_VARIANTS = 100;
/** Option names per product (size, colour, material). */
export const MAX_OPTIONS = 3;
const MAX_OPTION_TEXT = 50;

/** A variant's options, e.g. {"size": "M", "colour": "red"}: names and values trimmed. */
export type VariantOptions = Record<string, string>;

export interface VariantRow {
  id: string;
  product_id: string;
  sku: string;
  options: VariantOptions;
  price_minor: bigint;
  stock: number;
  position: number;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface PublicVariant {
  id: string;
  sku: string;
  options: VariantOptions;
  price: string;
  stock: number;
  position: number;
}

export const toPublicVariant = (row: VariantRow, currency: string): PublicVariant => ({
  id: row.id,
  sku: row.sku,
  options: row.options,
  price: formatAmount(row.price_minor, currency),
  stock: row.stock,
  position: row.position,
});

/**
 * Options as stored: names lower-cased and trimmed (so "Size" and "size " are one option),
 * values trimmed, keys sorted (so equal options are equal JSON, which the unique index
 * compares). @throws `validation_failed` (400) naming `options`
 */
export function normalizeOptions(options: Record<string, unknown>): VariantOptions {
  const entries = Object.entries(options);
  if (entries.length === 0 || entries.length > MAX_OPTIONS)
    throw invalidField('options', 'invalid_options', `a variant has 1 to ${MAX_OPTIONS} options`);
  const normalized: [string, string][] = [];
  for (const [name, value] of entries) {
    const key = name.trim().toLowerCase();
    const text = typeof value === 'string' ? value.trim() : '';
    if (!key || key.length > MAX_OPTION_TEXT || !text || text.length > MAX_OPTION_TEXT)
      throw invalidField(
        'options',
        'invalid_options',
        `option names and values are 1 to ${MAX_OPTION_TEXT} characters of text`,
      );
    if (normalized.some(([seen]) => seen === key))
      throw invalidField('options', 'invalid_options', `option ${key} is given twice`);
    normalized.push([key, text]);
  }
  normalized.sort(([a], [b]) => (a < b ? -1 : 1));
  return Object.fromEntries(normalized);
}

const namesOf = (options: VariantOptions) => Object.keys(options).sort().join(',');

/**
 * Every variant of a product has the same option names (a shopper picks one value of each),
 * so a new or changed variant must name the ones its siblings name.
 * @throws `variant_options_mismatch` (422)
 */
export function checkOptionNames(options: VariantOptions, siblings: readonly VariantRow[]): void {
  const first = siblings[0];
  if (!first || namesOf(first.options) === namesOf(options)) return;
  throw unprocessable(
    'variant_options_mismatch',
    `this product's variants are chosen by ${Object.keys(first.options).join(', ')}`,
  );
}

/** What the product row carries once it has variants: their total stock and lowest price. */
export function productTotals(
  variants: readonly VariantRow[],
): { stock: number; priceMinor: bigint } | undefined {
  if (variants.length === 0) return undefined;
  let priceMinor = variants[0]!.price_minor;
  let stock = 0;
  for (const variant of variants) {
    stock += variant.stock;
    if (variant.price_minor < priceMinor) priceMinor = variant.price_minor;
  }
  return { stock, priceMinor };
}

/**
 * The variant a line buys. A line without `variant_id` buys a product's only variant (so
 * single-product clients keep working); with several, the buyer must choose.
 * @throws `variant_required` (422), `variant_not_found` (404 via the caller's notFound)
 */
export function chooseVariant<V extends { id: string }>(
  variants: readonly V[],
  variantId: string | undefined,
  productName: string,
): V | 'missing' {
  if (variantId === undefined) {
    if (variants.length === 1) return variants[0]!;
    throw unprocessable(
      'variant_required',
      `${productName} comes in several variants: choose one (variant_id)`,
    );
  }
  return variants.find((variant) => variant.id === variantId) ?? 'missing';
}

/** @throws `product_has_variants` (409): price and stock belong to the variants then. */
export function refuseProductLevelStock(variantCount: number, fields: readonly string[]): void {
  if (variantCount === 0 || fields.length === 0) return;
  throw conflict(
    'product_has_variants',
    `this product's ${fields.join(' and ')} are its variants'; change them on the variants`,
  );
}
