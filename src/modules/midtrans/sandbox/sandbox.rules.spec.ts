import { describe, expect, it } from 'vitest';
import {
  canTransition,
  formatAmount,
  jakartaTime,
  parseRupiah,
  statusCodeOf,
  TRANSITIONS,
} from './sandbox.state.js';
import { TransactionStore } from './sandbox.store.js';
import { validateSnapRequest } from './sandbox.validation.js';

const snap = (details: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  validateSnapRequest({ transaction_details: details, ...extra });

describe('sandbox state machine', () => {
  it('gives Midtrans status codes: 200 paid or refunded, 201 pending, 202 failed', () => {
    expect(
      ['settlement', 'capture', 'refund', 'partial_refund'].map((s) => statusCodeOf(s as never)),
    ).toEqual(['200', '200', '200', '200']);
    expect(statusCodeOf('pending')).toBe('201');
    expect(['deny', 'cancel', 'expire'].map((s) => statusCodeOf(s as never))).toEqual(['202', '202', '202']);
  });

  it('never leaves a final state', () => {
    for (const final of ['deny', 'cancel', 'expire', 'refund'] as const)
      expect(TRANSITIONS[final]).toEqual([]);
    expect(canTransition('settlement', 'pending')).toBe(false);
    expect(canTransition('pending', 'settlement')).toBe(true);
  });

  it('writes amounts and times as Midtrans does', () => {
    expect(formatAmount(10_000n)).toBe('10000.00');
    expect(jakartaTime(new Date('2026-01-31T20:30:00Z'))).toBe('2026-02-01 03:30:00');
    expect(parseRupiah('10000')).toBe(10_000n);
    expect([parseRupiah(1.5), parseRupiah('1e3'), parseRupiah(-1), parseRupiah(2 ** 53)]).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('Snap request validation', () => {
  it('accepts a 50-character order id and refuses a 51-character one', () => {
    expect(snap({ order_id: 'a'.repeat(50), gross_amount: 1 }).ok).toBe(true);
    expect(snap({ order_id: 'a'.repeat(51), gross_amount: 1 }).ok).toBe(false);
  });

  it('counts discount lines (negative prices) in the item sum', () => {
    const items = [
      { price: 5_000, quantity: 2, name: 'Teh' },
      { price: -2_000, quantity: 1, name: 'Diskon' },
    ];
    expect(snap({ order_id: 'o-1', gross_amount: 8_000 }, { item_details: items }).ok).toBe(true);
    expect(snap({ order_id: 'o-1', gross_amount: 10_000 }, { item_details: items })).toEqual({
      ok: false,
      errors: ['transaction_details.gross_amount is not equal to the sum of item_details'],
    });
  });
});

describe('sandbox refunds', () => {
  const settled = () => {
    const store = new TransactionStore();
    store.create({
      orderId: 'o-1',
      grossAmount: 10_000n,
      customerDetails: undefined,
      itemDetails: undefined,
    });
    store.pay('o-1', 'settlement');
    return store;
  };

  it('refunds up to the gross amount and not a rupiah more', () => {
    const store = settled();
    expect(
      store.refund('o-1', { refundKey: 'a', amount: 9_999n, reason: undefined }).transaction.status,
    ).toBe('partial_refund');
    expect(() => store.refund('o-1', { refundKey: 'b', amount: 2n, reason: undefined })).toThrow(/at most/);
    expect(store.refund('o-1', { refundKey: 'c', amount: 1n, reason: undefined }).transaction.status).toBe(
      'refund',
    );
  });

  it('replays a refund key without refunding again', () => {
    const store = settled();
    const first = store.refund('o-1', { refundKey: 'a', amount: 4_000n, reason: undefined });
    const again = store.refund('o-1', { refundKey: 'a', amount: 4_000n, reason: undefined });
    expect(again).toMatchObject({ replayed: true, refund: first.refund });
    expect(store.get('o-1')!.refundedAmount).toBe(4_000n);
  });
});
