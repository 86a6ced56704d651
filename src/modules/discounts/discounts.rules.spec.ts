import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_QUOTE_DISCOUNTS } from '../pricing/pricing.rules.js';
import {
  compareForQuote,
  type DiscountFields,
  type DiscountRule,
  normalizeCode,
  parseDiscountInput,
  selectForQuote,
  toPricingDiscount,
  whyInapplicable,
} from './discounts.rules.js';

const fields = (over: Partial<DiscountFields> = {}): DiscountFields => ({
  code: null,
  kind: 'percentage',
  percent_bps: 1000,
  amount_minor: null,
  currency: null,
  minimum_subtotal_minor: null,
  starts_at: null,
  ends_at: null,
  max_uses: null,
  max_uses_per_customer: null,
  active: true,
  ...over,
});

let counter = 0;
const rule = (over: Partial<DiscountRule> = {}): DiscountRule => {
  counter += 1;
  return {
    ...fields(),
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    seller_id: null,
    uses: 0,
    created_at: new Date('2026-01-01T00:00:00Z'),
    ...over,
  };
};

const problemsOf = (result: ReturnType<typeof parseDiscountInput>) =>
  result.ok ? [] : result.problems.map((p) => `${p.field}:${p.code}`);

describe('normalizeCode', () => {
  it('trims and upper-cases a code', () => {
    expect(normalizeCode('  summer-10 ')).toBe('SUMMER-10');
    expect(normalizeCode('a_b')).toBe('A_B');
  });

  it('refuses codes too short, too long, with a leading separator or other characters', () => {
    for (const bad of ['', 'ab', '-ABC', '_ABC', 'A B C', 'DISKON%', 'ÄBC', 'A'.repeat(33)]) {
      expect(normalizeCode(bad)).toBeUndefined();
    }
    expect(normalizeCode('A'.repeat(32))).toBe('A'.repeat(32));
  });

  it('gives every accepted code in its own normal form, so looking it up twice finds the same row', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const code = normalizeCode(text);
        if (code === undefined) return;
        expect(code).toMatch(/^[A-Z0-9][A-Z0-9_-]{2,31}$/);
        expect(normalizeCode(code)).toBe(code);
        expect(normalizeCode(code.toLowerCase())).toBe(code);
      }),
    );
  });
});

describe('parseDiscountInput', () => {
  it('reads a percentage code, upper-casing code and currency', () => {
    const parsed = parseDiscountInput({
      code: 'hemat10',
      kind: 'percentage',
      percent_bps: 1000,
      currency: 'idr',
    });
    expect(parsed).toEqual({ ok: true, fields: fields({ code: 'HEMAT10', currency: 'IDR' }) });
  });

  it('reads a fixed amount in the currency’s minor units', () => {
    const parsed = parseDiscountInput({
      kind: 'fixed',
      amount: '12.50',
      currency: 'USD',
      minimum_subtotal: '100',
    });
    expect(parsed.ok && parsed.fields).toMatchObject({
      kind: 'fixed',
      percent_bps: null,
      amount_minor: 1250n,
      minimum_subtotal_minor: 10000n,
      currency: 'USD',
    });
  });

  it('needs the fields of its kind and refuses those of another', () => {
    expect(problemsOf(parseDiscountInput({ kind: 'percentage' }))).toEqual(['percent_bps:required']);
    expect(problemsOf(parseDiscountInput({ kind: 'fixed', currency: 'IDR' }))).toEqual(['amount:required']);
    expect(problemsOf(parseDiscountInput({ kind: 'fixed', amount: '1000' }))).toEqual(['currency:required']);
    expect(problemsOf(parseDiscountInput({ kind: 'free_shipping', percent_bps: 10 }))).toEqual([
      'percent_bps:not_allowed',
    ]);
    expect(
      problemsOf(parseDiscountInput({ kind: 'percentage', percent_bps: 5, amount: '1', currency: 'IDR' })),
    ).toEqual(['amount:not_allowed']);
    expect(problemsOf(parseDiscountInput({} as never))).toEqual(['kind:required']);
  });

  it('names every bad field at once', () => {
    const parsed = parseDiscountInput({
      code: 'x',
      kind: 'fixed',
      amount: '1.5',
      currency: 'IDR',
      minimum_subtotal: '-3',
      starts_at: '2026-02-01T00:00:00Z',
      ends_at: '2026-01-01T00:00:00Z',
      max_uses: 0,
      max_uses_per_customer: 1.5,
    });
    expect(problemsOf(parsed)).toEqual([
      'code:invalid',
      'amount:too_many_decimals',
      'minimum_subtotal:not_positive',
      'ends_at:before_start',
      'max_uses:out_of_range',
      'max_uses_per_customer:out_of_range',
    ]);
  });

  it('refuses an unsupported currency, a minimum without a currency, bad dates and out-of-range rates', () => {
    expect(problemsOf(parseDiscountInput({ kind: 'free_shipping', currency: 'XXX' }))).toEqual([
      'currency:unsupported_currency',
    ]);
    expect(problemsOf(parseDiscountInput({ kind: 'free_shipping', minimum_subtotal: '10' }))).toEqual([
      'currency:required',
    ]);
    expect(problemsOf(parseDiscountInput({ kind: 'free_shipping', starts_at: 'tomorrow' }))).toEqual([
      'starts_at:invalid',
    ]);
    for (const bps of [0, 10_001, 1.5, Number.NaN]) {
      expect(problemsOf(parseDiscountInput({ kind: 'percentage', percent_bps: bps }))).toEqual([
        'percent_bps:out_of_range',
      ]);
    }
    const sameInstant = { starts_at: '2026-01-01T00:00:00Z', ends_at: '2026-01-01T00:00:00Z' };
    expect(problemsOf(parseDiscountInput({ kind: 'free_shipping', ...sameInstant }))).toEqual([
      'ends_at:before_start',
    ]);
  });

  it('lays an update over the current terms: absent fields stay, null clears', () => {
    const current = fields({
      code: 'OLD1',
      currency: 'IDR',
      minimum_subtotal_minor: 5000n,
      max_uses: 10,
      ends_at: new Date('2027-01-01T00:00:00Z'),
    });
    const parsed = parseDiscountInput({ percent_bps: 2500, minimum_subtotal: null, code: 'new-1' }, current);
    expect(parsed).toEqual({
      ok: true,
      fields: { ...current, code: 'NEW-1', percent_bps: 2500, minimum_subtotal_minor: null },
    });
    const automatic = parseDiscountInput(
      { code: null, max_uses: null, ends_at: null, active: false },
      current,
    );
    expect(automatic.ok && automatic.fields).toMatchObject({
      code: null,
      max_uses: null,
      ends_at: null,
      active: false,
    });
  });

  it('keeps the kind and currency of a discount as created', () => {
    const current = fields({ kind: 'fixed', percent_bps: null, amount_minor: 500n, currency: 'IDR' });
    expect(problemsOf(parseDiscountInput({ kind: 'percentage' }, current))).toEqual(['kind:immutable']);
    expect(problemsOf(parseDiscountInput({ currency: 'USD' }, current))).toEqual(['currency:immutable']);
    expect(parseDiscountInput({ currency: 'idr', amount: '700' }, current)).toEqual({
      ok: true,
      fields: { ...current, amount_minor: 700n },
    });
    expect(problemsOf(parseDiscountInput({ amount: null }, current))).toEqual(['amount:required']);
  });

  it('turns any amount it accepts back into the same minor units', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n }), (minor) => {
        const parsed = parseDiscountInput({ kind: 'fixed', currency: 'IDR', amount: minor.toString() });
        expect(parsed.ok && parsed.fields.amount_minor).toBe(minor);
      }),
    );
  });
});

describe('whyInapplicable', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const cart = { now, currency: 'IDR', subtotalMinor: 100_000n, usesByBuyer: 0 };

  it('applies a live discount with no limits', () => {
    expect(whyInapplicable(rule(), cart)).toBeUndefined();
  });

  it('applies from starts_at included until ends_at excluded', () => {
    expect(whyInapplicable(rule({ starts_at: now }), cart)).toBeUndefined();
    expect(whyInapplicable(rule({ starts_at: new Date(now.getTime() + 1) }), cart)).toBe('not_started');
    expect(whyInapplicable(rule({ ends_at: new Date(now.getTime() + 1) }), cart)).toBeUndefined();
    expect(whyInapplicable(rule({ ends_at: now }), cart)).toBe('ended');
  });

  it('refuses an inactive one, another currency, a subtotal below the minimum and used-up limits', () => {
    expect(whyInapplicable(rule({ active: false }), cart)).toBe('inactive');
    expect(whyInapplicable(rule({ currency: 'USD' }), cart)).toBe('currency_mismatch');
    expect(whyInapplicable(rule({ currency: 'IDR' }), cart)).toBeUndefined();
    expect(
      whyInapplicable(rule({ currency: 'IDR', minimum_subtotal_minor: 100_000n }), cart),
    ).toBeUndefined();
    expect(whyInapplicable(rule({ currency: 'IDR', minimum_subtotal_minor: 100_001n }), cart)).toBe(
      'below_minimum',
    );
    expect(whyInapplicable(rule({ max_uses: 3, uses: 2 }), cart)).toBeUndefined();
    expect(whyInapplicable(rule({ max_uses: 3, uses: 3 }), cart)).toBe('exhausted');
    expect(whyInapplicable(rule({ max_uses_per_customer: 2 }), { ...cart, usesByBuyer: 1 })).toBeUndefined();
    expect(whyInapplicable(rule({ max_uses_per_customer: 2 }), { ...cart, usesByBuyer: 2 })).toBe(
      'customer_limit_reached',
    );
  });

  it('agrees with each condition taken alone, whatever the terms', () => {
    fc.assert(
      fc.property(
        fc.record({
          active: fc.boolean(),
          startOffset: fc.option(fc.integer({ min: -1000, max: 1000 })),
          endOffset: fc.option(fc.integer({ min: -1000, max: 1000 })),
          minimum: fc.option(fc.bigInt({ min: 1n, max: 200_000n })),
          maxUses: fc.option(fc.integer({ min: 1, max: 5 })),
          uses: fc.integer({ min: 0, max: 5 }),
          perCustomer: fc.option(fc.integer({ min: 1, max: 3 })),
          usesByBuyer: fc.integer({ min: 0, max: 4 }),
        }),
        (t) => {
          const at = (offset: number | null) => (offset === null ? null : new Date(now.getTime() + offset));
          const r = rule({
            active: t.active,
            starts_at: at(t.startOffset),
            ends_at: at(t.endOffset),
            currency: 'IDR',
            minimum_subtotal_minor: t.minimum,
            max_uses: t.maxUses,
            uses: t.maxUses === null ? t.uses : Math.min(t.uses, t.maxUses),
            max_uses_per_customer: t.perCustomer,
          });
          const applies =
            r.active &&
            (t.startOffset === null || t.startOffset <= 0) &&
            (t.endOffset === null || t.endOffset > 0) &&
            (t.minimum === null || cart.subtotalMinor >= t.minimum) &&
            (r.max_uses === null || r.uses < r.max_uses) &&
            (t.perCustomer === null || t.usesByBuyer < t.perCustomer);
          expect(whyInapplicable(r, { ...cart, usesByBuyer: t.usesByBuyer }) === undefined).toBe(applies);
        },
      ),
    );
  });
});

describe('toPricingDiscount', () => {
  it('makes a platform discount platform-funded on the whole cart', () => {
    const r = rule({ code: 'ALL10' });
    expect(toPricingDiscount(r)).toEqual({
      id: r.id,
      fundedBy: 'platform',
      code: 'ALL10',
      kind: 'percentage',
      bps: 1000,
    });
  });

  it('makes a seller’s discount seller-funded on that seller’s shipment', () => {
    const seller = '11111111-1111-4111-8111-111111111111';
    const fixed = rule({
      seller_id: seller,
      kind: 'fixed',
      percent_bps: null,
      amount_minor: 5000n,
      currency: 'IDR',
    });
    expect(toPricingDiscount(fixed)).toEqual({
      id: fixed.id,
      fundedBy: 'seller',
      sellerId: seller,
      code: null,
      kind: 'fixed',
      amountMinor: 5000n,
    });
    const free = rule({ seller_id: seller, kind: 'free_shipping', percent_bps: null });
    expect(toPricingDiscount(free)).toEqual({
      id: free.id,
      fundedBy: 'seller',
      sellerId: seller,
      code: null,
      kind: 'free_shipping',
    });
  });
});

describe('selectForQuote', () => {
  const seller = '22222222-2222-4222-8222-222222222222';
  const day = (n: number) => new Date(Date.UTC(2026, 0, n));

  it('orders the platform’s first, then the oldest, then by id', () => {
    const sellersOld = rule({ seller_id: seller, created_at: day(1) });
    const platformNew = rule({ created_at: day(5) });
    const platformOld = rule({ created_at: day(2) });
    const sameTimeA = rule({
      seller_id: seller,
      created_at: day(3),
      id: 'a0000000-0000-4000-8000-000000000000',
    });
    const sameTimeB = rule({
      seller_id: seller,
      created_at: day(3),
      id: 'b0000000-0000-4000-8000-000000000000',
    });
    const chosen = selectForQuote([sameTimeB, platformNew], [sellersOld, sameTimeA, platformOld]);
    expect(chosen).toEqual([platformOld, platformNew, sellersOld, sameTimeA, sameTimeB]);
  });

  it('keeps every code and fills what room is left with automatic promotions, oldest first', () => {
    const codes = Array.from({ length: 3 }, (_, i) => rule({ code: `C${i}XX`, created_at: day(20 + i) }));
    const automatic = Array.from({ length: 30 }, (_, i) => rule({ created_at: day(1 + i) }));
    const chosen = selectForQuote(codes, automatic);
    expect(chosen).toHaveLength(MAX_QUOTE_DISCOUNTS);
    for (const code of codes) expect(chosen).toContain(code);
    expect(chosen.filter((r) => r.code === null)).toEqual(automatic.slice(0, MAX_QUOTE_DISCOUNTS - 3));
  });

  it('counts a discount once, and its order does not depend on the order it came in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ platform: fc.boolean(), day: fc.integer({ min: 1, max: 5 }) }), {
          maxLength: 30,
        }),
        (specs) => {
          const rules = specs.map((s) =>
            rule({ seller_id: s.platform ? null : seller, created_at: day(s.day) }),
          );
          const forward = selectForQuote([], [...rules, ...rules]);
          const backward = selectForQuote([], [...rules].reverse());
          expect(forward).toEqual(backward);
          expect(new Set(forward.map((r) => r.id)).size).toBe(forward.length);
          expect(forward.length).toBe(Math.min(rules.length, MAX_QUOTE_DISCOUNTS));
          for (let i = 1; i < forward.length; i += 1) {
            expect(compareForQuote(forward[i - 1]!, forward[i]!)).toBeLessThan(0);
          }
        },
      ),
    );
  });
});
