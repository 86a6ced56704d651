import { randomInt } from 'node:crypto';
import { allocateProportionally, formatAmount, percentOfMinor } from '../../platform/money.js';
import type { EntryInput } from '../ledger/ledger.service.js';
import type { OrderItemRow, PaymentRow, RefundRow } from './payments.tables.js';

/** The seed's payment codes look like `GC-6929-3605-5424`. */
export function newPaymentCode(): string {
  const group = () => String(randomInt(0, 10_000)).padStart(4, '0');
  return `GC-${group()}-${group()}-${group()}`;
}

export interface PricedLine {
  productId: string;
  sellerId: string;
  name: string;
  quantity: number;
  unitPriceMinor: bigint;
  subtotalMinor: bigint;
  feeMinor: bigint;
}

/** Each line's subtotal and the platform's fee on it (basis points, rounded half up). */
export function priceLines(
  lines: { productId: string; sellerId: string; name: string; quantity: number; unitPriceMinor: bigint }[],
  feeBps: number,
): PricedLine[] {
  return lines.map((line) => {
    const subtotalMinor = line.unitPriceMinor * BigInt(line.quantity);
    return { ...line, subtotalMinor, feeMinor: percentOfMinor(subtotalMinor, feeBps) };
  });
}

type Money = { subtotal_minor: bigint; fee_minor: bigint; seller_id: string };

/**
 * The purchase as ledger entries: the payer's account pays the total, each seller gets
 * their subtotals minus the fee, the platform gets the fees.
 */
export function purchaseEntries(
  payer: EntryInput['account'],
  items: readonly Money[],
  currency: string,
): EntryInput[] {
  const total = items.reduce((sum, item) => sum + item.subtotal_minor, 0n);
  const fees = items.reduce((sum, item) => sum + item.fee_minor, 0n);
  const bySeller = new Map<string, bigint>();
  for (const item of items) {
    bySeller.set(item.seller_id, (bySeller.get(item.seller_id) ?? 0n) + item.subtotal_minor - item.fee_minor);
  }
  const entries: EntryInput[] = [{ account: payer, direction: 'debit', amountMinor: total }];
  for (const [sellerId, net] of bySeller) {
    if (net > 0n) {
      entries.push({
        account: { kind: 'user_wallet', ownerId: sellerId, currency },
        direction: 'credit',
        amountMinor: net,
      });
    }
  }
  if (fees > 0n) {
    entries.push({ account: { kind: 'platform_fees', currency }, direction: 'credit', amountMinor: fees });
  }
  return entries;
}

const accountOf = (account: EntryInput['account']) =>
  `${account.kind}:${account.ownerId ?? ''}:${account.currency}`;

/**
 * A refund reverses the purchase proportionally: each seller and the platform give back
 * their share of `refundMinor` (largest-remainder split, so the parts add up exactly).
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
  items: readonly Money[],
  currency: string,
  refundMinor: bigint,
  earlier: readonly EntryInput[] = [],
): EntryInput[] {
  const reversed = new Map<string, bigint>();
  for (const entry of earlier) {
    if (entry.direction !== 'debit') continue;
    const key = accountOf(entry.account);
    reversed.set(key, (reversed.get(key) ?? 0n) + entry.amountMinor);
  }
  const purchase = purchaseEntries(payer, items, currency).slice(1);
  const left = purchase.map((entry) => entry.amountMinor - (reversed.get(accountOf(entry.account)) ?? 0n));
  const leftTotal = left.reduce((sum, amount) => sum + amount, 0n);
  if (refundMinor <= 0n || refundMinor > leftTotal || left.some((amount) => amount < 0n)) {
    throw new RangeError(`cannot refund ${refundMinor} of the ${leftTotal} left to reverse`);
  }
  const shares = allocateProportionally(refundMinor, left);
  const entries: EntryInput[] = purchase
    .map((entry, i) => ({ account: entry.account, direction: 'debit' as const, amountMinor: shares[i]! }))
    .filter((entry) => entry.amountMinor > 0n);
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
 * same method and the same quantity of each product (in any order). Anything else reusing
 * the key is a mistake to refuse, not a retry to answer with the first payment.
 */
export function isSameCheckout(
  input: { items: readonly { product_id: string; quantity: number }[] },
  method: string,
  earlier: { payment_method: string; items: readonly { product_id: string; quantity: number }[] },
): boolean {
  if (method !== earlier.payment_method) return false;
  const quantities = (lines: readonly { product_id: string; quantity: number }[]) => {
    const totals = new Map<string, number>();
    for (const line of lines) totals.set(line.product_id, (totals.get(line.product_id) ?? 0) + line.quantity);
    return totals;
  };
  const asked = quantities(input.items);
  const bought = quantities(earlier.items);
  return (
    asked.size === bought.size && [...asked].every(([product, quantity]) => bought.get(product) === quantity)
  );
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
