import type { Kysely, Transaction } from 'kysely';
import { type LedgerService, MAX_REFERENCES_PER_LOOKUP } from '../ledger/ledger.service.js';
import type { PaymentProvider } from './payments.providers.js';
import {
  compareWithGateways,
  type GatewayCandidates,
  type GatewayComparison,
} from './payments.reconcile.gateway.js';
import { ReconcileQueries } from './payments.reconcile.queries.js';
import {
  type LedgerLink,
  paymentProblems,
  type RefundLinks,
  refundProblems,
  type RefundSums,
  sumRefunds,
  TOOK_MONEY,
} from './payments.reconcile.rules.js';

/** Payments read per page: one page costs four statements, whatever its size. */
export const RECONCILE_PAGE_SIZE = 1_000;
/** Gateway payments compared per check: each is an HTTP call to the gateway. */
export const MAX_GATEWAY_COMPARISONS = 200;
/** Methods whose refunds a gateway executes, so the gateway can be asked what it refunded. */
export const GATEWAY_METHODS: readonly string[] = ['midtrans'];

/** What the payments' side of a check found in the database snapshot. */
export interface LedgerLinks {
  violations: string[];
  violationCount: number;
  counts: { payments: number; refunds: number };
  /** For againstGateways, after the snapshot is released. */
  gatewayCandidates: GatewayCandidates;
}

export interface PaymentsReconciliation {
  /**
   * Every payment that took money has its posted purchase; every refund its ledger
   * transaction in the state its status implies; each payment's refunded and pending
   * amounts equal its refunds' sums. Runs in `snapshot` (see inReadSnapshot) in keyset
   * pages, with one ledger lookup per page and kind. Lists at most `maxViolations`.
   */
  againstLedger(snapshot: Transaction<object>, maxViolations: number): Promise<LedgerLinks>;
  /** Asks the gateways what they refunded; call it with no transaction open. */
  againstGateways(candidates: GatewayCandidates, maxViolations: number): Promise<GatewayComparison>;
}

export function paymentsReconciliation(
  db: Kysely<object>,
  ledger: LedgerService,
  providers: ReadonlyMap<string, PaymentProvider>,
): PaymentsReconciliation {
  return {
    againstLedger: (snapshot, maxViolations) => checkPaymentsAgainstLedger(snapshot, ledger, maxViolations),
    againstGateways: (candidates, maxViolations) =>
      compareWithGateways(
        candidates,
        providers,
        (ids) => new ReconcileQueries(db).refundSums(ids),
        maxViolations,
      ),
  };
}

/** The ledger's view of `references`, in lookups the ledger accepts. */
async function lookUp(
  ledger: LedgerService,
  snapshot: Transaction<object>,
  kind: string,
  references: readonly string[],
): Promise<Map<string, LedgerLink>> {
  const found = new Map<string, LedgerLink>();
  for (let start = 0; start < references.length; start += MAX_REFERENCES_PER_LOOKUP) {
    const chunk = references.slice(start, start + MAX_REFERENCES_PER_LOOKUP);
    for (const [reference, link] of await ledger.transactionsByReferences(snapshot, kind, chunk))
      found.set(reference, link);
  }
  return found;
}

/** Keeps the `limit` most recently updated of what it is offered, in bounded memory. */
class MostRecent<T extends { updatedAt: Date }> {
  #kept: T[] = [];
  offered = 0;
  constructor(private readonly limit: number) {}

  offer(item: T): void {
    this.offered++;
    this.#kept.push(item);
    if (this.#kept.length >= 2 * this.limit) this.#trim();
  }

  take(): T[] {
    this.#trim();
    return this.#kept;
  }

  #trim() {
    this.#kept.sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
    this.#kept.length = Math.min(this.#kept.length, this.limit);
  }
}

async function checkPaymentsAgainstLedger(
  snapshot: Transaction<object>,
  ledger: LedgerService,
  maxViolations: number,
): Promise<LedgerLinks> {
  const queries = new ReconcileQueries(snapshot);
  const violations: string[] = [];
  let violationCount = 0;
  const report = (line: string | undefined) => {
    if (line === undefined) return;
    violationCount++;
    if (violations.length < maxViolations) violations.push(line);
  };
  // The gateways are asked about recent changes first: that is where a refund goes astray.
  const candidates = new MostRecent<{ id: string; updatedAt: Date; sums: RefundSums }>(
    MAX_GATEWAY_COMPARISONS,
  );
  const counts = { payments: 0, refunds: 0 };
  let after: string | undefined;
  for (;;) {
    const page = await queries.paymentsPage(after, RECONCILE_PAGE_SIZE);
    if (page.length === 0) break;
    const last = page[page.length - 1]!.id;
    const refunds = await queries.refundsOfPaymentRange(after, last);
    const tookMoney = page.filter((payment) => TOOK_MONEY.includes(payment.status));
    const purchases = await lookUp(
      ledger,
      snapshot,
      'purchase',
      tookMoney.map((payment) => payment.id),
    );
    const reversals = await lookUp(
      ledger,
      snapshot,
      'refund',
      refunds.map((refund) => refund.id),
    );
    const refundsOf = new Map<string, RefundLinks[]>();
    for (const refund of refunds) {
      report(refundProblems(refund, reversals.get(refund.id)));
      const siblings = refundsOf.get(refund.payment_id);
      if (siblings) siblings.push(refund);
      else refundsOf.set(refund.payment_id, [refund]);
    }
    for (const payment of page) {
      const own = refundsOf.get(payment.id) ?? [];
      const sums = sumRefunds(own);
      report(paymentProblems(payment, purchases.get(payment.id), sums));
      if (own.length > 0 && GATEWAY_METHODS.includes(payment.method))
        candidates.offer({ id: payment.id, updatedAt: payment.updated_at, sums });
    }
    counts.payments += page.length;
    counts.refunds += refunds.length;
    if (page.length < RECONCILE_PAGE_SIZE) break;
    after = last;
  }
  const chosen = candidates.take();
  const rows = new Map((await queries.payments(chosen.map((c) => c.id))).map((row) => [row.id, row]));
  return {
    violations,
    violationCount,
    counts,
    gatewayCandidates: {
      payments: chosen.map((c) => ({ payment: rows.get(c.id)!, sums: c.sums })),
      found: candidates.offered,
    },
  };
}
