import type { Kysely, Transaction } from 'kysely';
import { unprocessable } from '../../platform/errors.js';
import { type Destination, type ShippingRateRule, shippingFee } from '../shipping/shipping.rules.js';
import type { TaxRateRule } from '../taxes/taxes.rules.js';
import { type Discount, type OrderQuote, type QuoteLine, quoteOrder } from './pricing.rules.js';

/** What a priced order asks for: where it goes, how sellers ship it, which codes it uses. */
export interface PricingRequest {
  /** One of the buyer's own addresses. */
  shippingAddressId: string;
  /** The shipping option chosen per seller; a seller left out ships by its cheapest option. */
  shippingOptionIds: Readonly<Record<string, string>>;
  discountCodes: readonly string[];
}

export type AppliedDiscount = Discount & { code: string | null };

/** Discounts as the pricing asks for them and a checkout takes them (the discounts module). */
export interface DiscountSource {
  resolve(
    db: Kysely<object> | Transaction<object>,
    input: {
      codes: string[];
      buyerId: string;
      currency: string;
      subtotalsBySeller: Map<string, bigint>;
      now: Date;
    },
  ): Promise<{ discounts: AppliedDiscount[] }>;
  /** Takes one use of each, inside the checkout's transaction; throws when one is used up. */
  redeem(
    trx: Transaction<object>,
    input: { discountIds: string[]; buyerId: string; paymentId: string },
  ): Promise<void>;
}

/** The other modules a quote reads, wired by the composition root. */
export interface PricingSources {
  /** The buyer's address, or undefined when it is not one of theirs. */
  destination(buyerId: string, addressId: string): Promise<Destination | undefined>;
  shippingOptions(sellerId: string): Promise<{ id: string; rule: ShippingRateRule }[]>;
  taxRates(country: string): Promise<TaxRateRule[]>;
  discounts?: DiscountSource;
}

export interface PricingInput {
  buyerId: string;
  currency: string;
  lines: readonly QuoteLine[];
  request: PricingRequest;
}

/** What a quote reads from other modules, read once before a checkout's transaction. */
export interface PreparedPricing {
  currency: string;
  destination: Destination;
  options: ReadonlyMap<string, readonly { id: string; rule: ShippingRateRule }[]>;
  chosen: Readonly<Record<string, string>>;
  taxRates: readonly TaxRateRule[];
  discounts: AppliedDiscount[];
}

/** A quoted order and the choices it was quoted with, as a checkout records them. */
export interface PricedOrder {
  quote: OrderQuote;
  destination: Destination;
  /** The option each seller ships by; null for a seller with no options (shipping included). */
  shippingOptionIds: Record<string, string | null>;
  discounts: AppliedDiscount[];
}

// A seller who set no shipping options ships at no charge (its prices include shipping).
const NO_CHARGE = (currency: string): ShippingRateRule => ({
  kind: 'flat',
  currency,
  amountMinor: 0n,
  freeAboveMinor: null,
  regions: [],
});

/**
 * Prices an order the way a cart shows it and its checkout charges it: the buyer's address,
 * each seller's shipping option (chosen, or the cheapest that ships there), the tax rates of
 * the destination and the discounts that apply, through the pure quoteOrder.
 */
export class OrderPricing {
  constructor(
    private readonly db: Kysely<object>,
    private readonly sources: PricingSources,
    private readonly feeBps: number,
  ) {}

  /** Whether discount codes can be taken (the discounts module is wired). */
  get takesDiscounts(): boolean {
    return this.sources.discounts !== undefined;
  }

  /** The buyer's address as a destination, or undefined when it is not one of theirs. */
  destination(buyerId: string, addressId: string): Promise<Destination | undefined> {
    return this.sources.destination(buyerId, addressId);
  }

  /** A seller's shipping options as quotes read them. */
  shippingOptions(sellerId: string): Promise<{ id: string; rule: ShippingRateRule }[]> {
    return this.sources.shippingOptions(sellerId);
  }

  /**
   * Checks discount codes against a cart as it is now, as a checkout would take them.
   * @throws the codes' errors, `discounts_unavailable` (422)
   */
  async checkCodes(input: {
    buyerId: string;
    currency: string;
    lines: readonly QuoteLine[];
    codes: readonly string[];
  }): Promise<void> {
    const subtotals = subtotalsBySeller(input.lines);
    await this.discountsFor(
      { shippingAddressId: '', shippingOptionIds: {}, discountCodes: input.codes },
      { buyerId: input.buyerId, currency: input.currency, subtotals },
    );
  }

  /**
   * Takes one use of each discount a checkout applied, in its transaction.
   * @throws `discount_exhausted`, `discount_limit_reached` (409)
   */
  async redeem(
    trx: Transaction<object>,
    input: { discountIds: string[]; buyerId: string; paymentId: string },
  ) {
    if (input.discountIds.length === 0) return;
    if (!this.sources.discounts)
      throw unprocessable('discounts_unavailable', 'discount codes are not taken here');
    await this.sources.discounts.redeem(trx, input);
  }

  /** Prepares and quotes at once: what a cart shows. */
  async price(input: PricingInput): Promise<PricedOrder> {
    return this.quoteWith(await this.prepare(input), input.lines);
  }

  /**
   * Reads what a quote needs (the address, the sellers' options, the tax rates, the
   * discounts), outside any transaction: a checkout prepares before it opens its own and
   * quotes inside it, at the prices it charges, with quoteWith.
   * @throws `address_not_found` (422), `discounts_unavailable` (422), and the discount codes' errors
   */
  async prepare(input: PricingInput): Promise<PreparedPricing> {
    const { buyerId, currency, lines, request } = input;
    const destination = await this.sources.destination(buyerId, request.shippingAddressId);
    if (!destination) throw unprocessable('address_not_found', 'the shipping address is not one of yours');
    const subtotals = subtotalsBySeller(lines);
    const sellers = [...subtotals.keys()];
    const [options, taxRates, discounts] = await Promise.all([
      Promise.all(sellers.map((sellerId) => this.sources.shippingOptions(sellerId))),
      this.sources.taxRates(destination.country),
      this.discountsFor(request, { buyerId, currency, subtotals }),
    ]);
    return {
      currency,
      destination,
      options: new Map(sellers.map((sellerId, index) => [sellerId, options[index]!])),
      chosen: request.shippingOptionIds,
      taxRates,
      discounts,
    };
  }

  /**
   * The quote of `lines` with what was prepared: pure, so it runs inside a checkout's
   * transaction. @throws `shipping_option_invalid`, `shipping_unavailable`, `shipping_currency_mismatch` (422)
   */
  quoteWith(prepared: PreparedPricing, lines: readonly QuoteLine[]): PricedOrder {
    const { currency, destination } = prepared;
    const subtotals = subtotalsBySeller(lines);
    const shipping: Record<string, ShippingRateRule> = {};
    const chosen: Record<string, string | null> = {};
    for (const [sellerId, goodsMinor] of subtotals) {
      const pick = pickOption(prepared.options.get(sellerId) ?? [], prepared.chosen[sellerId], {
        sellerId,
        currency,
        destination,
        goodsMinor,
      });
      shipping[sellerId] = pick?.rule ?? NO_CHARGE(currency);
      chosen[sellerId] = pick?.id ?? null;
    }
    const quote = quoteOrder({
      currency,
      destination,
      lines,
      shipping,
      taxRates: prepared.taxRates,
      discounts: prepared.discounts,
      platformFeeBps: this.feeBps,
    });
    return { quote, destination, shippingOptionIds: chosen, discounts: prepared.discounts };
  }

  private async discountsFor(
    request: PricingRequest,
    cart: { buyerId: string; currency: string; subtotals: Map<string, bigint> },
  ): Promise<AppliedDiscount[]> {
    const source = this.sources.discounts;
    if (!source) {
      if (request.discountCodes.length > 0)
        throw unprocessable('discounts_unavailable', 'discount codes are not taken here');
      return [];
    }
    const { discounts } = await source.resolve(this.db, {
      codes: [...request.discountCodes],
      buyerId: cart.buyerId,
      currency: cart.currency,
      subtotalsBySeller: cart.subtotals,
      now: new Date(),
    });
    return discounts;
  }
}

function subtotalsBySeller(lines: readonly QuoteLine[]): Map<string, bigint> {
  const subtotals = new Map<string, bigint>();
  for (const line of lines) {
    const amount = line.unitPriceMinor * BigInt(line.quantity);
    subtotals.set(line.sellerId, (subtotals.get(line.sellerId) ?? 0n) + amount);
  }
  return subtotals;
}

/**
 * The option a seller's shipment goes by: the one chosen (it must be the seller's and ship
 * there), else the cheapest that ships there; undefined when the seller has no options.
 * @throws `shipping_option_invalid`, `shipping_unavailable` (422)
 */
function pickOption(
  options: readonly { id: string; rule: ShippingRateRule }[],
  chosenId: string | undefined,
  context: { sellerId: string; currency: string; destination: Destination; goodsMinor: bigint },
): { id: string; rule: ShippingRateRule } | undefined {
  if (chosenId !== undefined) {
    const chosen = options.find((option) => option.id === chosenId);
    if (!chosen)
      throw unprocessable(
        'shipping_option_invalid',
        `${chosenId} is not a shipping option of seller ${context.sellerId}`,
      );
    return chosen;
  }
  if (options.length === 0) return undefined;
  let best: { id: string; rule: ShippingRateRule; fee: bigint } | undefined;
  for (const option of options) {
    if (option.rule.currency !== context.currency) continue;
    const fee = shippingFee(option.rule, context.destination, context.goodsMinor);
    if (fee !== undefined && (best === undefined || fee < best.fee)) best = { ...option, fee };
  }
  if (!best)
    throw unprocessable('shipping_unavailable', `seller ${context.sellerId} does not ship to this address`);
  return { id: best.id, rule: best.rule };
}
