import { describe, expect, it } from 'vitest';
import { reconciliationSummary } from './ledger.module.js';

const counts = { accounts: 2, payments: 3 };

describe('what `mamlaka ledger check` prints, and its exit code', () => {
  it('says ok and exits 0 when everything was checked and holds', () => {
    expect(reconciliationSummary({ ok: true, violations: [], violationCount: 0, counts })).toEqual({
      out: ['ledger ok: 2 accounts, 3 payments'],
      err: [],
      exitCode: 0,
    });
  });

  it('lists the violations it has, counts them all and exits 1', () => {
    const summary = reconciliationSummary({ ok: false, violations: ['a', 'b'], violationCount: 5, counts });
    expect(summary.exitCode).toBe(1);
    expect(summary.err).toEqual([
      'ledger check failed (5 violations, the first 2 listed; 2 accounts, 3 payments):',
      '  - a',
      '  - b',
    ]);
  });

  it('exits 2, not 0, when nothing is violated but a check could not be made', () => {
    const summary = reconciliationSummary({
      ok: true,
      violations: [],
      violationCount: 0,
      warnings: ['midtrans did not answer'],
      counts,
    });
    expect(summary).toMatchObject({ out: [], exitCode: 2 });
    expect(summary.err).toContain('  ! midtrans did not answer');
  });
});
