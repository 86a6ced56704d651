import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { LedgerService, Reconciliation } from './modules/ledger/ledger.service.js';
import type { LedgerLinks, PaymentsReconciliation } from './modules/payments/payments.reconcile.js';
import { checkedReconcileOptions, reconciliation } from './reconciliation.js';

/** A database whose only transaction records how it was opened. */
function fakeDb(opened: string[]) {
  const snapshot: unknown = { id: 'snapshot' };
  const builder = {
    setIsolationLevel: (level: string) => (opened.push(level), builder),
    setAccessMode: (mode: string) => (opened.push(mode), builder),
    execute: <T>(fn: (trx: unknown) => Promise<T>) => fn(snapshot),
  };
  return { db: { transaction: () => builder } as unknown as Kysely<object>, snapshot };
}

const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);

describe('the composed reconciliation', () => {
  it('runs both database checks in one read-only repeatable-read snapshot, then the gateways', async () => {
    const opened: string[] = [];
    const { db, snapshot } = fakeDb(opened);
    const calls: string[] = [];
    const ledger = {
      check: async (options: { snapshot?: unknown; maxViolations?: number }) => {
        calls.push(
          `ledger in ${options.snapshot === snapshot ? 'the snapshot' : '?'} max ${options.maxViolations}`,
        );
        return {
          ok: false,
          violations: lines('ledger', 3),
          violationCount: 7,
          counts: { accounts: 1, transactions: 2, entries: 3 },
        } satisfies Reconciliation;
      },
    } as unknown as LedgerService;
    const payments: PaymentsReconciliation = {
      againstLedger: async (trx, max) => {
        calls.push(`payments in ${trx === snapshot ? 'the snapshot' : '?'} max ${max}`);
        return {
          violations: lines('payment', 2),
          violationCount: 2,
          counts: { payments: 10, refunds: 4 },
          gatewayCandidates: { payments: [], found: 0 },
        } satisfies LedgerLinks;
      },
      againstGateways: async (_candidates, max) => {
        calls.push(`gateways max ${max}`);
        return {
          violations: lines('gateway', 0),
          violationCount: 1,
          warnings: ['midtrans did not answer'],
          compared: 5,
        };
      },
    };
    const report = await reconciliation({ db, ledger, payments })({ maxViolations: 5 });
    expect(opened).toEqual(['repeatable read', 'read only']);
    expect(calls).toEqual([
      'ledger in the snapshot max 5',
      'payments in the snapshot max 2',
      'gateways max 0',
    ]);
    expect(report).toEqual({
      ok: false,
      violations: [...lines('ledger', 3), ...lines('payment', 2)],
      violationCount: 10,
      warnings: ['midtrans did not answer'],
      counts: { accounts: 1, transactions: 2, entries: 3, payments: 10, refunds: 4, gateway_compared: 5 },
    });

    calls.length = 0;
    const skipped = await reconciliation({ db, ledger, payments })({ gateway: false });
    expect(calls).toEqual(['ledger in the snapshot max 100', 'payments in the snapshot max 97']);
    expect(skipped).toMatchObject({ violationCount: 9, warnings: [], counts: { gateway_compared: 0 } });
  });

  it('takes a limit from 0 to 10,000 and gateways unless told false', () => {
    expect(checkedReconcileOptions({})).toEqual({ maxViolations: 100, gateway: true });
    expect(checkedReconcileOptions({ maxViolations: 0, gateway: false })).toEqual({
      maxViolations: 0,
      gateway: false,
    });
    for (const bad of [-1, 10_001, 1.5, Number.NaN])
      expect(() => checkedReconcileOptions({ maxViolations: bad })).toThrow(/max violations/);
  });
});
