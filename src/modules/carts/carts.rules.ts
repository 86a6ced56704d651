import { createHash, randomBytes } from 'node:crypto';
import { AppError, conflict, invalid, invalidField } from '../../platform/errors.js';
import { formatAmount } from '../../platform/money.js';

/** As many lines as one order may have (POST /orders), so every cart can be checked out. */
export const MAX_CART_LINES = 50;

/** 24 random bytes: 192 bits, 32 base64url characters. */
const CART_ID_BYTES = 24;
export const CART_ID_PATTERN = '^[A-Za-z0-9_-]{32}$';

/** A new cart id. It is the cart's only key for a guest, so it comes from the CSPRNG. */
export const newCartId = (): string => randomBytes(CART_ID_BYTES).toString('base64url');

/** What the database keeps of a cart id: knowing a row never yields an id that opens it. */
export const hashCartId = (id: string): string => createHash('sha256').update(id).digest('hex');

/** Enough of an id to tell carts apart in a log line, never enough to open one. */
export const maskCartId = (id: string): string => `${id.slice(0, 4)}…`;

/** What a line buys: a product, or one variant of it. */
export interface LineRef {
  product_id: string;
  variant_id?: string | null;
}

/** One key per thing on sale: lines with the same key are one line. */
export const lineKeyOf = (line: LineRef): string =>
  line.variant_id ? `${line.product_id}/${line.variant_id}` : line.product_id;

/** A line as the cart stores it. */
export interface CartLine {
  id: string;
  product_id: string;
  variant_id: string | null;
  title: string;
  quantity: number;
  unit_price_minor: bigint;
  currency: string;
}

/** What a line buys (a product, or its variant) as it is now, when it still exists. */
export interface LiveProduct {
  id: string;
  /** The variant bought: named by the line, or a product's only one. */
  variantId: string | null;
  sellerId: string;
  name: string;
  unitPriceMinor: bigint;
  currency: string;
  stock: number;
  taxClass: string;
}

/** A line to add: new lines take the product's current price. */
export interface Addition {
  product_id: string;
  variant_id: string | null;
  quantity: number;
  title: string;
  unit_price_minor: bigint;
  currency: string;
}

export interface CartLimits {
  maxLineQuantity: number;
}

export const mixedCurrencies = () =>
  invalid('mixed_currencies', 'all items of one cart must be priced in one currency');

const tooMany = (limits: CartLimits) =>
  invalidField(
    'quantity',
    'amount_too_large',
    `a cart may hold at most ${limits.maxLineQuantity} of one product`,
  );

/**
 * The cart after adding `additions`: a product already there gets the quantity added to its
 * line (which keeps its accepted price), any other becomes a new line without an id yet.
 * @throws `mixed_currencies` (400), `validation_failed` (400: too many lines, or a quantity
 * above the limit)
 */
export function mergeLines(
  existing: readonly CartLine[],
  additions: readonly Addition[],
  limits: CartLimits,
): (Omit<CartLine, 'id'> & { id?: string })[] {
  const merged = new Map<string, Omit<CartLine, 'id'> & { id?: string }>(
    existing.map((line) => [lineKeyOf(line), { ...line }]),
  );
  for (const addition of additions) {
    const line = merged.get(lineKeyOf(addition));
    if (line) line.quantity += addition.quantity;
    else merged.set(lineKeyOf(addition), { ...addition });
  }
  const lines = [...merged.values()];
  if (new Set(lines.map((line) => line.currency)).size > 1) throw mixedCurrencies();
  if (lines.length > MAX_CART_LINES)
    throw invalidField('lines', 'too_many_lines', `a cart may hold at most ${MAX_CART_LINES} lines`);
  if (lines.some((line) => line.quantity > limits.maxLineQuantity)) throw tooMany(limits);
  return lines;
}

/** @throws `validation_failed` (400) above the limit, `insufficient_stock` (409) above the stock */
export function checkQuantity(quantity: number, product: LiveProduct, limits: CartLimits): void {
  if (quantity > limits.maxLineQuantity) throw tooMany(limits);
  if (quantity > product.stock)
    throw conflict('insufficient_stock', `insufficient stock for ${product.name}`);
}

/** A price shown to the buyer differs from the one a checkout would charge now. */
export const priceChanged = (line: CartLine, product: LiveProduct | undefined): boolean =>
  product !== undefined &&
  (product.unitPriceMinor !== line.unit_price_minor || product.currency !== line.currency);

export interface PublicCartLine {
  id: string;
  product_id: string;
  variant_id: string | null;
  /** Whose shipment the line is in; null when the product is gone. */
  seller_id: string | null;
  title: string;
  quantity: number;
  unit_price: string;
  current_unit_price: string | null;
  price_changed: boolean;
  available_stock: number;
  in_stock: boolean;
  currency: string;
}

export interface PublicCart {
  id: string;
  status: 'open' | 'checked_out';
  lines: PublicCartLine[];
  totals: { subtotal: string | null; currency: string | null; prices_changed: boolean };
  payment_id: string | null;
  expires_at: string;
  /** The pricing choices and, once an address is set, the quote a checkout would charge. */
  shipping_address_id: string | null;
  shipping_options: { seller_id: string; shipping_option_id: string }[];
  discount_codes: string[];
  quote: PublicCartQuote | null;
  /** Why there is no quote although an address is set (e.g. a seller does not ship there). */
  quote_error: { code: string; message: string } | null;
}

export interface PublicCartQuote {
  currency: string;
  subtotal: string;
  shipping: string;
  tax: string;
  /** Tax added on top of the prices (the rest is included in them). */
  tax_added: string;
  discount: string;
  total: string;
  shipments: {
    seller_id: string;
    shipping_option_id: string | null;
    subtotal: string;
    shipping: string;
    tax: string;
    discount: string;
    total: string;
  }[];
  tax_lines: { tax_rate_id: string; rate_bps: number; inclusive: boolean; taxable: string; tax: string }[];
  discounts: { id: string; code: string | null; kind: string; funded_by: string }[];
}

/** A line as the API shows it, against the product as it is now (undefined: gone). */
export function presentLine(line: CartLine, product: LiveProduct | undefined): PublicCartLine {
  const available = product?.stock ?? 0;
  return {
    id: line.id,
    product_id: line.product_id,
    variant_id: line.variant_id,
    seller_id: product?.sellerId ?? null,
    title: product?.name ?? line.title,
    quantity: line.quantity,
    unit_price: formatAmount(line.unit_price_minor, line.currency),
    current_unit_price: product ? formatAmount(product.unitPriceMinor, product.currency) : null,
    price_changed: priceChanged(line, product),
    available_stock: available,
    in_stock: product !== undefined && available >= line.quantity,
    currency: line.currency,
  };
}

/** The subtotal at the prices the buyer accepted: what a checkout charges once none changed. */
export function cartTotals(lines: readonly CartLine[]): { subtotalMinor: bigint; currency: string | null } {
  return {
    subtotalMinor: lines.reduce((sum, line) => sum + line.unit_price_minor * BigInt(line.quantity), 0n),
    currency: lines[0]?.currency ?? null,
  };
}

/**
 * The checkout's refusal while any shown price is stale, naming each such line.
 * Returns undefined when every price still holds.
 */
export function pricesChangedError(
  lines: readonly CartLine[],
  products: ReadonlyMap<string, LiveProduct>,
): AppError | undefined {
  const stale = lines.filter((line) => priceChanged(line, products.get(lineKeyOf(line))));
  if (stale.length === 0) return undefined;
  return new AppError('conflict', 'cart_prices_changed', 'prices changed since they were added to the cart', {
    fields: stale.map((line) => {
      const now = products.get(lineKeyOf(line))!;
      return {
        field: `lines.${line.id}`,
        code: 'price_changed',
        message: `${line.title}: ${formatAmount(line.unit_price_minor, line.currency)} ${line.currency} is now ${formatAmount(now.unitPriceMinor, now.currency)} ${now.currency}`,
      };
    }),
  });
}

/**
 * The checkout idempotency key of a cart's attempt: every checkout of one cart (concurrent
 * or retried) is one payment; a new attempt follows only a failed payment.
 */
export const checkoutKeyOf = (idHash: string, attempt: number): string => `cart:${idHash}:${attempt}`;
