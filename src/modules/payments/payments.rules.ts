import { randomInt } from 'node:crypto';
import {
  allocateProportionally,
  divideHalfUp,
  formatAmount,
  percentOfMinor,
  sumMinor,
} from '../../platform/money.js';
import type { EntryInput } from '../ledger/ledger.service.js';
import type { OrderItemRow, PaymentRow, RefundRow } from './payments.tables.js';

/** The seed's payment codes look like `GC-6929-3605-5424`. */
export function newPaymentCode(): string {
  const group = () => String(randomInt(0, 10_000)).padStart(4, '0');
  return `GC-${group()}-${group()}-${group()}`;
}

export interface PricedLine {
  productId: string;
  /** The variant bought, when the product has variants. */
  variant?: { id: string; sku: string; options: Record<string, string> };
  sellerId: string;
  name: string;
  quantity: number;
  unitPriceMinor: bigint;
  subtotalMinor: bigint;
  feeMinor: bigint;
}

/** Each line's subtotal and the platform's fee on it (basis points, rounded half up). */
export function priceLines(
  lines: readonly Omit<PricedLine, 'subtotalMinor' | 'feeMinor'>[],
  feeBps: number,
): PricedLine[] {
  return lines.map(({ productId, variant, sellerId, name, quantity, unitPriceMinor }) => {
    const subtotalMinor = unitPriceMinor * BigInt(quantity);
    return {
      productId,
      ...(variant ? { variant } : {}),
      sellerId,
      name,
      quantity,
      unitPriceMinor,
      subtotalMinor,
      feeMinor: percentOfMinor(subtotalMinor, feeBps),
    };
  });
}

/**
 * What one line of an order moves on the ledger. The buyer pays `subtotal_minor`; of it the
 * platform keeps `fee_minor` and owes the tax office `tax_minor`; the platform adds the
 * `platform_discount_minor` it funds; the seller gets the rest. An order item is such a line
 * (no tax, no discount); a priced order's shipment is one too (payments.order-pricing.ts).
 */
export interface LedgerLine {
  seller_id: string;
  subtotal_minor: bigint;
  fee_minor: bigint;
  tax_minor?: bigint;
  platform_discount_minor?: bigint;
}

/**
 * The purchase as ledger entries: the payer's account pays the total and the platform's
 * discounts account what it funds; each seller gets their lines' shares, the platform its
 * fees, the tax office's account the tax. The payer's entry comes first.
 */
export function purchaseEntries(
  payer: EntryInput['account'],
  items: readonly LedgerLine[],
  currency: string,
): EntryInput[] {
  const sum = (pick: (item: LedgerLine) => bigint | undefined) =>
    sumMinor(items.map((item) => pick(item) ?? 0n));
  const bySeller = new Map<string, bigint>();
  for (const item of items) {
    const share =
      item.subtotal_minor - item.fee_minor - (item.tax_minor ?? 0n) + (item.platform_discount_minor ?? 0n);
    bySeller.set(item.seller_id, (bySeller.get(item.seller_id) ?? 0n) + share);
  }
  const entries: EntryInput[] = [
    { account: payer, direction: 'debit', amountMinor: sum((item) => item.subtotal_minor) },
  ];
  const discounts = sum((item) => item.platform_discount_minor);
  if (discounts > 0n) {
    entries.push({
      account: { kind: 'platform_discounts', currency },
      direction: 'debit',
      amountMinor: discounts,
    });
  }
  for (const [sellerId, net] of bySeller) {
    if (net > 0n) {
      entries.push({
        account: { kind: 'user_wallet', ownerId: sellerId, currency },
        direction: 'credit',
        amountMinor: net,
      });
    }
  }
  const fees = sum((item) => item.fee_minor);
  if (fees > 0n) {
    entries.push({ account: { kind: 'platform_fees', currency }, direction: 'credit', amountMinor: fees });
  }
  const tax = sum((item) => item.tax_minor);
  if (tax > 0n) {
    entries.push({ account: { kind: 'tax_liability', currency }, direction: 'credit', amountMinor: tax });
  }
  return entries;
}

const accountOf = (account: EntryInput['account']) =>
  `${account.kind}:${account.ownerId ?? ''}:${account.currency}`;

/**
 * A refund reverses the purchase proportionally: each seller, the platform's fee and the
 * tax owed give back their share of `refundMinor`, and the discounts the platform funded
 * come back to it in the same proportion (rounded half up) — largest-remainder split, so
 * the parts add up exactly.
 *
 * `earlier` are the entries of the payment's earlier refunds that still stand (held or
 * posted). The split is in proportion to what each account has left, not to what it got:
 * splitting every refund of the original shares drifts by up to a unit per refund (two
 * refunds of 1 against two sellers' 1 each would both take the first seller's), so the
 * last refund could take an account below zero. This way no account gives back more than
 * it got, and the refund that completes the total reverses every account exactly.
 * @throws RangeError when `refundMinor` is not positive or exceeds what is left to reverse
 */
export function refundEntries(
  payer: EntryInput['account'],
  items: readonly LedgerLine[],
  currency: string,
  refundMinor: bigint,
  earlier: readonly EntryInput[] = [],
): EntryInput[] {
  // What earlier refunds gave back, per account and direction: a refund debits what the
  // purchase credited and credits what it debited.
  const reversed = new Map<string, bigint>();
  for (const entry of earlier) {
    const key = `${entry.direction}:${accountOf(entry.account)}`;
    reversed.set(key, (reversed.get(key) ?? 0n) + entry.amountMinor);
  }
  const purchase = purchaseEntries(payer, items, currency).slice(1);
  const leftOf = (entry: EntryInput) => {
    const back = entry.direction === 'credit' ? 'debit' : 'credit';
    return entry.amountMinor - (reversed.get(`${back}:${accountOf(entry.account)}`) ?? 0n);
  };
  const credited = purchase.filter((entry) => entry.direction === 'credit');
  const funded = purchase.filter((entry) => entry.direction === 'debit');
  const creditLeft = credited.map(leftOf);
  const fundedLeft = funded.map(leftOf);
  const leftTotal = sumMinor(creditLeft) - sumMinor(fundedLeft);
  if (
    refundMinor <= 0n ||
    refundMinor > leftTotal ||
    [...creditLeft, ...fundedLeft].some((amount) => amount < 0n)
  ) {
    throw new RangeError(`cannot refund ${refundMinor} of the ${leftTotal} left to reverse`);
  }
  const fundedBack = fundedLeft.map((left) =>
    refundMinor === leftTotal ? left : divideHalfUp(left * refundMinor, leftTotal),
  );
  const shares = allocateProportionally(refundMinor + sumMinor(fundedBack), creditLeft);
  const entries: EntryInput[] = [
    ...credited.map((entry, i) => ({
      account: entry.account,
      direction: 'debit' as const,
      amountMinor: shares[i]!,
    })),
    ...funded.map((entry, i) => ({
      account: entry.account,
      direction: 'credit' as const,
      amountMinor: fundedBack[i]!,
    })),
  ].filter((entry) => entry.amountMinor > 0n);
  entries.push({ account: payer, direction: 'credit', amountMinor: refundMinor });
  return entries;
}

export interface PublicPayment {
  id: string;
  order_id: string;
  product_id: string;
  user_id: string;
  payment_code: string;
  payment_method: string;
  quantity: number;
  total_amount: string;
  refunded_amount: string;
  currency: string;
  status: string;
  failure_code: string | null;
  payment_url: string | null;
  token: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
  product: { id: string; user_id: string; name: string; price: string; currency: string };
  items: {
    product_id: string;
    /** The variant bought, with its SKU and options then; null for a product without variants. */
    variant: { id: string; sku: string; options: Record<string, string> } | null;
    seller_id: string;
    name: string;
    quantity: number;
    unit_price: string;
    subtotal: string;
  }[];
}

/** The seed's payment shape (first item as `product_id`/`product`), with every item listed too. */
export function toPublicPayment(payment: PaymentRow, items: readonly OrderItemRow[]): PublicPayment {
  const first = items[0]!;
  const money = (minor: bigint) => formatAmount(minor, payment.currency);
  return {
    id: payment.id,
    order_id: payment.order_id,
    product_id: first.product_id,
    user_id: payment.buyer_id,
    payment_code: payment.payment_code,
    payment_method: payment.method,
    quantity: items.reduce((sum, item) => sum + item.quantity, 0),
    total_amount: money(payment.amount_minor),
    refunded_amount: money(payment.refunded_minor),
    currency: payment.currency,
    status: payment.status,
    failure_code: payment.failure_code,
    payment_url: payment.payment_url,
    token: payment.token,
    expires_at: payment.expires_at?.toISOString() ?? null,
    created_at: payment.created_at.toISOString(),
    updated_at: payment.updated_at.toISOString(),
    product: {
      id: first.product_id,
      user_id: first.seller_id,
      name: first.product_name,
      price: money(first.unit_price_minor),
      currency: payment.currency,
    },
    items: items.map((item) => ({
      product_id: item.product_id,
      variant: item.variant_id
        ? { id: item.variant_id, sku: item.variant_sku ?? '', options: item.variant_options ?? {} }
        : null,
      seller_id: item.seller_id,
      name: item.product_name,
      quantity: item.quantity,
      unit_price: money(item.unit_price_minor),
      subtotal: money(item.subtotal_minor),
    })),
  };
}

/**
 * Whether a checkout retried under an idempotency key asks for what the first one did: the
 * same method, the same quantity of each product, and of each variant the request named (a
 * line without one bought a product's only variant), in any order. Anything else reusing
 * the key is a mistake to refuse, not a retry to answer with the first payment.
 */
export function isSameCheckout(
  input: { items: readonly { product_id: string; variant_id?: string; quantity: number }[] },
  method: string,
  earlier: {
    payment_method: string;
    items: readonly { product_id: string; variant?: { id: string } | null; quantity: number }[];
  },
): boolean {
  if (method !== earlier.payment_method) return false;
  const quantities = (lines: readonly { key: string | undefined; quantity: number }[]) => {
    const totals = new Map<string, number>();
    for (const { key, quantity } of lines)
      if (key !== undefined) totals.set(key, (totals.get(key) ?? 0) + quantity);
    return totals;
  };
  const same = (asked: Map<string, number>, bought: Map<string, number>) =>
    [...asked].every(([key, quantity]) => bought.get(key) === quantity);
  const byProduct = (lines: readonly { product_id: string; quantity: number }[]) =>
    quantities(lines.map((line) => ({ key: line.product_id, quantity: line.quantity })));
  const asked = byProduct(input.items);
  const bought = byProduct(earlier.items);
  const askedVariants = quantities(
    input.items.map((line) => ({ key: line.variant_id, quantity: line.quantity })),
  );
  const boughtVariants = quantities(
    earlier.items.map((line) => ({ key: line.variant?.id, quantity: line.quantity })),
  );
  return asked.size === bought.size && same(asked, bought) && same(askedVariants, boughtVariants);
}

/** A refund as the API shows it (Stripe's Refund object, in the seed's snake_case). */
export interface PublicRefund {
  id: string;
  payment_id: string;
  /** The payment's method: `wallet` refunds settle at once, gateway ones may stay pending. */
  payment_method: string;
  amount: string;
  currency: string;
  reason: string;
  restock: boolean;
  status: string;
  failure_code: string | null;
  failure_message: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export function toPublicRefund(refund: RefundRow, method: string): PublicRefund {
  return {
    id: refund.id,
    payment_id: refund.payment_id,
    payment_method: method,
    amount: formatAmount(refund.amount_minor, refund.currency),
    currency: refund.currency,
    reason: refund.reason,
    restock: refund.restock,
    status: refund.status,
    failure_code: refund.failure_code,
    failure_message: refund.failure_message,
    created_by: refund.created_by,
    created_at: refund.created_at.toISOString(),
    updated_at: refund.updated_at.toISOString(),
  };
}
