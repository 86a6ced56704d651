// Adapters of the sections that load a server over HTTP or gRPC: the reads, the split
// deployment, tracing, and latency under load.
import type { DatabaseControl } from '../latency-pgbench.js';
import type { LatencySection } from '../latency-section.js';
import type { ReadsResult } from '../reads-section.js';
import type { SplitRow } from '../split-section.js';
import type { TracingRow } from '../tracing-section.js';
import { goalRows, latencyNote } from './adapt.js';
import {
  atLeast,
  below,
  GRPC_GOALS,
  P99_OVER_P50,
  READ_GOALS,
  SPLIT_GOALS,
  STORM_P99_RAISE,
} from './goals.js';
import { ratioText } from './markdown.js';
import type { ReportRow, SectionReport } from './types.js';

export function fromReads(result: ReadsResult): SectionReport {
  const rows: ReportRow[] = result.rows.map((row, index) => {
    const min = READ_GOALS[row.name] ?? GRPC_GOALS[row.name];
    const runs =
      index > 0 && row.ratioRuns.length > 1 ? `; ratios ${row.ratioRuns.map(ratioText).join(', ')}` : '';
    return {
      name: row.name,
      value: row.perSec,
      // Per second for gRPC: its baseline is its REST twin's requests, its value calls.
      unit: row.name.startsWith('gRPC') ? '/s' : 'req/s',
      ...(index === 0 ? {} : { baseline: row.referencePerSec, ratio: row.ratio }),
      ...(min === undefined
        ? {}
        : {
            goal: atLeast(
              row.ratio,
              min,
              `≥ ${min.toFixed(2)}× ${row.name.startsWith('gRPC') ? row.reference : 'bare Fastify'}`,
            ),
          }),
      note: latencyNote(row.p50Ms, row.p99Ms) + (row.client ? `; calls from ${row.client}` : '') + runs,
    };
  });
  const database = result.database === 'pglite' ? 'embedded PGlite' : 'PostgreSQL';
  return {
    id: `reads-${result.database}`,
    title: `Reads on ${database}`,
    rows,
    chart: {
      kind: 'bars',
      title: `Reads on ${database}: ratio to the reference (bare Fastify; REST for gRPC)`,
      unit: 'ratio (×)',
      groups: rows.slice(1).map((r) => r.name),
      series: [
        { name: 'measured', values: rows.slice(1).map((r) => r.ratio) },
        {
          name: 'goal',
          values: rows.slice(1).map((r) => READ_GOALS[r.name] ?? GRPC_GOALS[r.name]),
        },
      ],
    },
    notes: [
      'Closed loop: autocannon, 20 connections; gRPC: 20 calls in flight on one HTTP/2 connection, each ' +
        'call measured right after its REST twin (the baseline of its row) at the same concurrency; ' +
        `${result.runs === 1 ? 'one run' : `median of ${result.runs} runs, each ratio taken within its run`}.`,
    ],
    problems: result.problems,
  };
}

export function fromSplit(rows: SplitRow[], problems: string[]): SectionReport {
  return {
    id: 'split',
    title: 'Split deployment ÷ all-in-one',
    rows: [
      ...rows.map((row) => {
        const min = SPLIT_GOALS[row.name];
        return {
          name: row.name,
          value: row.splitPerSec,
          unit: 'req/s',
          baseline: row.allInOnePerSec,
          ratio: row.ratio,
          ...(min === undefined ? {} : { goal: atLeast(row.ratio, min, `≥ ${min.toFixed(2)}× all-in-one`) }),
          note: `p99 ${row.splitP99Ms} ms split, ${row.allInOneP99Ms} ms all-in-one`,
        };
      }),
      ...goalRows(rows),
    ],
    notes: ['PostgreSQL, Redis and NATS; the baseline is the all-in-one process on the same database.'],
    problems,
  };
}

export function fromTracing(rows: TracingRow[], exports: number, problems: string[]): SectionReport {
  return {
    id: 'tracing',
    title: 'Tracing on ÷ off',
    rows: rows.map((row) => ({
      name: row.name,
      value: row.onPerSec,
      unit: 'req/s',
      baseline: row.offPerSec,
      ratio: row.ratio,
      note: `p99 ${row.onP99Ms} ms on, ${row.offP99Ms} ms off`,
    })),
    notes: [`Every span exported over OTLP/HTTP to a local receiver (${exports} exports).`],
    problems,
  };
}

export function fromLatency(section: LatencySection): SectionReport {
  const rows: ReportRow[] = [];
  const spread = (p50: number, p99: number) => p99 / Math.max(p50, 0.1);
  for (const phase of [section.reads, section.checkouts]) {
    const r = phase.load;
    rows.push(
      { name: `${phase.name}: peak (closed loop)`, value: phase.peakPerSec, unit: 'req/s' },
      ...(phase.sustained
        ? [
            {
              name: `${phase.name}: peak with its background work done`,
              value: phase.sustained.perSec,
              unit: 'req/s',
              note: `the peak's requests spread over its ${phase.load.seconds} s and the ${phase.sustained.drainSeconds.toFixed(1)} s its outbox and mail queue took to drain after it`,
            },
          ]
        : []),
      {
        name: `${phase.name}: p99 ÷ p50 at ${phase.ratePerSec}/s (70 % of ${phase.sustained ? 'the sustained peak' : 'peak'})`,
        value: r.p99Ms,
        unit: 'ms',
        baseline: r.p50Ms,
        ratio: spread(r.p50Ms, r.p99Ms),
        goal: below(spread(r.p50Ms, r.p99Ms), P99_OVER_P50, `p99 < ${P99_OVER_P50}× p50`),
        note:
          `${latencyNote(r.p50Ms, r.p99Ms)}, max ${r.maxMs} ms; event-loop delay p99 ${phase.lag.p99Ms} ms, ` +
          `max ${phase.lag.maxMs} ms; sent late by the generator: p99 ${r.sendDelayP99Ms} ms`,
      },
    );
    const control = section.control;
    if (phase === section.reads && control) {
      const share = control.atOwnShare;
      const same = control.atReadRate;
      rows.push(
        { name: 'control, bare Fastify GET /: peak (closed loop)', value: control.peakPerSec, unit: 'req/s' },
        {
          name: `control, bare Fastify GET /: p99 ÷ p50 at ${share.ratePerSec}/s (70 % of its peak)`,
          value: share.load.p99Ms,
          unit: 'ms',
          baseline: share.load.p50Ms,
          ratio: spread(share.load.p50Ms, share.load.p99Ms),
          note: `${latencyNote(share.load.p50Ms, share.load.p99Ms)}, max ${share.load.maxMs} ms; sent late by the generator: p99 ${share.load.sendDelayP99Ms} ms`,
        },
        {
          name: `control, bare Fastify GET /: p99 ÷ p50 at ${same.ratePerSec}/s (the product reads' rate)`,
          value: same.load.p99Ms,
          unit: 'ms',
          baseline: same.load.p50Ms,
          ratio: spread(same.load.p50Ms, same.load.p99Ms),
          note: `${latencyNote(same.load.p50Ms, same.load.p99Ms)}, max ${same.load.maxMs} ms; sent late by the generator: p99 ${same.load.sendDelayP99Ms} ms`,
        },
      );
    }
    const database = section.databaseControl;
    if (phase === section.checkouts && database) {
      const pgbenchRow = (rate: string, r: DatabaseControl['atOwnShare']) => ({
        name: `control, pgbench running the checkout's statements: p99 ÷ p50 at ${r.ratePerSec}/s (${rate})`,
        value: r.load.p99Ms,
        unit: 'ms',
        baseline: r.load.p50Ms,
        ratio: spread(r.load.p50Ms, r.load.p99Ms),
        note: `${latencyNote(r.load.p50Ms, r.load.p99Ms)}, max ${r.load.maxMs} ms; ${r.load.transactions} transactions`,
      });
      rows.push(
        {
          name: `control, pgbench running the checkout's statements: peak (${database.clients} clients)`,
          value: database.peakPerSec,
          unit: 'checkouts/s',
        },
        pgbenchRow('70 % of its peak', database.atOwnShare),
        pgbenchRow("the checkouts' rate", database.atCheckoutRate),
      );
    }
  }
  const storm = section.storm;
  const quiet = section.checkouts.load.p99Ms;
  rows.push(
    {
      name: `checkout p99 with ${storm.loginRatePerSec} logins/s ÷ without`,
      value: storm.checkouts.p99Ms,
      unit: 'ms',
      baseline: quiet,
      ratio: storm.checkouts.p99Ms / Math.max(quiet, 0.1),
      goal: below(
        storm.checkouts.p99Ms / Math.max(quiet, 0.1),
        STORM_P99_RAISE,
        `< ${STORM_P99_RAISE}× raise`,
      ),
      note: `${latencyNote(storm.checkouts.p50Ms, storm.checkouts.p99Ms)}; event-loop delay p99 ${storm.lag.p99Ms} ms, max ${storm.lag.maxMs} ms`,
    },
    {
      name: `logins signed in during the storm (${storm.loginRatePerSec}/s due)`,
      value: storm.logins.perSec,
      unit: '/s',
      note: `${latencyNote(storm.logins.p50Ms, storm.logins.p99Ms)}; refused with 503: ${storm.logins.rejected[503] ?? 0}`,
    },
  );
  const phases = [section.reads.load, section.checkouts.load, storm.checkouts];
  return {
    id: 'latency',
    title: 'Latency under load',
    rows,
    chart: {
      kind: 'bars',
      title: 'Latency at 70 % of the peak, counted from when each request was due',
      unit: 'ms',
      groups: ['GET /products/:id', 'POST /payments', 'POST /payments + login storm'],
      series: [
        { name: 'p50', values: phases.map((p) => p.p50Ms) },
        { name: 'p99', values: phases.map((p) => p.p99Ms) },
        {
          name: 'event-loop delay p99',
          values: [section.reads.lag.p99Ms, section.checkouts.lag.p99Ms, storm.lag.p99Ms],
        },
      ],
    },
    notes: [
      `Open loop (bench/open-loop.ts): request n is due at n ÷ rate whatever came before, and its latency counts ` +
        `from then, so time spent waiting for a connection is included; the generator's 1 ms timer sets the floor.`,
      'Control: the same generator against bare Fastify (bench/baseline.ts), a server that does no work, at 70 % of ' +
        'its own peak and at the product reads’ rate; its tail is the generator’s and the machine’s.',
      ...(section.databaseControl
        ? [
            'Database control: pgbench running the checkout’s own statements (bench/pgbench/checkout.sql) on the ' +
              'checkouts’ database with the server stopped, 64 clients, at 70 % of its own peak and at the ' +
              'checkouts’ rate (`--rate`, latency from each transaction’s scheduled start; pgbench spaces them ' +
              'at random, Poisson, where the generator spaces them evenly); its tail is PostgreSQL’s and the machine’s.',
          ]
        : []),
      `Checkouts on ${section.checkoutDatabase === 'postgres' ? 'a fresh PostgreSQL database' : 'embedded PGlite'}, ` +
        '64 buyers (one per connection), 200 products; product reads over 1,000 products with a warm cache.',
      'Event-loop delay from the server’s /metrics (prom-client’s monitorEventLoopDelay, 10 ms resolution taken off).',
    ],
    problems: section.problems,
  };
}
