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
export function createLedgerModule(deps: { db: Kysely<object>; shards?: number }): LedgerModule {
  return { ledger: new LedgerService(deps.db, { shards: deps.shards }) };
}

/**
 * For `mamlaka ledger check`: what to print on stdout and stderr, and the exit code: 0 when
 * everything was checked and holds, 1 when anything is violated (so a cron job or CI step
 * fails loudly), 2 when nothing is violated but some checks could not be made (a gateway
 * that did not answer), so that is never mistaken for a clean bill.
 */
export function reconciliationSummary(report: ReconciliationReport): {
  out: string[];
  err: string[];
  exitCode: number;
} {
  const counted = Object.entries(report.counts)
    .map(([name, count]) => `${count} ${name}`)
    .join(', ');
  const warnings = (report.warnings ?? []).map((warning) => `  ! ${warning}`);
  if (!report.ok) {
    const listed = report.violations.length;
    const shown = report.violationCount > listed ? `, the first ${listed} listed` : '';
    return {
      out: [],
      err: [
        `ledger check failed (${report.violationCount} violations${shown}; ${counted}):`,
        ...report.violations.map((violation) => `  - ${violation}`),
        ...warnings,
      ],
      exitCode: 1,
    };
  }
  if (warnings.length) {
    return {
      out: [],
      err: [
        `ledger check incomplete: no violation found, but not everything could be checked (${counted}):`,
        ...warnings,
      ],
      exitCode: 2,
    };
  }
  return { out: [`ledger ok: ${counted}`], err: [], exitCode: 0 };
}
