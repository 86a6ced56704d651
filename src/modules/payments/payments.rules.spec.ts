import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURRENCY_DECIMALS } from '../../platform/money.js';
import type { EntryInput } from '../ledger/ledger.service.js';
import { isSameCheckout, priceLines, purchaseEntries, refundEntries } from './payments.rules.js';

describe('isSameCheckout', () => {
  const earlier = {
    payment_method: 'wallet',
    items: [
      { product_id: 'a', quantity: 2 },
      { product_id: 'b', quantity: 1 },
    ],
  };
  it('accepts the same lines in any order, split or merged, with the same method', () => {
    expect(
      isSameCheckout(
        {
          items: [
            { product_id: 'b', quantity: 1 },
            { product_id: 'a', quantity: 2 },
          ],
        },
        'wallet',
        earlier,
      ),
    ).toBe(true);
    expect(
      isSameCheckout(
        {
          items: [
            { product_id: 'a', quantity: 1 },
            { product_id: 'b', quantity: 1 },
            { product_id: 'a', quantity: 1 },
          ],
        },
        'wallet',
        earlier,
      ),
    ).toBe(true);
  });
  it('refuses another method, another quantity, or another product', () => {
    const same = [
      { product_id: 'a', quantity: 2 },
      { product_id: 'b', quantity: 1 },
    ];
    expect(isSameCheckout({ items: same }, 'manual', earlier)).toBe(false);
    expect(
      isSameCheckout(
        {
          items: [
            { product_id: 'a', quantity: 3 },
            { product_id: 'b', quantity: 1 },
          ],
        },
        'wallet',
        earlier,
      ),
    ).toBe(false);
    expect(isSameCheckout({ items: [{ product_id: 'a', quantity: 2 }] }, 'wallet', earlier)).toBe(false);
    expect(isSameCheckout({ items: [...same, { product_id: 'c', quantity: 1 }] }, 'wallet', earlier)).toBe(
      false,
    );
  });
});

// The rules take minor units whatever the currency; decimals only change how large those
// get. No 3-decimal currency is settled yet (CURRENCY_DECIMALS), so KWD stands in for one.
const currencies = [
  ...Object.entries(CURRENCY_DECIMALS).map(([code, decimals]) => ({ code, decimals })),
  { code: 'KWD', decimals: 3 },
];

interface Cart {
  currency: string;
  items: { seller_id: string; subtotal_minor: bigint; fee_minor: bigint }[];
  totalMinor: bigint;
}

const cart: fc.Arbitrary<Cart> = fc
  .record({
    currency: fc.constantFrom(...currencies),
    // The edges (no fee, the whole line as fee) next to any rate.
    feeBps: fc.oneof(fc.constantFrom(0, 1, 250, 9_999, 10_000), fc.integer({ min: 0, max: 10_000 })),
  })
  .chain(({ currency, feeBps }) => {
    const line = fc.record({
      seller: fc.integer({ min: 0, max: 5 }),
      quantity: fc.integer({ min: 1, max: 5 }),
      // Tiny prices too, where fees of a unit or none and rounding ties are common.
      unitPriceMinor: fc.oneof(
        fc.bigInt({ min: 1n, max: 100n }),
        fc.bigInt({ min: 1n, max: 100_000n * 10n ** BigInt(currency.decimals) }),
      ),
    });
    // Short carts half the time: a one-unit fee or net rarely survives in a long one.
    return fc
      .oneof(fc.array(line, { minLength: 1, maxLength: 2 }), fc.array(line, { minLength: 1, maxLength: 8 }))
      .map((lines) => {
        const priced = priceLines(
          lines.map((line, i) => ({
            productId: `product-${i}`,
            sellerId: `seller-${line.seller}`,
            name: `Product ${i}`,
            quantity: line.quantity,
            unitPriceMinor: line.unitPriceMinor,
          })),
          feeBps,
        );
        const items = priced.map((line) => ({
          seller_id: line.sellerId,
          subtotal_minor: line.subtotalMinor,
          fee_minor: line.feeMinor,
        }));
        const totalMinor = items.reduce((sum, item) => sum + item.subtotal_minor, 0n);
        return { currency: currency.code, items, totalMinor };
      });
  });

const payerOf = (currency: string): EntryInput['account'] => ({
  kind: 'user_wallet',
  ownerId: 'buyer',
  currency,
});
const keyOf = (account: EntryInput['account']) => `${account.kind}:${account.ownerId ?? ''}`;
const sum = (entries: readonly EntryInput[], direction: EntryInput['direction']) =>
  entries.filter((e) => e.direction === direction).reduce((total, e) => total + e.amountMinor, 0n);
/** Amounts per account on one side; the buyer is left out (as payer it is on the other). */
const byAccount = (entries: readonly EntryInput[], direction: EntryInput['direction']) => {
  const amounts = new Map<string, bigint>();
  for (const entry of entries.filter((e) => e.direction === direction && e.account.ownerId !== 'buyer'))
    amounts.set(keyOf(entry.account), (amounts.get(keyOf(entry.account)) ?? 0n) + entry.amountMinor);
  return amounts;
};
const expectBalanced = (entries: readonly EntryInput[], amountMinor: bigint) => {
  expect(sum(entries, 'debit')).toBe(amountMinor);
  expect(sum(entries, 'credit')).toBe(amountMinor);
  expect(entries.every((entry) => entry.amountMinor > 0n)).toBe(true);
};

/** A cart, and its total cut into 1 to 6 positive refunds (a total of 1 cannot be cut). */
const cartAndRefunds = cart.chain((c) =>
  (c.totalMinor > 1n
    ? fc.uniqueArray(fc.bigInt({ min: 1n, max: c.totalMinor - 1n }), { maxLength: 5 })
    : fc.constant<bigint[]>([])
  ).map((cuts) => {
    const points = [0n, ...cuts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), c.totalMinor];
    return { cart: c, refunds: points.slice(1).map((point, i) => point - points[i]!) };
  }),
);

describe('purchaseEntries', () => {
  it('balances: the payer pays the total, each seller their lines less fees, the platform the fees', () => {
    fc.assert(
      fc.property(cart, ({ currency, items, totalMinor }) => {
        const entries = purchaseEntries(payerOf(currency), items, currency);
        expectBalanced(entries, totalMinor);
        expect(entries[0]).toEqual({
          account: payerOf(currency),
          direction: 'debit',
          amountMinor: totalMinor,
        });
        const expected = new Map<string, bigint>();
        const add = (key: string, amount: bigint) => {
          if (amount > 0n) expected.set(key, (expected.get(key) ?? 0n) + amount);
        };
        for (const item of items) {
          add(`user_wallet:${item.seller_id}`, item.subtotal_minor - item.fee_minor);
          add('platform_fees:', item.fee_minor);
        }
        expect(byAccount(entries, 'credit')).toEqual(expected);
        expect(entries.every((entry) => entry.account.currency === currency)).toBe(true);
      }),
      // Cheap, and a fee or a net of exactly one unit is rare: look harder.
      { numRuns: 1_000 },
    );
  });
});

describe('refundEntries', () => {
  it('balances any refund and takes from each account its exact share, within one minor unit', () => {
    const cartAndAmount = cart.chain((c) =>
      fc.record({ cart: fc.constant(c), refund: fc.bigInt({ min: 1n, max: c.totalMinor }) }),
    );
    fc.assert(
      fc.property(cartAndAmount, ({ cart: { currency, items, totalMinor }, refund }) => {
        const got = byAccount(purchaseEntries(payerOf(currency), items, currency), 'credit');
        const entries = refundEntries(payerOf(currency), items, currency, refund);
        expectBalanced(entries, refund);
        const back = byAccount(entries, 'debit');
        for (const key of back.keys()) expect(got.has(key)).toBe(true);
        for (const [key, share] of got) {
          // |back − refund·share/total| < 1, in integers.
          const error = (back.get(key) ?? 0n) * totalMinor - refund * share;
          expect(error < totalMinor && -error < totalMinor).toBe(true);
        }
      }),
    );
  });

  it('reverses every account exactly on a full refund', () => {
    fc.assert(
      fc.property(cart, ({ currency, items, totalMinor }) => {
        const got = byAccount(purchaseEntries(payerOf(currency), items, currency), 'credit');
        const entries = refundEntries(payerOf(currency), items, currency, totalMinor);
        expect(byAccount(entries, 'debit')).toEqual(got);
      }),
    );
  });

  it('reverses every account exactly over partial refunds adding up to the total, never more', () => {
    fc.assert(
      fc.property(cartAndRefunds, ({ cart: { currency, items }, refunds }) => {
        const got = byAccount(purchaseEntries(payerOf(currency), items, currency), 'credit');
        const earlier: EntryInput[] = [];
        for (const refund of refunds) {
          const entries = refundEntries(payerOf(currency), items, currency, refund, earlier);
          expectBalanced(entries, refund);
          earlier.push(...entries);
          for (const [key, back] of byAccount(earlier, 'debit'))
            expect(back <= (got.get(key) ?? 0n)).toBe(true);
        }
        expect(byAccount(earlier, 'debit')).toEqual(got);
      }),
    );
  });

  it('shares two single-unit refunds between two sellers of one unit each, one each', () => {
    const items = ['a', 'b'].map((seller_id) => ({ seller_id, subtotal_minor: 1n, fee_minor: 0n }));
    const first = refundEntries(payerOf('IDR'), items, 'IDR', 1n);
    const second = refundEntries(payerOf('IDR'), items, 'IDR', 1n, first);
    expect(byAccount([...first, ...second], 'debit')).toEqual(
      new Map([
        ['user_wallet:a', 1n],
        ['user_wallet:b', 1n],
      ]),
    );
  });

  it('refuses a refund beyond what is left to reverse', () => {
    fc.assert(
      fc.property(cart, fc.bigInt({ min: 1n, max: 10n ** 6n }), ({ currency, items, totalMinor }, over) => {
        const payer = payerOf(currency);
        expect(() => refundEntries(payer, items, currency, totalMinor + over)).toThrow(RangeError);
        const full = refundEntries(payer, items, currency, totalMinor);
        expect(() => refundEntries(payer, items, currency, over, full)).toThrow(RangeError);
        expect(() => refundEntries(payer, items, currency, 0n)).toThrow(RangeError);
      }),
    );
  });
});

describe('refundEntries of priced orders (tax owed, discounts the platform funds)', () => {
  const shipment = fc
    .record({
      seller: fc.integer({ min: 0, max: 3 }),
      total: fc.bigInt({ min: 1n, max: 10n ** 9n }),
      feePart: fc.integer({ min: 0, max: 100 }),
      taxPart: fc.integer({ min: 0, max: 100 }),
      platformDiscount: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 10n ** 8n })),
    })
    .map(({ seller, total, feePart, taxPart, platformDiscount }) => {
      const tax = (total * BigInt(taxPart)) / 200n;
      const fee = ((total - tax) * BigInt(feePart)) / 100n;
      return {
        seller_id: `seller-${seller}`,
        subtotal_minor: total,
        fee_minor: fee,
        tax_minor: tax,
        platform_discount_minor: platformDiscount,
      };
    });
  const order = fc.array(shipment, { minLength: 1, maxLength: 4 }).chain((lines) => {
    const total = lines.reduce((sum, line) => sum + line.subtotal_minor, 0n);
    const cuts =
      total > 1n
        ? fc.uniqueArray(fc.bigInt({ min: 1n, max: total - 1n }), { maxLength: 4 })
        : fc.constant<bigint[]>([]);
    return cuts.map((points) => {
      const sorted = [0n, ...points.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), total];
      return { lines, total, refunds: sorted.slice(1).map((point, i) => point - sorted[i]!) };
    });
  });

  it('posts the tax to the tax account and the funded discount from the platform, balanced', () => {
    fc.assert(
      fc.property(order, ({ lines, total }) => {
        const entries = purchaseEntries(payerOf('IDR'), lines, 'IDR');
        const debits = byAccount(entries, 'debit');
        const credits = byAccount(entries, 'credit');
        expect(sum(entries, 'debit')).toBe(sum(entries, 'credit'));
        expect(entries[0]).toMatchObject({ direction: 'debit', amountMinor: total });
        const tax = lines.reduce((acc, line) => acc + line.tax_minor, 0n);
        expect(credits.get('tax_liability:') ?? 0n).toBe(tax);
        const funded = lines.reduce((acc, line) => acc + line.platform_discount_minor, 0n);
        expect(debits.get('platform_discounts:') ?? 0n).toBe(funded);
      }),
    );
  });

  it('gives every account back exactly what it moved once the refunds add up to the total', () => {
    fc.assert(
      fc.property(order, ({ lines, refunds }) => {
        const purchase = purchaseEntries(payerOf('IDR'), lines, 'IDR').slice(1);
        const earlier: EntryInput[] = [];
        for (const refund of refunds) {
          const entries = refundEntries(payerOf('IDR'), lines, 'IDR', refund, earlier);
          expect(sum(entries, 'debit')).toBe(sum(entries, 'credit'));
          expect(entries.at(-1)).toEqual({
            account: payerOf('IDR'),
            direction: 'credit',
            amountMinor: refund,
          });
          earlier.push(...entries);
          for (const [key, back] of byAccount(earlier, 'debit'))
            expect(back <= (byAccount(purchase, 'credit').get(key) ?? 0n)).toBe(true);
        }
        expect(byAccount(earlier, 'debit')).toEqual(byAccount(purchase, 'credit'));
        const creditsBack = byAccount(earlier, 'credit');
        expect(creditsBack.get('platform_discounts:') ?? 0n).toBe(
          byAccount(purchase, 'debit').get('platform_discounts:') ?? 0n,
        );
      }),
    );
  });
});
