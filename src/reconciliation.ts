import type { Kysely } from 'kysely';
import type { ReconcileOptions, ReconciliationReport } from './modules/ledger/ledger.routes.js';
import {
  DEFAULT_MAX_VIOLATIONS,
  type LedgerService,
  MAX_VIOLATIONS_LIMIT,
} from './modules/ledger/ledger.service.js';
import type { PaymentsReconciliation } from './modules/payments/payments.reconcile.js';
import { invalid } from './platform/errors.js';
import { inReadSnapshot } from './platform/db/snapshot.js';

/**
 * The options every transport passes (REST query, CLI flags through the control socket),
 * checked once here.
 * @throws invalid 'invalid_max_violations'
 */
export function checkedReconcileOptions(options: ReconcileOptions): Required<ReconcileOptions> {
  const maxViolations = options.maxViolations ?? DEFAULT_MAX_VIOLATIONS;
  if (!Number.isInteger(maxViolations) || maxViolations < 0 || maxViolations > MAX_VIOLATIONS_LIMIT) {
    throw invalid(
      'invalid_max_violations',
      `max violations must be a whole number 0..${MAX_VIOLATIONS_LIMIT}`,
    );
  }
  return { maxViolations, gateway: options.gateway !== false };
}

/**
 * The whole reconciliation, composed across modules: the ledger's own checks and the
 * payments' links to the ledger read ONE snapshot (so a refund committing meanwhile is
 * seen entirely or not at all, never as a false violation); the gateways are asked after
 * that transaction has ended, since no transaction may stay open across HTTP. Lists at
 * most `maxViolations` in all and counts every one.
 */
export function reconciliation(deps: {
  db: Kysely<object>;
  ledger: LedgerService;
  payments: PaymentsReconciliation;
}): (options?: ReconcileOptions) => Promise<ReconciliationReport> {
  return async (options = {}) => {
    const { maxViolations, gateway } = checkedReconcileOptions(options);
    const { own, links } = await inReadSnapshot(deps.db, async (snapshot) => {
      const own = await deps.ledger.check({ snapshot, maxViolations });
      const links = await deps.payments.againstLedger(snapshot, maxViolations - own.violations.length);
      return { own, links };
    });
    const listed = [...own.violations, ...links.violations];
    const remote = gateway
      ? await deps.payments.againstGateways(links.gatewayCandidates, maxViolations - listed.length)
      : { violations: [], violationCount: 0, warnings: [], compared: 0 };
    const violationCount = own.violationCount + links.violationCount + remote.violationCount;
    return {
      ok: violationCount === 0,
      violations: [...listed, ...remote.violations],
      violationCount,
      warnings: remote.warnings,
      counts: { ...own.counts, ...links.counts, gateway_compared: remote.compared },
    };
  };
}
