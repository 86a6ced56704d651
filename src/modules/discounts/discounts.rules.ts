import type { FieldError } from '../../platform/errors.js';
import { isSupportedCurrency, parseAmount } from '../../platform/money.js';
import { type Discount, MAX_QUOTE_DISCOUNTS } from '../pricing/pricing.rules.js';

/**
 * Coupon codes and automatic promotions as plain data: what a valid discount is, whether
 * one applies to a cart now, and what pricing gets of it. No I/O.
 */

export type DiscountKind = 'percentage' | 'fixed' | 'free_shipping';
export const DISCOUNT_KINDS: readonly DiscountKind[] = ['percentage', 'fixed', 'free_shipping'];

export const CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]{2,31}$/;
/** Fits PostgreSQL's integer columns, and no real campaign comes near it. */
export const MAX_USES_LIMIT = 1_000_000_000;

/** A code as stored and looked up: trimmed, upper case; undefined when it cannot be a code. */
export function normalizeCode(text: string): string | undefined {
  const code = text.trim().toUpperCase();
  return CODE_PATTERN.test(code) ? code : undefined;
}

/** A discount's terms, as its row holds them. */
export interface DiscountFields {
  code: string | null;
  kind: DiscountKind;
  percent_bps: number | null;
  amount_minor: bigint | null;
  currency: string | null;
  minimum_subtotal_minor: bigint | null;
  starts_at: Date | null;
  ends_at: Date | null;
  max_uses: number | null;
  max_uses_per_customer: number | null;
  active: boolean;
}

/** What a client sends; on an update, absent fields keep their value and null clears one. */
export interface DiscountInput {
  code?: string | null;
  kind?: DiscountKind;
  percent_bps?: number | null;
  amount?: string | null;
  currency?: string | null;
  minimum_subtotal?: string | null;
  starts_at?: string | null;
  ends_at?: string | null;
  max_uses?: number | null;
  max_uses_per_customer?: number | null;
  active?: boolean;
}

export type ParsedDiscount = { ok: true; fields: DiscountFields } | { ok: false; problems: FieldError[] };

/**
 * The terms an input makes, laid over `current` for an update (none for a new discount),
 * checked whole: a percentage needs percent_bps, a fixed amount needs an amount and a
 * currency, a minimum subtotal needs a currency (minor units mean nothing without one),
 * and a start comes before an end. Kind and currency cannot change once created: the
 * stored amounts are in that currency's minor units.
 */
export function parseDiscountInput(input: DiscountInput, current?: DiscountFields): ParsedDiscount {
  const problems: FieldError[] = [];
  const problem = (field: string, code: string, message: string) => problems.push({ field, code, message });
  const pick = <K extends keyof DiscountInput & keyof DiscountFields>(key: K) =>
    input[key] !== undefined ? input[key] : current?.[key];

  if (current && input.kind !== undefined && input.kind !== current.kind) {
    problem('kind', 'immutable', 'kind cannot change: create a new discount');
  }
  if (current && input.currency !== undefined && input.currency?.toUpperCase() !== current.currency) {
    problem('currency', 'immutable', 'currency cannot change: create a new discount');
  }
  const kind = current?.kind ?? input.kind;
  if (kind === undefined || !DISCOUNT_KINDS.includes(kind)) {
    problem('kind', 'required', `kind must be one of ${DISCOUNT_KINDS.join(', ')}`);
    return { ok: false, problems };
  }
  let currency = current ? current.currency : (input.currency?.toUpperCase() ?? null);
  if (currency !== null && !isSupportedCurrency(currency)) {
    problem('currency', 'unsupported_currency', `currency ${currency} is not supported`);
    currency = null;
  }

  let code = current?.code ?? null;
  if (input.code !== undefined) {
    code = input.code === null ? null : (normalizeCode(input.code) ?? null);
    if (input.code !== null && code === null) {
      problem(
        'code',
        'invalid',
        'a code is 3 to 32 letters, digits, "-" or "_", starting with a letter or digit',
      );
    }
  }

  const percentBps = pick('percent_bps') ?? null;
  if (kind === 'percentage') {
    if (percentBps === null) problem('percent_bps', 'required', 'a percentage discount needs percent_bps');
    else if (!Number.isSafeInteger(percentBps) || percentBps < 1 || percentBps > 10_000) {
      problem('percent_bps', 'out_of_range', 'percent_bps must be 1..10000 (10000 is 100%)');
    }
  } else if (percentBps !== null) {
    problem('percent_bps', 'not_allowed', 'percent_bps is only for a percentage discount');
  }

  const amountOf = (field: string, text: string): bigint | null => {
    if (currency === null) {
      problem('currency', 'required', `${field} needs a currency`);
      return null;
    }
    const parsed = parseAmount(text, currency);
    if (parsed.ok) return parsed.minor;
    problem(field, parsed.error, `${field} is not a valid amount in ${currency}: ${parsed.error}`);
    return null;
  };
  const amountGiven = input.amount !== undefined && input.amount !== null;
  let amountMinor = current?.amount_minor ?? null;
  if (kind === 'fixed') {
    if (currency === null) problem('currency', 'required', 'a fixed discount needs a currency');
    if (input.amount !== undefined) amountMinor = amountGiven ? amountOf('amount', input.amount!) : null;
    if (!amountGiven && amountMinor === null)
      problem('amount', 'required', 'a fixed discount needs an amount');
  } else if (amountGiven) {
    problem('amount', 'not_allowed', 'amount is only for a fixed discount');
  }
  let minimumMinor = current?.minimum_subtotal_minor ?? null;
  if (input.minimum_subtotal !== undefined) {
    minimumMinor =
      input.minimum_subtotal === null ? null : amountOf('minimum_subtotal', input.minimum_subtotal);
  }

  const dateOf = (field: 'starts_at' | 'ends_at'): Date | null => {
    const text = input[field];
    if (text === undefined) return current?.[field] ?? null;
    if (text === null) return null;
    const date = new Date(text);
    if (Number.isNaN(date.getTime())) {
      problem(field, 'invalid', `${field} is not a date-time`);
      return null;
    }
    return date;
  };
  const startsAt = dateOf('starts_at');
  const endsAt = dateOf('ends_at');
  if (startsAt && endsAt && startsAt.getTime() >= endsAt.getTime()) {
    problem('ends_at', 'before_start', 'ends_at must be after starts_at');
  }

  const countOf = (field: 'max_uses' | 'max_uses_per_customer'): number | null => {
    const value = pick(field) ?? null;
    if (value !== null && (!Number.isSafeInteger(value) || value < 1 || value > MAX_USES_LIMIT)) {
      problem(field, 'out_of_range', `${field} must be 1..${MAX_USES_LIMIT}`);
      return null;
    }
    return value;
  };
  const maxUses = countOf('max_uses');
  const maxUsesPerCustomer = countOf('max_uses_per_customer');

  if (problems.length > 0) {
    const seen = new Set<string>();
    const once = problems.filter(
      (p) => !seen.has(`${p.field}\0${p.code}`) && seen.add(`${p.field}\0${p.code}`),
    );
    return { ok: false, problems: once };
  }
  return {
    ok: true,
    fields: {
      code,
      kind,
      percent_bps: kind === 'percentage' ? percentBps : null,
      amount_minor: kind === 'fixed' ? amountMinor : null,
      currency,
      minimum_subtotal_minor: minimumMinor,
      starts_at: startsAt,
      ends_at: endsAt,
      max_uses: maxUses,
      max_uses_per_customer: maxUsesPerCustomer,
      active: input.active ?? current?.active ?? true,
    },
  };
}

/** A stored discount as the rules read it. */
export interface DiscountRule extends DiscountFields {
  id: string;
  seller_id: string | null;
  uses: number;
  created_at: Date;
}

export interface CartContext {
  now: Date;
  currency: string;
  /** The goods the discount would apply to: its seller's, or the whole cart's for the platform's. */
  subtotalMinor: bigint;
  /** The buyer's redemptions of this discount that still count (not released). */
  usesByBuyer: number;
}

export type Inapplicable =
  | 'inactive'
  | 'not_started'
  | 'ended'
  | 'currency_mismatch'
  | 'below_minimum'
  | 'exhausted'
  | 'customer_limit_reached';

/**
 * Why a discount does not apply to a cart now, or undefined when it does. The window is
 * half-open: it applies from `starts_at` included until `ends_at` excluded. The minimum
 * subtotal is met at equality.
 */
export function whyInapplicable(rule: DiscountRule, cart: CartContext): Inapplicable | undefined {
  if (!rule.active) return 'inactive';
  if (rule.starts_at && cart.now.getTime() < rule.starts_at.getTime()) return 'not_started';
  if (rule.ends_at && cart.now.getTime() >= rule.ends_at.getTime()) return 'ended';
  if (rule.currency !== null && rule.currency !== cart.currency) return 'currency_mismatch';
  if (rule.minimum_subtotal_minor !== null && cart.subtotalMinor < rule.minimum_subtotal_minor) {
    return 'below_minimum';
  }
  if (rule.max_uses !== null && rule.uses >= rule.max_uses) return 'exhausted';
  if (rule.max_uses_per_customer !== null && cart.usesByBuyer >= rule.max_uses_per_customer) {
    return 'customer_limit_reached';
  }
  return undefined;
}

export type QuotedDiscount = Discount & { code: string | null };

/**
 * What pricing gets of a discount: a seller's is funded by that seller and limited to
 * their shipment; the platform's is funded by the platform, on the whole cart.
 */
export function toPricingDiscount(rule: DiscountRule): QuotedDiscount {
  const owner =
    rule.seller_id === null
      ? { id: rule.id, fundedBy: 'platform' as const }
      : { id: rule.id, fundedBy: 'seller' as const, sellerId: rule.seller_id };
  switch (rule.kind) {
    case 'percentage':
      return { ...owner, code: rule.code, kind: 'percentage', bps: rule.percent_bps! };
    case 'fixed':
      return { ...owner, code: rule.code, kind: 'fixed', amountMinor: rule.amount_minor! };
    case 'free_shipping':
      return { ...owner, code: rule.code, kind: 'free_shipping' };
  }
}

/** The order discounts apply in: the platform's first, then the oldest, then by id. */
export function compareForQuote(a: DiscountRule, b: DiscountRule): number {
  if ((a.seller_id === null) !== (b.seller_id === null)) return a.seller_id === null ? -1 : 1;
  const byTime = a.created_at.getTime() - b.created_at.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The discounts a quote gets, at most `max`: every code the buyer gave, then automatic
 * promotions in quote order while room is left, the whole in quote order. Duplicates (by
 * id) count once.
 */
export function selectForQuote(
  coded: readonly DiscountRule[],
  automatic: readonly DiscountRule[],
  max = MAX_QUOTE_DISCOUNTS,
): DiscountRule[] {
  const chosen = new Map<string, DiscountRule>();
  for (const rule of coded) if (chosen.size < max) chosen.set(rule.id, rule);
  for (const rule of [...automatic].sort(compareForQuote)) {
    if (chosen.size >= max) break;
    if (!chosen.has(rule.id)) chosen.set(rule.id, rule);
  }
  return [...chosen.values()].sort(compareForQuote);
}
