// Adapters of the sections that measure the database side: checkouts against pgbench,
// ledger batches, the event path and the reconciliation.
import type { CheckoutMeasurement } from '../checkout.js';
import type { CheckoutSection } from '../checkout-section.js';
import type { EventsResult } from '../events.js';
import type { LedgerBatchResult } from '../ledger-batch.js';
import type { ReconcileSection } from '../reconcile.js';
import { goalRows, latencyNote } from './adapt.js';
import {
  atLeast,
  below,
  EVENTS_P99_AT_RATE,
  EVENTS_P99_MS,
  EVENTS_PER_SEC,
  LEDGER_BATCH_ENTRIES_PER_SEC,
  RECONCILE_PAYMENTS_PER_SEC,
} from './goals.js';
import type { ReportRow, SectionReport } from './types.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const measurementRow = (prefix: string, row: CheckoutMeasurement): ReportRow => ({
  name: `${prefix}${row.name}`,
  value: row.perSecond,
  unit: 'checkouts/s',
  note:
    `${latencyNote(row.p50Ms, row.p99Ms)}; counted ${row.succeeded}, in the database ${row.committed}, ` +
    `failed ${row.failed + row.errors}`,
});

export function fromCheckout(section: CheckoutSection): SectionReport {
  // Older results have no scenarios: their rows are the one-seller scenario against pgbench.
  const scenarios = section.scenarios ?? [];
  const rows: ReportRow[] = scenarios.length
    ? scenarios.flatMap((scenario) => {
        const mamlaka = scenario.rows[0];
        return [
          ...scenario.rows.map((row) => measurementRow(`${scenario.name}: `, row)),
          ...scenario.goals.map((g): ReportRow => ({
            name: `${scenario.name}: ${g.name}`,
            value: mamlaka?.perSecond,
            unit: 'checkouts/s',
            ...(g.ratio !== undefined && g.ratio > 0 && mamlaka
              ? { baseline: mamlaka.perSecond / g.ratio, ratio: g.ratio }
              : {}),
            goal: { text: `≥ ${g.target.toFixed(2)}×`, pass: g.met },
            ...(g.ratio === undefined ? { note: 'baseline not measured (no pgbench)' } : {}),
          })),
        ];
      })
    : section.rows.map((row) => measurementRow('', row));
  rows.push(...goalRows(section, new Set(['rows', 'ledgerBatch', 'scenarios', 'goals'])));
  const shapes = scenarios.map(
    (s) =>
      `${s.name}: ${s.shape.sellers} seller(s), ${s.shape.products} product(s) of ${s.shape.stock.toLocaleString('en-US')}, ` +
      `${s.shape.buyers} buyers`,
  );
  return {
    id: 'checkout',
    title: 'Checkouts on PostgreSQL',
    rows,
    notes: [
      `${section.connections} connections, one buyer per connection; the baselines are pgbench runs on the same ` +
        'database in the same run.',
      ...shapes,
      ...(section.pgbenchSkipped ? [`pgbench skipped: ${section.pgbenchSkipped}`] : []),
    ],
    problems: section.problems,
  };
}

export function fromLedgerBatch(result: LedgerBatchResult, problems: string[] = []): SectionReport {
  return {
    id: 'ledger',
    title: 'Ledger postBatch on PostgreSQL',
    rows: [
      {
        name: 'entries posted through postBatch',
        value: result.entriesPerSec,
        unit: 'entries/s',
        goal: atLeast(
          result.entriesPerSec,
          LEDGER_BATCH_ENTRIES_PER_SEC,
          `≥ ${fmt(LEDGER_BATCH_ENTRIES_PER_SEC)} entries/s`,
        ),
        note:
          `${result.batches} batches from ${result.loaders ?? 1} caller(s) at once, p50 ${result.batchP50Ms.toFixed(1)} ms, p99 ${result.batchP99Ms.toFixed(1)} ms per batch` +
          (result.machineCpuMsPerBatch === undefined
            ? ''
            : `; machine CPU ${result.machineCpuMsPerBatch.toFixed(1)} ms per batch`),
      },
      ...goalRows(result, new Set(['check'])),
    ],
    notes: [
      `Ledger check afterwards: ${result.check.ok ? 'consistent' : 'FAILED'} over ${fmt(result.check.entries)} entries.`,
    ],
    problems: [
      ...problems,
      ...(result.check.ok ? [] : [`ledger check failed: ${result.check.violations.slice(0, 3).join('; ')}`]),
    ],
  };
}

const ON_POSTGRES = /postgres/i;

export function fromEvents(results: EventsResult[], skipped?: string): SectionReport {
  const rows: ReportRow[] = results.flatMap((r) => {
    // The section names its goals and verdicts; older results had none, judged here on PostgreSQL.
    const goals =
      r.goals ??
      (ON_POSTGRES.test(r.setup)
        ? { eventsPerSec: EVENTS_PER_SEC, latencyP99Ms: EVENTS_P99_MS, atRatePerSec: EVENTS_P99_AT_RATE }
        : undefined);
    const achieved = r.steadyAchievedPerSec ?? r.steadyRatePerSec;
    return [
      {
        name: `${r.setup}: relayed and handled`,
        value: r.eventsPerSec,
        unit: 'events/s',
        ...(goals
          ? {
              goal: {
                text: `≥ ${fmt(goals.eventsPerSec)} events/s`,
                pass: r.verdict ? r.verdict.throughput === 'pass' : r.eventsPerSec >= goals.eventsPerSec,
              },
            }
          : {}),
        note: `backlog of ${fmt(r.backlog)}${r.listening === undefined ? '' : r.listening ? '; relay woken by commits' : '; relay polling'}`,
      },
      {
        name: `${r.setup}: commit → handled p99 at ${fmt(r.steadyRatePerSec)}/s`,
        value: r.latencyP99Ms,
        unit: 'ms',
        ...(goals
          ? {
              goal: {
                text: `< ${goals.latencyP99Ms} ms at ${fmt(goals.atRatePerSec)} events/s`,
                pass: r.verdict
                  ? r.verdict.latency === 'pass'
                  : below(r.latencyP99Ms, goals.latencyP99Ms, '').pass && achieved >= goals.atRatePerSec,
              },
            }
          : {}),
        note: `p50 ${r.latencyP50Ms} ms; ${fmt(achieved)}/s committed`,
      },
    ];
  });
  return {
    id: 'events',
    title: 'Events: outbox → bus → consumer',
    rows,
    notes: skipped ? [skipped] : [],
    problems: results
      .filter((r) => !r.handledOnce)
      .map((r) => `${r.setup}: not every event was handled exactly once`),
  };
}

export function fromReconcile(section: ReconcileSection): SectionReport {
  return {
    id: 'reconcile',
    title: 'Reconciliation on PostgreSQL',
    rows: [
      {
        name: `ledger check over ${fmt(section.payments)} payments (median of 3)`,
        value: section.paymentsPerSec,
        unit: 'payments/s',
        baseline: section.baselinePaymentsPerSec,
        ratio: section.ratio,
        goal: atLeast(
          section.paymentsPerSec,
          RECONCILE_PAYMENTS_PER_SEC,
          `≥ ${fmt(RECONCILE_PAYMENTS_PER_SEC)} payments/s`,
        ),
        note: `${section.checkSeconds.toFixed(2)} s; ${section.violationCount} violations`,
      },
      {
        name: "the ledger's own checks alone",
        value: section.ledgerOnlySeconds,
        unit: 's',
      },
      {
        name: 'payments and refunds against the ledger alone',
        value: section.payments / section.paymentsOnlySeconds,
        unit: 'payments/s',
      },
      ...goalRows(section),
    ],
    notes: [
      `${fmt(section.refunds)} refunds, ${fmt(section.ledgerTransactions)} ledger transactions, ` +
        `${fmt(section.ledgerEntries)} entries, seeded in ${section.seedSeconds.toFixed(1)} s; ` +
        'the baseline is one join scan of the same rows.',
    ],
    problems: section.problems,
  };
}
