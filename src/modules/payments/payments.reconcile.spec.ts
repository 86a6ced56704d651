import { describe, expect, it } from 'vitest';
import { compareWithGateways, type GatewayCandidate } from './payments.reconcile.gateway.js';
import {
  gatewayAgrees,
  type PaymentLinks,
  paymentProblems,
  type RefundLinks,
  refundProblems,
  sumRefunds,
} from './payments.reconcile.rules.js';
import type { PaymentRow } from './payments.tables.js';

const payment = (overrides: Partial<PaymentLinks> = {}): PaymentLinks => ({
  id: 'p1',
  status: 'partially_refunded',
  method: 'wallet',
  ledger_transaction_id: 't1',
  refunded_minor: 300n,
  refund_pending_minor: 200n,
  ...overrides,
});
const refund = (overrides: Partial<RefundLinks> = {}): RefundLinks => ({
  id: 'r1',
  payment_id: 'p1',
  status: 'succeeded',
  amount_minor: 300n,
  ledger_transaction_id: 'h1',
  ...overrides,
});
const sums = { succeededMinor: 300n, pendingMinor: 200n };

describe('a payment against the ledger and its refunds', () => {
  it('is sound with its posted purchase and sums that match', () => {
    expect(paymentProblems(payment(), { id: 't1', status: 'posted' }, sums)).toBeUndefined();
  });

  it('needs no purchase when it never took the money', () => {
    const pending = payment({ status: 'pending', ledger_transaction_id: null, refunded_minor: 0n });
    expect(
      paymentProblems({ ...pending, refund_pending_minor: 0n }, undefined, sumRefunds([])),
    ).toBeUndefined();
  });

  it.each([
    [undefined, /has no posted purchase/],
    [{ id: 't1', status: 'pending' }, /has no posted purchase/],
    [{ id: 't2', status: 'posted' }, /points at t1, but its purchase is t2/],
  ])('names a missing, unposted or other purchase (%o)', (purchase, problem) => {
    expect(paymentProblems(payment(), purchase, sums)).toMatch(problem);
  });

  it('names every sum that disagrees, in one line', () => {
    const line = paymentProblems(
      payment({ refunded_minor: 301n, refund_pending_minor: 0n }),
      { id: 't1', status: 'posted' },
      sums,
    );
    expect(line).toBe(
      'payment p1 (partially_refunded) says 301 refunded, its succeeded refunds add up to 300; ' +
        'says 0 pending refund, its pending refunds add up to 200',
    );
  });

  it('adds refunds by state, leaving failed ones out', () => {
    expect(
      sumRefunds([
        refund({ amount_minor: 100n }),
        refund({ amount_minor: 200n }),
        refund({ status: 'pending', amount_minor: 50n }),
        refund({ status: 'failed', amount_minor: 1_000n }),
      ]),
    ).toEqual({ succeededMinor: 300n, pendingMinor: 50n });
  });
});

describe('a refund against its ledger transaction', () => {
  it.each([
    ['succeeded', 'posted'],
    ['pending', 'pending'],
    ['failed', 'voided'],
  ])('a %s refund goes with a %s transaction', (status, ledger) => {
    expect(refundProblems(refund({ status }), { id: 'h1', status: ledger })).toBeUndefined();
    for (const other of ['posted', 'pending', 'voided'].filter((s) => s !== ledger)) {
      expect(refundProblems(refund({ status }), { id: 'h1', status: other })).toMatch(
        `has a ${other} ledger transaction, expected ${ledger}`,
      );
    }
  });

  it('names a missing transaction and one that is not its own', () => {
    expect(refundProblems(refund(), undefined)).toBe(
      'refund r1 (succeeded) of payment p1 has no transaction in the ledger',
    );
    expect(refundProblems(refund(), { id: 'h2', status: 'posted' })).toMatch(/points at h1, but .* is h2/);
  });
});

describe('a gateway’s refunded total', () => {
  it('agrees from what succeeded up to that plus what is pending', () => {
    expect(gatewayAgrees(sums, 299n)).toBe(false);
    expect(gatewayAgrees(sums, 300n)).toBe(true);
    expect(gatewayAgrees(sums, 500n)).toBe(true);
    expect(gatewayAgrees(sums, 501n)).toBe(false);
  });
});

describe('comparing with the gateways', () => {
  const candidate = (id: string, method = 'midtrans', succeededMinor = 300n): GatewayCandidate => ({
    payment: { id, method } as PaymentRow,
    sums: { succeededMinor, pendingMinor: 0n },
  });
  const noChange = async () => new Map();
  const options = { concurrency: 8, timeoutMs: 50 };

  it('counts agreement, and a disagreement that persists as a violation', async () => {
    const answers: Record<string, bigint> = { a: 300n, b: 100n };
    const providers = new Map([['midtrans', { refundedByGateway: async (p: PaymentRow) => answers[p.id] }]]);
    const result = await compareWithGateways(
      { payments: [candidate('a'), candidate('b')], found: 2 },
      providers,
      async () => new Map([['b', { succeededMinor: 300n, pendingMinor: 0n }]]),
      10,
      options,
    );
    expect(result).toEqual({
      violations: [
        'payment b (midtrans): the gateway says 100 refunded, our succeeded refunds add up to 300 (0 pending)',
      ],
      violationCount: 1,
      warnings: [],
      compared: 2,
    });
  });

  it('does not report a refund made between the snapshot and the answer', async () => {
    const providers = new Map([['midtrans', { refundedByGateway: async () => 500n }]]);
    const result = await compareWithGateways(
      { payments: [candidate('a')], found: 1 },
      providers,
      async () => new Map([['a', { succeededMinor: 300n, pendingMinor: 200n }]]),
      10,
      options,
    );
    expect(result).toMatchObject({ violations: [], violationCount: 0, compared: 1 });
  });

  it('warns, never agrees, when a gateway cannot answer: undefined, an error or too late', async () => {
    const never = new Promise<bigint>(() => {});
    const answer: Record<string, () => Promise<bigint | undefined>> = {
      a: async () => undefined,
      b: async () => Promise.reject(new Error('ECONNRESET')),
      c: () => never,
    };
    const providers = new Map([
      ['midtrans', { refundedByGateway: (p: PaymentRow) => answer[p.id]!() }],
      ['other', {}],
    ]);
    const result = await compareWithGateways(
      { payments: [candidate('a'), candidate('b'), candidate('c'), candidate('d', 'other')], found: 9 },
      providers,
      noChange,
      10,
      options,
    );
    expect(result.violationCount).toBe(0);
    expect(result.compared).toBe(0);
    expect(result.warnings).toEqual([
      'only the 4 most recently updated of 9 gateway payments with refunds were compared with their gateway',
      'other cannot be asked what it refunded: 1 payment(s) with refunds not compared',
      'midtrans did not answer for 3 payment(s) (unreachable, or it does not know them): their refunds were not compared',
    ]);
  });

  it('asks at most `concurrency` at once, and lists at most the violations allowed', async () => {
    let inFlight = 0;
    let most = 0;
    const providers = new Map([
      [
        'midtrans',
        {
          refundedByGateway: async () => {
            most = Math.max(most, ++inFlight);
            await new Promise((resolve) => setTimeout(resolve, 5));
            inFlight--;
            return 1n;
          },
        },
      ],
    ]);
    const payments = Array.from({ length: 30 }, (_, i) => candidate(`p${i}`));
    const result = await compareWithGateways({ payments, found: 30 }, providers, noChange, 4, {
      concurrency: 8,
      timeoutMs: 1_000,
    });
    expect(most).toBe(8);
    expect(result.compared).toBe(30);
    expect(result.violationCount).toBe(30);
    expect(result.violations).toHaveLength(4);
  });
});
