import { invalidField } from '../../platform/errors.js';
import {
  formatAmount,
  isSupportedCurrency,
  type ParseAmountError,
  parseAmount,
} from '../../platform/money.js';
import type { ProductRow } from './catalog.tables.js';
import type { PublicVariant } from './catalog.variants.rules.js';

const PRICE_MESSAGES: Record<ParseAmountError, string> = {
  not_a_number: 'price must be a decimal number such as "150000" or "12.50"',
  too_many_decimals: 'price has more decimals than its currency allows',
  not_positive: 'price must be greater than zero',
  too_large: 'price is too large',
  unsupported_currency: 'currency is not supported',
};

/** The currency of a product, checked; `fallback` is the platform default. */
export function resolveCurrency(currency: string | undefined, fallback: string): string {
  const code = (currency ?? fallback).toUpperCase();
  if (!isSupportedCurrency(code)) {
    throw invalidField('currency', 'unsupported_currency', `currency ${code} is not supported`);
  }
  return code;
}

/** A decimal price string as minor units of `currency`, or a 400 naming `field`. */
export function priceToMinor(price: string, currency: string, field = 'price'): bigint {
  const parsed = parseAmount(price, currency);
  if (!parsed.ok)
    throw invalidField(field, parsed.error, PRICE_MESSAGES[parsed.error].replace('price', field));
  return parsed.minor;
}

export interface PublicProduct {
  id: string;
  user_id: string;
  name: string;
  description: string;
  price: string;
  currency: string;
  stock: number;
  image_url: string | null;
  thumbnail_url: string | null;
  created_at: string;
  updated_at: string;
  /** The categories the product is filed under (catalog depth); empty for most seed products. */
  category_ids: string[];
  /** The tax rates of this class apply to it. */
  tax_class: string;
  /** What is bought of it, when it comes in variants; then price is the lowest and stock the total. */
  variants: PublicVariant[];
}

/** The product as the API shows it: the seed's field names, the price as a decimal string. */
export const toPublicProduct = (
  row: ProductRow,
  imageUrl: (key: string) => string,
  categoryIds: string[] = [],
  variants: PublicVariant[] = [],
): PublicProduct => ({
  id: row.id,
  user_id: row.seller_id,
  name: row.name,
  description: row.description,
  price: formatAmount(row.price_minor, row.currency),
  currency: row.currency,
  stock: row.stock,
  image_url: row.image_key ? imageUrl(row.image_key) : null,
  thumbnail_url: row.thumbnail_key ? imageUrl(row.thumbnail_key) : null,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
  category_ids: categoryIds,
  tax_class: row.tax_class,
  variants,
});
