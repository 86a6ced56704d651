import { unprocessable } from '../../platform/errors.js';
import { allocateProportionally, divideHalfUp, percentOfMinor, sumMinor } from '../../platform/money.js';
import { type Destination, type ShippingRateRule, shippingFee } from '../shipping/shipping.rules.js';
import { DEFAULT_TAX_CLASS, lineTax, selectTaxRate, type TaxRateRule } from '../taxes/taxes.rules.js';

/**
 * An order's price, from its cart lines, the buyer's address, each seller's shipping
 * option, the tax rates and the discounts: pure arithmetic on bigint minor units, no I/O.
 *
 * Order of work per seller (a shipment): goods subtotal → item discounts (spread over the
 * lines in proportion to their amounts) → tax per line on what the buyer pays for it →
 * shipping, with free-above thresholds met by the discounted goods → shipping discounts.
 * Tax is rounded half up per line (see lineTax). Shipping is quoted untaxed.
 *
 * The platform collects every tax (it owes it to the tax office), takes its fee in basis
 * points of the seller's goods net of tax and of the seller's own discounts (shipping is
 * passed through), and pays for the discounts it funds. So, per shipment and in total:
 *   seller share + platform fee + tax liability = buyer total + platform-funded discounts.
 */

export type Funder = 'platform' | 'seller';

export interface QuoteLine {
  id: string;
  sellerId: string;
  unitPriceMinor: bigint;
  quantity: number;
  taxClass?: string;
}

/** A discount on the whole cart, or (with `sellerId`) on one seller's shipment. */
export type Discount = { id: string; fundedBy: Funder; sellerId?: string } & (
  { kind: 'percentage'; bps: number } | { kind: 'fixed'; amountMinor: bigint } | { kind: 'free_shipping' }
);

export interface QuoteInput {
  currency: string;
  destination: Destination;
  lines: readonly QuoteLine[];
  /** The shipping option each seller's shipment goes by, keyed by seller id. */
  shipping: Readonly<Record<string, ShippingRateRule>>;
  taxRates: readonly TaxRateRule[];
  discounts: readonly Discount[];
  platformFeeBps: number;
}

/** Who gets what of a payment: every field in minor units, none negative. */
export interface LedgerSplit {
  buyerTotalMinor: bigint;
  sellerShareMinor: bigint;
  platformFeeMinor: bigint;
  taxLiabilityMinor: bigint;
  /** What the platform pays for the discounts it funds (a debit beside the buyer's payment). */
  platformDiscountMinor: bigint;
}

export interface LineQuote {
  id: string;
  grossMinor: bigint;
  discountMinor: bigint;
  taxMinor: bigint;
  taxRateId: string | null;
}

export interface ShipmentQuote {
  sellerId: string;
  lines: LineQuote[];
  subtotalMinor: bigint;
  shippingMinor: bigint;
  /** Every tax of the shipment: `taxIncludedMinor` (inside the prices) + `taxAddedMinor` (on top). */
  taxMinor: bigint;
  taxIncludedMinor: bigint;
  taxAddedMinor: bigint;
  /** Item and shipping discounts together. */
  discountMinor: bigint;
  /** subtotal + shipping + added tax − discount. */
  totalMinor: bigint;
  split: LedgerSplit;
}

export interface TaxLine {
  rateId: string;
  rateBps: number;
  inclusive: boolean;
  /** The amounts the rate was applied to (after discounts; tax included for an inclusive rate). */
  taxableMinor: bigint;
  taxMinor: bigint;
}

export interface OrderQuote {
  currency: string;
  shipments: ShipmentQuote[];
  taxLines: TaxLine[];
  subtotalMinor: bigint;
  shippingMinor: bigint;
  taxMinor: bigint;
  discountMinor: bigint;
  totalMinor: bigint;
  split: LedgerSplit;
}

export const MAX_QUOTE_LINES = 200;
export const MAX_QUOTE_DISCOUNTS = 20;

interface Applied {
  items: Record<Funder, bigint>;
  shipping: Record<Funder, bigint>;
  freeShipping: Funder | undefined;
}

/**
 * Prices an order. Throws AppError `shipping_option_required`, `shipping_currency_mismatch`
 * or `shipping_unavailable` (422) for a shipment that cannot be shipped as chosen, and
 * RangeError for input the caller should have refused (bad quantities, rates, limits).
 */
export function quoteOrder(input: QuoteInput): OrderQuote {
  checkInput(input);
  const sellers = [...new Set(input.lines.map((line) => line.sellerId))];
  const linesOf = (sellerId: string) => input.lines.filter((line) => line.sellerId === sellerId);
  const subtotals = sellers.map((sellerId) =>
    sumMinor(linesOf(sellerId).map((line) => line.unitPriceMinor * BigInt(line.quantity))),
  );
  const applied = applyDiscounts(input.discounts, sellers, subtotals);
  const shipments = sellers.map((sellerId, index) =>
    quoteShipment(input, sellerId, linesOf(sellerId), applied[index]!),
  );
  const total = (pick: (shipment: ShipmentQuote) => bigint) => sumMinor(shipments.map(pick));
  return {
    currency: input.currency,
    shipments,
    taxLines: taxLinesOf(input.taxRates, shipments),
    subtotalMinor: total((s) => s.subtotalMinor),
    shippingMinor: total((s) => s.shippingMinor),
    taxMinor: total((s) => s.taxMinor),
    discountMinor: total((s) => s.discountMinor),
    totalMinor: total((s) => s.totalMinor),
    split: addSplits(shipments.map((s) => s.split)),
  };
}

function checkInput(input: QuoteInput): void {
  if (input.lines.length === 0 || input.lines.length > MAX_QUOTE_LINES) {
    throw new RangeError(`a quote needs 1..${MAX_QUOTE_LINES} lines`);
  }
  if (input.discounts.length > MAX_QUOTE_DISCOUNTS) {
    throw new RangeError(`at most ${MAX_QUOTE_DISCOUNTS} discounts`);
  }
  for (const line of input.lines) {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1)
      throw new RangeError('quantity must be ≥ 1');
    if (line.unitPriceMinor < 0n) throw new RangeError('a unit price must not be negative');
  }
  for (const discount of input.discounts) {
    if (discount.kind === 'fixed' && discount.amountMinor < 0n) throw new RangeError('negative discount');
  }
  if (
    !Number.isSafeInteger(input.platformFeeBps) ||
    input.platformFeeBps < 0 ||
    input.platformFeeBps > 10_000
  ) {
    throw new RangeError(`a platform fee must be 0..10000 bps, got ${input.platformFeeBps}`);
  }
}

/** Each shipment's item and shipping discounts by funder, in the order the discounts come. */
function applyDiscounts(discounts: readonly Discount[], sellers: string[], subtotals: bigint[]): Applied[] {
  const applied: Applied[] = sellers.map(() => ({
    items: { platform: 0n, seller: 0n },
    shipping: { platform: 0n, seller: 0n },
    freeShipping: undefined,
  }));
  const left = (index: number) =>
    subtotals[index]! - applied[index]!.items.platform - applied[index]!.items.seller;
  for (const discount of discounts) {
    const targets = sellers
      .map((sellerId, index) => ({ sellerId, index }))
      .filter((target) => discount.sellerId === undefined || discount.sellerId === target.sellerId);
    if (targets.length === 0) continue;
    if (discount.kind === 'free_shipping') {
      for (const { index } of targets) applied[index]!.freeShipping ??= discount.fundedBy;
      continue;
    }
    let wanted: bigint[];
    if (discount.kind === 'percentage') {
      wanted = targets.map(({ index }) => percentOfMinor(subtotals[index]!, discount.bps));
    } else {
      const weights = targets.map(({ index }) => subtotals[index]!);
      wanted = sumMinor(weights) === 0n ? weights : allocateProportionally(discount.amountMinor, weights);
    }
    targets.forEach(({ index }, at) => {
      const amount = wanted[at]! < left(index) ? wanted[at]! : left(index);
      applied[index]!.items[discount.fundedBy] += amount;
    });
  }
  return applied;
}

function quoteShipment(
  input: QuoteInput,
  sellerId: string,
  lines: QuoteLine[],
  applied: Applied,
): ShipmentQuote {
  const grosses = lines.map((line) => line.unitPriceMinor * BigInt(line.quantity));
  const subtotal = sumMinor(grosses);
  const itemDiscount = applied.items.platform + applied.items.seller;
  const lineDiscounts =
    subtotal === 0n ? grosses.map(() => 0n) : allocateProportionally(itemDiscount, grosses);
  let taxIncluded = 0n;
  let taxAdded = 0n;
  const quoted = lines.map((line, index): LineQuote => {
    const discount = lineDiscounts[index]!;
    const rate = selectTaxRate(input.taxRates, {
      country: input.destination.country,
      region: input.destination.region,
      taxClass: line.taxClass ?? DEFAULT_TAX_CLASS,
      currency: input.currency,
    });
    const tax = rate ? lineTax(grosses[index]! - discount, rate.rateBps, rate.inclusive) : 0n;
    if (rate?.inclusive) taxIncluded += tax;
    else taxAdded += tax;
    return {
      id: line.id,
      grossMinor: grosses[index]!,
      discountMinor: discount,
      taxMinor: tax,
      taxRateId: rate?.id ?? null,
    };
  });

  const option = Object.hasOwn(input.shipping, sellerId) ? input.shipping[sellerId] : undefined;
  if (!option)
    throw unprocessable('shipping_option_required', `choose a shipping option of seller ${sellerId}`);
  if (option.currency !== input.currency) {
    throw unprocessable(
      'shipping_currency_mismatch',
      `seller ${sellerId}'s shipping option is in ${option.currency}`,
    );
  }
  const shipping = shippingFee(option, input.destination, subtotal - itemDiscount);
  if (shipping === undefined) {
    throw unprocessable(
      'shipping_unavailable',
      `seller ${sellerId}'s shipping option does not ship to this address`,
    );
  }
  if (applied.freeShipping) applied.shipping[applied.freeShipping] = shipping;
  const shippingDiscount = applied.shipping.platform + applied.shipping.seller;

  const discount = itemDiscount + shippingDiscount;
  const total = subtotal + shipping + taxAdded - discount;
  const goodsNet = subtotal - taxIncluded - applied.items.seller;
  const fee = percentOfMinor(goodsNet, input.platformFeeBps);
  return {
    sellerId,
    lines: quoted,
    subtotalMinor: subtotal,
    shippingMinor: shipping,
    taxMinor: taxIncluded + taxAdded,
    taxIncludedMinor: taxIncluded,
    taxAddedMinor: taxAdded,
    discountMinor: discount,
    totalMinor: total,
    split: {
      buyerTotalMinor: total,
      sellerShareMinor: goodsNet + shipping - applied.shipping.seller - fee,
      platformFeeMinor: fee,
      taxLiabilityMinor: taxIncluded + taxAdded,
      platformDiscountMinor: applied.items.platform + applied.shipping.platform,
    },
  };
}

function taxLinesOf(rates: readonly TaxRateRule[], shipments: ShipmentQuote[]): TaxLine[] {
  const byId = new Map<string, TaxLine>();
  for (const line of shipments.flatMap((shipment) => shipment.lines)) {
    if (line.taxRateId === null) continue;
    const rate = rates.find((candidate) => candidate.id === line.taxRateId)!;
    const taxLine = byId.get(rate.id) ?? {
      rateId: rate.id,
      rateBps: rate.rateBps,
      inclusive: rate.inclusive,
      taxableMinor: 0n,
      taxMinor: 0n,
    };
    taxLine.taxableMinor += line.grossMinor - line.discountMinor;
    taxLine.taxMinor += line.taxMinor;
    byId.set(rate.id, taxLine);
  }
  return [...byId.values()];
}

/** Splits added field by field: a whole order's split from its shipments'. */
export function addSplits(splits: readonly LedgerSplit[]): LedgerSplit {
  const sum = (field: keyof LedgerSplit) => sumMinor(splits.map((split) => split[field]));
  return {
    buyerTotalMinor: sum('buyerTotalMinor'),
    sellerShareMinor: sum('sellerShareMinor'),
    platformFeeMinor: sum('platformFeeMinor'),
    taxLiabilityMinor: sum('taxLiabilityMinor'),
    platformDiscountMinor: sum('platformDiscountMinor'),
  };
}

/**
 * The part of a split a refund of `amountMinor` to the buyer reverses, in proportion to
 * what is still unrefunded (`remaining`: the original split less every earlier refund's
 * part). The platform's discount cost comes back in the same proportion (rounded half up),
 * and the refund plus it is spread over seller, fee and tax by largest remainder, so the
 * parts always balance, never exceed what remains, and refunding everything that remains
 * reverses it exactly: however a payment is refunded, the parts add up to the original.
 * @throws RangeError for an amount not within 1..remaining buyer total
 */
export function refundSplit(remaining: LedgerSplit, amountMinor: bigint): LedgerSplit {
  if (amountMinor <= 0n || amountMinor > remaining.buyerTotalMinor) {
    throw new RangeError(`a refund must be within 1..${remaining.buyerTotalMinor}`);
  }
  const discountBack =
    amountMinor === remaining.buyerTotalMinor
      ? remaining.platformDiscountMinor
      : divideHalfUp(remaining.platformDiscountMinor * amountMinor, remaining.buyerTotalMinor);
  const [seller, fee, tax] = allocateProportionally(amountMinor + discountBack, [
    remaining.sellerShareMinor,
    remaining.platformFeeMinor,
    remaining.taxLiabilityMinor,
  ]) as [bigint, bigint, bigint];
  return {
    buyerTotalMinor: amountMinor,
    sellerShareMinor: seller,
    platformFeeMinor: fee,
    taxLiabilityMinor: tax,
    platformDiscountMinor: discountBack,
  };
}
