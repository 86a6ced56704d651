import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ShippingRateRule } from '../shipping/shipping.rules.js';
import type { TaxRateRule } from '../taxes/taxes.rules.js';
import {
  type Discount,
  type LedgerSplit,
  type QuoteInput,
  quoteOrder,
  refundSplit,
} from './pricing.rules.js';

const ppn: TaxRateRule = {
  id: 'ppn',
  country: 'ID',
  region: null,
  taxClass: 'standard',
  rateBps: 1100,
  inclusive: true,
  currency: 'IDR',
};
const flat = (amountMinor: bigint): ShippingRateRule => ({
  kind: 'flat',
  currency: 'IDR',
  amountMinor,
  freeAboveMinor: null,
  regions: [],
});

const base = (over: Partial<QuoteInput> = {}): QuoteInput => ({
  currency: 'IDR',
  destination: { country: 'ID', region: 'Jawa Barat' },
  lines: [{ id: 'l1', sellerId: 's1', unitPriceMinor: 111_000n, quantity: 1 }],
  shipping: { s1: flat(10_000n) },
  taxRates: [ppn],
  discounts: [],
  platformFeeBps: 500,
  ...over,
});

const balances = (split: LedgerSplit) =>
  split.sellerShareMinor + split.platformFeeMinor + split.taxLiabilityMinor ===
  split.buyerTotalMinor + split.platformDiscountMinor;

describe('quoteOrder', () => {
  it('extracts an inclusive PPN from the price and keeps the buyer total at the listed price', () => {
    const quote = quoteOrder(base());
    const shipment = quote.shipments[0]!;
    // 111000 × 1100 / 11100 = 11000 exactly.
    expect(shipment.taxIncludedMinor).toBe(11_000n);
    expect(shipment.totalMinor).toBe(121_000n);
    expect(quote.taxLines).toEqual([
      { rateId: 'ppn', rateBps: 1100, inclusive: true, taxableMinor: 111_000n, taxMinor: 11_000n },
    ]);
    // Fee: 5% of the goods net of tax (100000); shipping passes through to the seller.
    expect(shipment.split).toEqual({
      buyerTotalMinor: 121_000n,
      sellerShareMinor: 100_000n - 5_000n + 10_000n,
      platformFeeMinor: 5_000n,
      taxLiabilityMinor: 11_000n,
      platformDiscountMinor: 0n,
    });
  });

  it('adds an exclusive tax on top of the discounted price, rounded half up per line', () => {
    const rate = { ...ppn, id: 'sales', country: 'US', rateBps: 725, inclusive: false, currency: null };
    const quote = quoteOrder(
      base({
        currency: 'IDR',
        destination: { country: 'US' },
        lines: [
          { id: 'a', sellerId: 's1', unitPriceMinor: 1_000n, quantity: 2 },
          { id: 'b', sellerId: 's1', unitPriceMinor: 1_002n, quantity: 1 },
        ],
        taxRates: [rate],
      }),
    );
    // 2000 × 7.25% = 145; 1002 × 7.25% = 72.645 → 73.
    expect(quote.shipments[0]!.lines.map((line) => line.taxMinor)).toEqual([145n, 73n]);
    expect(quote.totalMinor).toBe(3_002n + 10_000n + 218n);
  });

  it('gives free shipping from the threshold, measured after discounts', () => {
    const option: ShippingRateRule = { ...flat(9_000n), kind: 'free_above', freeAboveMinor: 100_000n };
    expect(quoteOrder(base({ shipping: { s1: option } })).shippingMinor).toBe(0n);
    const discounted = quoteOrder(
      base({
        shipping: { s1: option },
        discounts: [{ id: 'd', kind: 'fixed', amountMinor: 20_000n, fundedBy: 'seller' }],
      }),
    );
    expect(discounted.shippingMinor).toBe(9_000n);
  });

  it('refuses a destination the chosen option does not ship to', () => {
    const option: ShippingRateRule = {
      kind: 'per_region',
      currency: 'IDR',
      amountMinor: null,
      freeAboveMinor: null,
      regions: [{ country: 'ID', region: 'Bali', amountMinor: 5_000n }],
    };
    expect(() => quoteOrder(base({ shipping: { s1: option } }))).toThrow(
      expect.objectContaining({ code: 'shipping_unavailable' }),
    );
    expect(() => quoteOrder(base({ shipping: {} }))).toThrow(
      expect.objectContaining({ code: 'shipping_option_required' }),
    );
    expect(() => quoteOrder(base({ shipping: { s1: { ...flat(1n), currency: 'USD' } } }))).toThrow(
      expect.objectContaining({ code: 'shipping_currency_mismatch' }),
    );
  });

  it('spreads a cart-wide fixed discount over the sellers by their subtotals', () => {
    const quote = quoteOrder(
      base({
        lines: [
          { id: 'a', sellerId: 's1', unitPriceMinor: 30_000n, quantity: 1 },
          { id: 'b', sellerId: 's2', unitPriceMinor: 10_000n, quantity: 1 },
        ],
        shipping: { s1: flat(0n), s2: flat(0n) },
        discounts: [{ id: 'd', kind: 'fixed', amountMinor: 4_000n, fundedBy: 'platform' }],
      }),
    );
    expect(quote.shipments.map((s) => s.discountMinor)).toEqual([3_000n, 1_000n]);
    expect(quote.split.platformDiscountMinor).toBe(4_000n);
  });
});

const arbitraryDiscount = (sellers: string[]): fc.Arbitrary<Discount> =>
  fc
    .record({
      id: fc.uuid(),
      fundedBy: fc.constantFrom('platform' as const, 'seller' as const),
      sellerId: fc.option(fc.constantFrom(...sellers), { nil: undefined }),
      variant: fc.oneof(
        fc.record({ kind: fc.constant('percentage' as const), bps: fc.integer({ min: 0, max: 10_000 }) }),
        fc.record({ kind: fc.constant('fixed' as const), amountMinor: fc.bigInt(0n, 2_000_000n) }),
        fc.record({ kind: fc.constant('free_shipping' as const) }),
      ),
    })
    .map(({ variant, sellerId, ...rest }) => ({ ...rest, ...variant, ...(sellerId ? { sellerId } : {}) }));

const sellers = ['s1', 's2', 's3'];
const arbitraryQuote: fc.Arbitrary<QuoteInput> = fc.record({
  currency: fc.constant('IDR'),
  destination: fc.record({ country: fc.constantFrom('ID', 'US'), region: fc.constantFrom('Bali', null) }),
  lines: fc.array(
    fc.record({
      id: fc.uuid(),
      sellerId: fc.constantFrom(...sellers),
      unitPriceMinor: fc.bigInt(0n, 5_000_000n),
      quantity: fc.integer({ min: 1, max: 50 }),
      taxClass: fc.constantFrom('standard', 'food'),
    }),
    { minLength: 1, maxLength: 12 },
  ),
  shipping: fc.record({
    s1: fc.bigInt(0n, 100_000n).map(flat),
    s2: fc
      .bigInt(0n, 100_000n)
      .map((amount) => ({ ...flat(amount), kind: 'free_above' as const, freeAboveMinor: 50_000n })),
    s3: fc.constant(flat(0n)),
  }),
  taxRates: fc.constant<TaxRateRule[]>([
    ppn,
    { ...ppn, id: 'food', taxClass: 'food', rateBps: 0 },
    { ...ppn, id: 'bali', region: 'Bali', rateBps: 1250, inclusive: false, currency: null },
    { ...ppn, id: 'us', country: 'US', rateBps: 999, inclusive: false, currency: null },
  ]),
  discounts: fc.array(arbitraryDiscount(sellers), { maxLength: 5 }),
  platformFeeBps: fc.integer({ min: 0, max: 10_000 }),
});

describe('quoteOrder for any cart', () => {
  it('balances every split: seller + fee + tax = buyer total + platform-funded discounts', () => {
    fc.assert(
      fc.property(arbitraryQuote, (input) => {
        const quote = quoteOrder(input);
        expect(quote.shipments.every((s) => balances(s.split))).toBe(true);
        expect(balances(quote.split)).toBe(true);
      }),
    );
  });

  it('totals lines + shipping + added tax − discounts, and nothing is negative', () => {
    fc.assert(
      fc.property(arbitraryQuote, (input) => {
        const quote = quoteOrder(input);
        for (const s of quote.shipments) {
          expect(s.totalMinor).toBe(s.subtotalMinor + s.shippingMinor + s.taxAddedMinor - s.discountMinor);
          for (const value of [...Object.values(s.split), s.taxMinor, s.discountMinor, s.shippingMinor]) {
            expect(value >= 0n).toBe(true);
          }
        }
        expect(quote.totalMinor).toBe(quote.split.buyerTotalMinor);
        const taxed = quote.taxLines.reduce((sum, line) => sum + line.taxMinor, 0n);
        expect(taxed).toBe(quote.taxMinor);
      }),
    );
  });

  it('never lowers a seller’s share for a discount the platform funds', () => {
    fc.assert(
      fc.property(arbitraryQuote, arbitraryDiscount(sellers), (input, extra) => {
        const without = quoteOrder(input);
        const withIt = quoteOrder({
          ...input,
          discounts: [...input.discounts, { ...extra, fundedBy: 'platform' }],
        });
        without.shipments.forEach((shipment, index) => {
          expect(withIt.shipments[index]!.split.sellerShareMinor >= shipment.split.sellerShareMinor).toBe(
            true,
          );
        });
      }),
    );
  });
});

describe('refundSplit', () => {
  it('reverses the whole split when the whole amount is refunded', () => {
    fc.assert(
      fc.property(arbitraryQuote, (input) => {
        const { split } = quoteOrder(input);
        fc.pre(split.buyerTotalMinor > 0n);
        expect(refundSplit(split, split.buyerTotalMinor)).toEqual(split);
      }),
    );
  });

  it('adds up to the original split over any sequence of partial refunds, each balanced', () => {
    fc.assert(
      fc.property(
        arbitraryQuote,
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 6 }),
        (input, cuts) => {
          const { split } = quoteOrder(input);
          fc.pre(split.buyerTotalMinor > 0n);
          let remaining = split;
          for (const cut of cuts) {
            const amount = (remaining.buyerTotalMinor * BigInt(cut)) / 1000n;
            if (amount === 0n) continue;
            const part = refundSplit(remaining, amount);
            expect(balances(part)).toBe(true);
            remaining = subtract(remaining, part);
            expect(Object.values(remaining).every((value) => value >= 0n)).toBe(true);
          }
          if (remaining.buyerTotalMinor > 0n)
            remaining = subtract(remaining, refundSplit(remaining, remaining.buyerTotalMinor));
          expect(remaining).toEqual({
            buyerTotalMinor: 0n,
            sellerShareMinor: 0n,
            platformFeeMinor: 0n,
            taxLiabilityMinor: 0n,
            platformDiscountMinor: 0n,
          });
        },
      ),
    );
  });

  it('refuses nothing or more than remains', () => {
    const { split } = quoteOrder(base());
    expect(() => refundSplit(split, 0n)).toThrow(RangeError);
    expect(() => refundSplit(split, split.buyerTotalMinor + 1n)).toThrow(RangeError);
  });
});

function subtract(a: LedgerSplit, b: LedgerSplit): LedgerSplit {
  return {
    buyerTotalMinor: a.buyerTotalMinor - b.buyerTotalMinor,
    sellerShareMinor: a.sellerShareMinor - b.sellerShareMinor,
    platformFeeMinor: a.platformFeeMinor - b.platformFeeMinor,
    taxLiabilityMinor: a.taxLiabilityMinor - b.taxLiabilityMinor,
    platformDiscountMinor: a.platformDiscountMinor - b.platformDiscountMinor,
  };
}
