import type { Kysely } from 'kysely';
import type { ReconciliationReport } from './ledger.routes.js';
import { LedgerService } from './ledger.service.js';

export interface LedgerModule {
  ledger: LedgerService;
}

/**
 * Wires the ledger. Routes are not included: the reconciliation route composes the
 * ledger's check with other modules' checks, so the composition root calls ledgerRoutes.
 */
export function createLedgerModule(deps: { db: Kysely<object> }): LedgerModule {
  return { ledger: new LedgerService(deps.db) };
}

/**
 * For `mamlaka ledger check`: the report as lines to print and the exit code (1 when
 * anything is violated, so a cron job or CI step fails loudly).
 */
export function reconciliationSummary(report: ReconciliationReport): { lines: string[]; exitCode: number } {
  const counted = Object.entries(report.counts)
    .map(([name, count]) => `${count} ${name}`)
    .join(', ');
  if (report.ok) return { lines: [`ledger reconciled: ${counted}`], exitCode: 0 };
  return {
    lines: [
      `ledger check found ${report.violations.length} violation(s) over ${counted}:`,
      ...report.violations.map((violation) => `  - ${violation}`),
    ],
    exitCode: 1,
  };
}
